"""The exposure audit on real accounts (tests/data/aws): an answer is right or explicitly unknown, never a
false "none" — load balancers as entry points, what a partial snapshot leaves open, every commercial
Region, shared VPCs, IPv6 listed, and the property that removing one describe file never turns an
"unknown" or "exposed" verdict into "none"."""

from __future__ import annotations

import json
import shutil
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from vpclab import Lab
from vpclab.model.regions import _LESSON_REGIONS, REGION_DATA, REGIONS

DATA = Path(__file__).resolve().parent / "data" / "aws"


def snapshot(name: str) -> Lab:
    return Lab.from_aws(DATA / name)


def verdicts(lab) -> dict:
    return {(e.instance_id, e.interface_id): (e.verdict, e.outbound) for e in lab.exposure()}


# ---- Regions from published data ----------------------------------------------------------------------------
def test_every_commercial_region_of_botocore_is_known_with_its_ec2_prefixes():
    botocore = pytest.importorskip("botocore")
    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    commercial = set(next(p for p in endpoints["partitions"] if p["partition"] == "aws")["regions"])
    # The shipped data comes from an earlier botocore; Regions are never withdrawn, only added.
    assert set(REGIONS) <= commercial and {"eu-north-1", "eu-central-1", "ap-south-1", "sa-east-1"} <= set(REGIONS)
    assert "createDate 2026-08-22" in REGION_DATA["source"]["ec2_prefixes"]
    for name, region in REGIONS.items():
        assert region.public_blocks and all(b.is_global for b in region.public_blocks), name


def test_the_lessons_address_blocks_are_published_ec2_prefixes_of_their_region():
    for name, (_, blocks) in _LESSON_REGIONS.items():
        published = [IPv4Network(p) for p in REGION_DATA["regions"][name]["ec2_prefixes"]]
        for block in map(IPv4Network, blocks.split()):
            covered = sum(p.num_addresses for p in published if p.subnet_of(block) or block.subnet_of(p))
            assert covered >= block.num_addresses, (name, block)


def test_cloudmappers_14_region_demo_loads_every_region():
    lab = snapshot("cloudmapper-demo-2018")
    regions = {v.region or lab.region for v in lab.vpcs.values()}
    assert len(regions) == 14 and {"ap-south-1", "eu-central-1", "ca-central-1", "sa-east-1"} <= regions
    # The anonymised demo gives every Region's default VPC one id: the later Regions' are renamed.
    assert ("vpc-12345678", "vpc-12345678useast1", "us-east-1") in lab.renamed_ids


def test_from_boto3_reads_a_vpc_in_eu_central_1(monkeypatch):
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    with moto.mock_aws():
        ec2 = boto3.client("ec2", region_name="eu-central-1")
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24", AvailabilityZone="eu-central-1b")
        lab = Lab.from_boto3(ec2)
    assert lab.region == "eu-central-1" and vpc in lab.vpcs
    assert {s.availability_zone for s in lab.subnets.values() if s.vpc.id == vpc} == {"eu-central-1b"}


# ---- shared VPCs ----------------------------------------------------------------------------------------------
def test_a_vpc_shared_by_three_accounts_is_one_vpc_with_its_owners_name():
    lab = snapshot("lab-validation/aws_shared_vpc")
    shared = lab.vpcs["vpc-02008b4ca4a5ced27"]
    assert shared.name == "shared_services" and len(lab.vpcs) == 4
    owners = {lab.owners[i] for i in lab.instances}
    assert owners == {"028403472736", "317892581468", "951601349076"}


# ---- load balancers -------------------------------------------------------------------------------------------
def test_targets_of_internet_facing_network_load_balancers_are_exposed_through_them():
    lab = snapshot("lab-validation/aws_nlb_targets_ip")  # ip targets: the NLB does not keep the client's address
    report = lab.exposure()
    for instance_id, balancer in (
        ("i-008e95f9840fbff35", "targets-ip-nlb-pe-pri-a"),
        ("i-0452f4c114ee378c1", "targets-ip-nlb-pd-pri-a"),
    ):
        entry = report[instance_id]
        assert entry.public_ip is None and entry.verdict == "exposed"
        (path,) = entry.via_load_balancers
        assert (path.load_balancer, path.kind, path.listener_port) == (balancer, "network", 80)
        assert [str(s) for s in path.sources] == ["0.0.0.0/0"]


def test_without_the_load_balancer_files_their_targets_are_unknown_not_none(tmp_path):
    copy = tmp_path / "no_lbs"
    shutil.copytree(DATA / "lab-validation" / "aws_nlb_targets_instance", copy)
    for name in ("LoadBalancers", "LoadBalancerListeners", "TargetGroups", "LoadBalancerTargetHealth"):
        (copy / "aws_configs" / "us-east-1" / f"{name}.json").unlink()
    entry = Lab.from_aws(copy).exposure()["i-007de50061be35051"]
    assert entry.verdict == "unknown"
    calls = {r.collect for r in entry.unknown}
    assert "aws elbv2 describe-load-balancers --region us-east-1" in calls


