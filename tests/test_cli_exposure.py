"""``vpclab exposure PATH``: the internet-exposure report of an account snapshot from the command line.

The report goes to standard output as a table, JSON or HTML, in English or Korean; ``--diagram DIR``
writes one diagram per VPC; bad arguments or input exit with status 2 and a message in both languages.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vpclab.__main__ import main

DATA = Path(__file__).resolve().parent / "data" / "aws"
DEMO = DATA / "lab-validation" / "aws_demo"  # four VPCs in two Regions, peering, transit gateways, NLBs
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(["exposure", *argv])
    except SystemExit as leaving:  # argparse's way out
        status = leaving.code
    out, err = capsys.readouterr()
    return status, out, err


def test_the_table_names_every_instance_and_what_the_model_does_not_cover(capsys):
    status, out, err = run(capsys, str(DEMO))
    assert status == 0 and err == ""
    assert out.startswith("Internet exposure — us-east-1, us-west-1")
    assert "i-0c9f83521bb2f5405 (jump1-it-west)" in out and "tcp 22 ← 0.0.0.0/0" in out
    assert "yes, via nat-044f518facb617e97" in out
    assert "vpc-peering-connection pcx-08b7b8d4cb51d1c69" in out
    assert not HANGUL.search(out)


def test_the_summary_comes_first_then_account_region_and_vpc_columns(capsys):
    status, out, _ = run(capsys, str(DEMO))
    lines = out.splitlines()
    assert status == 0 and re.fullmatch(r"13 instances .*: 7 exposed .*, 6 unknown, 0 not reachable .*\.", lines[1])
    assert lines[2] == "Open to the internet: icmp echo, tcp 22, tcp 80, tcp 443, udp 33434-33534"
    header = lines[4].split()
    assert header[:4] == ["Account", "Region", "VPC", "Instance"]
    jump = next(line for line in lines if "i-0c9f83521bb2f5405" in line)
    assert jump.split()[:3] == ["028403472736", "us-west-1", "vpc-080faa5fa52c458dc"]


def test_instances_behind_an_internet_facing_network_load_balancer_are_exposed(capsys):
    # A real lab: three NLBs in a public subnet, each with one instance target in a private subnet (no public
    # IP). The target groups keep the client's address, and the instances' groups admit two client addresses.
    status, out, _ = run(capsys, str(DATA / "lab-validation" / "aws_nlb_targets_instance"), "--format", "json")
    assert status == 0
    entries = {e["instance_id"]: e for e in json.loads(out)["exposure"]}
    reached = entries["i-007de50061be35051"]
    assert reached["public_ip"] is None and reached["verdict"] == "exposed" and reached["inbound"] == []
    path = reached["via_load_balancers"][0]
    assert (path["load_balancer"], path["kind"], path["listener_port"], path["target_port"]) == (
        "targets-instance-nlb-only-pub-a",
        "network",
        80,
        80,
    )
    assert path["sources"] == ["8.8.8.8/32", "67.160.71.197/32"] and path["health"] == "unhealthy"


def test_unknown_names_the_describe_call_to_add_and_fail_on_sets_the_exit_status(capsys, tmp_path):
    # The snapshot without its route tables: the exposed jump host can no longer be judged.
    source = DATA / "batfish-tests" / "test-public-subnet" / "aws_configs"
    copy = tmp_path / "partial"
    shutil.copytree(source, copy)
    removed = [f for f in copy.rglob("*.json") if "RouteTables" in f.read_text(encoding="utf-8")[:200]]
    assert removed
    for file in removed:
        file.unlink()
    status, out, _ = run(capsys, str(copy), "--format", "json", "--fail-on", "unknown")
    data = json.loads(out)
    (entry,) = data["exposure"]
    assert status == 1 and entry["verdict"] == "unknown" and entry["outbound"] is None
    collect = {r["collect"] for r in entry["unknown"]}
    assert any(c.startswith("aws ec2 describe-route-tables --region ") for c in collect)
    assert data["summary"]["unknown"] == 1 and data["collect"]
    status, _, _ = run(capsys, str(copy), "--fail-on", "exposed")
    assert status == 0  # nothing is known to be exposed
    status, _, _ = run(capsys, str(source), "--fail-on", "exposed")
    assert status == 1


def test_a_reader_that_stops_early_ends_the_output_quietly():
    # Standard output is a pipe whose reader is already gone (what `| head` leaves): no traceback, status 0.
    code = (
        "import os, sys\n"
        "reader, writer = os.pipe()\n"
        "os.close(reader)\n"
        "os.dup2(writer, 1)\n"
        "from vpclab.__main__ import main\n"
        f"sys.exit(main(['exposure', {str(DEMO)!r}]))\n"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert child.returncode == 0 and child.stderr == ""


def test_the_table_shows_one_row_per_network_interface(capsys):
    status, out, _ = run(capsys, str(DATA / "lab-validation" / "aws_instance_multiple_interface"))
    assert status == 0 and "i-0570aa766f3473c7b / eni-0eedf785ae57bef40" in out and "23.20.84.152" in out


def test_korean_report(capsys):
    status, out, _ = run(capsys, str(DEMO), "--lang", "ko")
    assert status == 0 and out.startswith("인터넷 노출 현황") and HANGUL.search(out)


def test_json_report_is_data(capsys):
    status, out, _ = run(capsys, str(DEMO), "--format", "json")
    data = json.loads(out)
    assert data["schema"] == "vpclab.exposure/2" and set(data["summary"]) >= {"exposed", "unknown", "none"}
    assert status == 0 and data["region"] == "us-east-1" and data["regions"] == ["us-east-1", "us-west-1"]
    assert {v["id"]: v["region"] for v in data["vpcs"]}["vpc-080faa5fa52c458dc"] == "us-west-1"
    jump = next(e for e in data["exposure"] if e["instance_id"] == "i-0c9f83521bb2f5405")
    assert jump["public_ip"] == "13.56.138.223" and jump["inbound"][0]["ports"] == [22, 22]
    kinds = {(u["kind"], u["id"]) for u in data["unsupported"]}
    assert ("transit-gateway", "tgw-0efa3273281f159be") in kinds
    assert all(u["text"] for u in data["unsupported"])


def test_html_report_is_a_whole_page(capsys):
    status, out, _ = run(capsys, str(DEMO), "--format", "html", "--lang", "ko")
    assert status == 0 and out.startswith("<!DOCTYPE html>") and '<html lang="ko">' in out
    assert out.count("<table") == 2 and "pcx-08b7b8d4cb51d1c69" in out and "</html>" in out
    assert "<th" in out and "계정" in out and "알 수 없음" in out  # the account column and the verdicts
    assert "aws elb describe-load-balancers --region us-east-1" in out  # what to collect


def test_diagram_writes_one_file_per_vpc(capsys, tmp_path):
    folder = tmp_path / "diagrams"
    status, out, err = run(capsys, str(DEMO), "--diagram", str(folder))
    assert status == 0 and out
    written = sorted(p.name for p in folder.iterdir())
    vpcs = ["vpc-080faa5fa52c458dc", "vpc-09fbdfd905cb6796d", "vpc-0ccd2155f545b45f9", "vpc-0e13049ea0263d087"]
    assert [name.rsplit(".", 1)[0] for name in written] == vpcs
    assert {name.rsplit(".", 1)[1] for name in written} <= {"svg", "dot"}  # SVG where Graphviz's dot is installed
    text = (folder / written[0]).read_text(encoding="utf-8").replace("&#45;", "-")  # SVG escapes hyphens
    assert "vpc-080faa5fa52c458dc" in text and "vpc-09fbdfd905cb6796d" not in text  # one VPC per diagram
    assert err.count("\n") == len(vpcs)


def test_a_path_that_is_not_there_exits_2_with_both_languages(capsys, tmp_path):
    status, out, err = run(capsys, str(tmp_path / "nowhere"))
    assert status == 2 and out == ""
    assert "InvalidAwsSnapshot" in err and "nowhere" in err and HANGUL.search(err)


def test_a_malformed_snapshot_exits_2_naming_file_and_field(capsys, tmp_path):
    (tmp_path / "Subnets.json").write_text('{"Subnets": [{"SubnetId": 7}]}', encoding="utf-8")
    status, _, err = run(capsys, str(tmp_path))
    assert status == 2 and "Subnets.json: Subnets[0].SubnetId" in err and HANGUL.search(err)


@pytest.mark.parametrize("argv", [["--format", "xml"], ["--lang", "fr"], []], ids=["format", "lang", "no-path"])
def test_bad_arguments_exit_2_with_both_languages(capsys, argv):
    status, out, err = run(capsys, *([str(DEMO)] if argv else []), *argv)
    assert status == 2 and out == ""
    assert "usage: vpclab exposure" in err and "The arguments are not valid" in err and HANGUL.search(err)


def test_python_dash_m_vpclab_exposure_runs_the_same_command(tmp_path):
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "vpclab",
            "exposure",
            str(DATA / "batfish-tests" / "test-nat-gateway"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert ok.returncode == 0 and len(json.loads(ok.stdout)["exposure"]) == 3
    bad = subprocess.run(
        [sys.executable, "-m", "vpclab", "exposure", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert bad.returncode == 2 and HANGUL.search(bad.stderr) and bad.stdout == ""
