"""Exporting labs imported from real accounts (tests/data/aws): one file per Region, routes to a firewall's
network interface left out with a note, and the Terraform export checked by ``terraform validate``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from vpclab import Lab
from vpclab.bridge.aws_cli import to_aws_cli
from vpclab.bridge.cloudformation import to_cloudformation
from vpclab.bridge.terraform import to_terraform
from vpclab.model.errors import InvalidParameterError

DATA = Path(__file__).resolve().parent / "data" / "aws"
EXPORTERS = (to_terraform, to_cloudformation, to_aws_cli)


@pytest.fixture(scope="module")
def two_regions():
    return Lab.from_aws(DATA / "lab-validation" / "aws_demo")  # VPCs in us-east-1 and us-west-1


@pytest.fixture(scope="module")
def firewall():
    return Lab.from_aws(DATA / "lab-validation" / "aws_vnd_panos_single_fw")  # routes to a firewall's interface


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_a_lab_of_two_regions_is_refused_in_one_file_naming_both(two_regions, export):
    with pytest.raises(InvalidParameterError) as caught:
        export(two_regions)
    assert caught.value.code == "InvalidParameterValue"
    assert "us-east-1, us-west-1" in caught.value.message("en") and "us-east-1" in caught.value.message("ko")
    with pytest.raises(InvalidParameterError):
        export(two_regions, region="eu-west-1")


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_each_region_exports_only_its_own_subnets(two_regions, export):
    lab = two_regions
    cidrs = {
        region: {str(s.cidr) for s in lab.subnets.values() if (s.vpc.region or lab.region) == region}
        for region in ("us-east-1", "us-west-1")
    }
    for region, other in (("us-east-1", "us-west-1"), ("us-west-1", "us-east-1")):
        text = export(lab, region=region)
        written = set(re.findall(r"\b\d+\.\d+\.\d+\.\d+/\d+\b", text))
        assert cidrs[region] <= written
        assert not (cidrs[other] - cidrs[region]) & written
        zones = set(re.findall(r"\b(?:us-east-1|us-west-1)[a-f]\b", text))
        assert all(z.startswith(region) for z in zones), zones


def test_cloudformation_of_one_region_takes_its_zones_from_the_stack_region(two_regions):
    text = to_cloudformation(two_regions, region="us-west-1")
    assert "${AWS::Region}us-west-1" not in text and "${AWS::Region}us-east-1" not in text
    assert re.search(r"\$\{AWS::Region\}[a-f]\b", text)


@pytest.mark.parametrize("export", EXPORTERS, ids=lambda f: f.__name__)
def test_a_route_to_a_firewall_interface_is_a_note_not_a_crash(firewall, export):
    text = export(firewall)
    route = next(
        r for t in firewall.route_tables.values() for r in t.routes.values() if r.target_id == "eni-08d16ab899a55910e"
    )
    notes = [line for line in text.splitlines() if "eni-08d16ab899a55910e" in line]
    assert notes and all(line.lstrip().startswith("#") for line in notes), notes
    assert any("secondary network interface" in line and str(route.destination) in line for line in notes)


def _terraform_environment(tmp_path: Path) -> dict:
    """Terraform kept off the network (tests talk to loopback only): providers come only from a local
    mirror (``VPCLAB_TERRAFORM_MIRROR``, else terraform's own ``~/.terraform.d/plugins``), never from the
    registry, and no version check is sent."""
    mirror = os.environ.get("VPCLAB_TERRAFORM_MIRROR") or str(Path.home() / ".terraform.d" / "plugins")
    config = tmp_path / "offline.tfrc"
    config.write_text(
        "provider_installation {\n  filesystem_mirror {\n    path = " + json.dumps(mirror) + "\n  }\n}\n",
        encoding="utf-8",
    )
    return {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "TF_DATA_DIR": str(tmp_path / ".terraform"),
        "TF_CLI_CONFIG_FILE": str(config),
        "CHECKPOINT_DISABLE": "1",
    }


@pytest.mark.parametrize("source", ["two_regions", "firewall"])
def test_terraform_validate_accepts_the_export(source, tmp_path, request):
    if shutil.which("terraform") is None:
        pytest.skip("no terraform binary: the HCL is still parsed by python-hcl2 in tests/test_export.py")
    lab = request.getfixturevalue(source)
    text = to_terraform(lab, region="us-west-1") if source == "two_regions" else to_terraform(lab)
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    environment = _terraform_environment(tmp_path)
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    if init.returncode != 0:
        # hashicorp/aws comes from a local mirror only (no network in tests); python-hcl2, cfn-lint and
        # ShellCheck still check the exports in tests/test_export.py.
        pytest.skip(f"no local mirror of the aws provider for terraform: {init.stderr.strip()[-200:]}")
    result = subprocess.run(
        ["terraform", "validate", "-json", "-no-color"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["valid"], [d.get("summary") for d in report.get("diagnostics", [])]