def test_a_saved_and_reloaded_lab_keeps_load_balancer_targets_unknown_not_none():
    lab = snapshot("lab-validation/aws_nlb_targets_instance")
    assert lab.exposure()["i-007de50061be35051"].verdict == "exposed"
    again = Lab.from_json(lab.to_json())  # the balancers' listeners and targets are not saved
    entry = again.exposure()["i-007de50061be35051"]
    assert entry.verdict == "unknown"
    assert any(r.why == "outside_model" and r.component.startswith("targets-instance-nlb") for r in entry.unknown)


def test_load_balancer_addresses_are_billed_and_an_eip_on_a_second_interface_is_not_idle():
    lines = list(snapshot("lab-validation/aws_nlb_targets_instance").cost())
    held = {line.detail for line in lines if line.kind == "service_ip"}
    assert {"54.174.198.234", "3.234.138.7", "100.26.7.68"} <= held
    lines = list(snapshot("lab-validation/aws_instance_multiple_interface").cost())
    second = next(line for line in lines if "23.20.84.152" in line.detail)
    assert second.kind == "eip_instance"
    assert not [line for line in lines if line.kind == "eip_idle"]


# ---- what blocks, and what is unknown ---------------------------------------------------------------------------
def test_the_blocking_component_is_the_firewalls_interface_not_the_instance():
    entry = snapshot("lab-validation/aws_vnd_panos_single_fw").exposure()["i-0754b6a6b835b62fb"]
    assert entry.outbound is None and entry.outbound_blocked_at == "eni-08d16ab899a55910e"
    assert any(r.component == "eni-08d16ab899a55910e" and r.direction == "outbound" for r in entry.unknown)


def test_an_ipv6_address_and_a_v6_rule_on_a_real_snapshot_are_judged_not_left_unknown(tmp_path):
    source = DATA / "batfish-tests" / "test-public-subnet" / "aws_configs"
    copy = tmp_path / "v6"
    shutil.copytree(source, copy)

    def edit(key: str, change) -> None:
        path = next(p for p in copy.rglob("*.json") if f'"{key}"' in p.read_text(encoding="utf-8"))
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data[key])
        path.write_text(json.dumps(data), encoding="utf-8")

    block = {"Ipv6CidrBlock": "2600:1f16:c6:ff00::/56", "Ipv6CidrBlockState": {"State": "associated"}}  # us-east-2
    edit("Vpcs", lambda vpcs: vpcs[0].update(Ipv6CidrBlockAssociationSet=[block]))
    subnet_block = {"Ipv6CidrBlock": "2600:1f16:c6:ff01::/64", "Ipv6CidrBlockState": {"State": "associated"}}
    edit("Subnets", lambda subnets: subnets[0].update(Ipv6CidrBlockAssociationSet=[subnet_block]))
    instance_id = {}

    def give_address(reservations):
        instance = next(i for r in reservations for i in r["Instances"] if i["SubnetId"] == subnet_id)
        instance["NetworkInterfaces"][0]["Ipv6Addresses"] = [{"Ipv6Address": "2600:1f16:c6:ff01::10"}]
        instance_id["id"] = instance["InstanceId"]

    subnet_id = json.loads((copy / "Subnets.json").read_text(encoding="utf-8"))["Subnets"][0]["SubnetId"]
    edit("Reservations", give_address)
    route = {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-0a409e562d251f766", "State": "active"}
    edit(
        "RouteTables",
        lambda tables: [t["Routes"].append(route) for t in tables if t["Associations"][0]["Main"] is False],
    )
    rule = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
    edit("SecurityGroups", lambda groups: [g["IpPermissions"].append(rule) for g in groups])
    lab = Lab.from_aws(copy)
    assert [str(a) for a in lab.instances[instance_id["id"]].ipv6_addresses] == ["2600:1f16:c6:ff01::10"]
    assert not [u for u in lab.unsupported if u.why == "ipv6"]
    entry = lab.exposure()[instance_id["id"]]
    # The ACL was made before the VPC had IPv6: it has no IPv6 entry, so its "*" deny (32768) decides.
    assert entry.inbound_v6 == [] and entry.inbound_v6_code == "SUBNET_ACL_RESTRICTION"
    assert not [r for r in entry.unknown if r.why == "ipv6"]


# ---- the property: one describe file fewer never turns unknown or exposed into none -----------------------------
PROPERTY_SNAPSHOTS = [
    "lab-validation/aws_nlb_targets_instance",
    "lab-validation/aws_vnd_panos_single_fw",
    "lab-validation/aws_vpc_endpoints",
    "batfish-tests/test-nat-gateway",
    "cloudmapper-demo",
]


@pytest.mark.parametrize("name", PROPERTY_SNAPSHOTS)
def test_removing_one_describe_file_never_turns_unknown_or_exposed_into_none(name, tmp_path):
    full = verdicts(snapshot(name))
    assert full
    root = DATA / name
    for number, removed in enumerate(sorted(root.rglob("*.json"))):
        copy = tmp_path / str(number)
        shutil.copytree(root, copy)
        (copy / removed.relative_to(root)).unlink()
        fewer = verdicts(Lab.from_aws(copy))
        for key, (verdict, outbound) in full.items():
            if key not in fewer:
                continue  # its describe-instances is gone: no answer at all, not "none"
            after, after_outbound = fewer[key]
            where = f"{removed.relative_to(root)}: {key}"
            assert not (verdict in ("exposed", "unknown") and after == "none"), where
            assert not (outbound in (True, None) and after_outbound is False), where
        shutil.rmtree(copy)
