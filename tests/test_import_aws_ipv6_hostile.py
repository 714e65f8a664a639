"""``Lab.from_aws`` on IPv6, egress-only and Block Public Access input that real snapshots, emulators or a
hostile file may hold: each is loaded as AWS means it or refused naming the file and the field; and
``vpclab exposure`` shows the IPv6 half of what it finds (fact sheet §12–§14).
"""

from __future__ import annotations

import json

import pytest
from test_import_aws_ipv6 import WEB6, changed, exclusion, load

from vpclab import AwsSnapshotError, InvalidParameterError
from vpclab.__main__ import main
from vpclab.model.resources import BlockPublicAccessMode


def nic(data: dict, n: int = 0) -> dict:
    return data["Reservations"][0]["Instances"][n]["NetworkInterfaces"][0]


def blocked(exclusions: list[dict]):
    def change(data):
        data["VpcBlockPublicAccessOptions"]["InternetGatewayBlockMode"] = "block-bidirectional"
        data["VpcBlockPublicAccessExclusions"] = exclusions
        data["Vpcs"][0]["OwnerId"] = "123456789012"

    return change


def excluded(arn: str):
    return blocked([exclusion("subnet-01") | {"ResourceArn": arn}])


NIC0 = "Reservations[0].Instances[0].NetworkInterfaces[0]"
ARN = "VpcBlockPublicAccessExclusions[0].ResourceArn"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # A zone id: Python's ipaddress accepts one, and the address then never equals itself without it.
        (lambda d: nic(d)["Ipv6Addresses"][0].update(Ipv6Address=WEB6 + "%eth0"),
         f"{NIC0}.Ipv6Addresses[0].Ipv6Address"),
        (lambda d: d["RouteTables"][1]["Routes"][3].update(DestinationIpv6CidrBlock="::%eth0/0"),
         "RouteTables[1].Routes[3].DestinationIpv6CidrBlock"),
        (lambda d: nic(d)["Ipv6Addresses"][0].update(Ipv6Address="::ffff:10.0.1.10"),
         f"{NIC0}.Ipv6Addresses[0].Ipv6Address"),
        (lambda d: d["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0].update(Ipv6CidrBlock="::/0"),
         "Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock"),
        (lambda d: d["Subnets"][0]["Ipv6CidrBlockAssociationSet"][0].update(Ipv6CidrBlock="2600:1f18:7cb4::/48"),
         "Subnets[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock"),
        # An IPv6-only subnet has no IPv4 CIDR (fact sheet §12.1).
        (lambda d: d["Subnets"][1].update(Ipv6Native=True), "Subnets[1].Ipv6Native"),
        # "[IPv6 traffic only]"; moto accepts 0.0.0.0/0 -> eigw (§12.4, §12.8).
        (lambda d: d["RouteTables"][0]["Routes"].append(
            {"DestinationCidrBlock": "0.0.0.0/0", "EgressOnlyInternetGatewayId": "eigw-0d6", "State": "active"}),
         "RouteTables[0].Routes[3].DestinationCidrBlock"),
        (lambda d: d["VpcBlockPublicAccessOptions"].update(AwsRegion="eu-west-1"),
         "VpcBlockPublicAccessOptions.AwsRegion"),
        (excluded("arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-01"), ARN),
        (excluded("arn:aws:ec2:us-east-1:999999999999:subnet/subnet-01"), ARN),
        (excluded("arn:aws-cn:ec2:us-east-1:123456789012:subnet/subnet-01"), ARN),
        (excluded("arn:aws:s3:us-east-1:123456789012:subnet/subnet-01"), ARN),
        (excluded("arn:aws:ec2:us-east-1:123456789012:subnet/vpc-0d6"), ARN),
        (blocked([exclusion("subnet-01") | {"InternetGatewayExclusionMode": None}]),
         "VpcBlockPublicAccessExclusions[0].InternetGatewayExclusionMode"),
    ],
)  # fmt: skip
def test_hostile_or_impossible_ipv6_input_is_refused_naming_the_file_and_the_field(tmp_path, change, field):
    with pytest.raises(AwsSnapshotError) as caught:
        load(tmp_path, changed(change))
    assert (caught.value.code, caught.value.file, caught.value.field) == ("InvalidAwsSnapshot", "snapshot.json", field)


def test_a_megabyte_of_ipv6_addresses_on_one_interface_is_refused_at_the_first_one_too_many(tmp_path):
    def flood(data):
        nic(data)["Ipv6Addresses"] = [{"Ipv6Address": f"2600:1f18:7cb4:2e01::{n + 16:x}"} for n in range(40_000)]

    data = changed(flood)
    assert len(json.dumps(data)) > 1_000_000
    with pytest.raises(AwsSnapshotError) as caught:
        load(tmp_path, data)
    assert caught.value.field == f"{NIC0}.Ipv6Addresses[50].Ipv6Address"


def test_a_second_egress_only_gateway_and_an_address_without_a_subnet_block_get_their_own_messages(tmp_path):
    def second(data):
        data["EgressOnlyInternetGateways"].append(
            {"EgressOnlyInternetGatewayId": "eigw-0two", "Attachments": [{"VpcId": "vpc-0d6", "State": "attached"}]}
        )

    def associating(data):
        data["Subnets"][1]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlockState"] = {"State": "associating"}

    for change, key in ((second, "second_egress_only_gateway"), (associating, "no_ipv6_block")):
        with pytest.raises(AwsSnapshotError) as caught:
            load(tmp_path, changed(change))
        assert caught.value.key == f"InvalidAwsSnapshot:{key}"


def test_upper_case_hex_is_read_as_the_same_addresses_and_blocks(tmp_path):
    def upper(data):
        data.update(json.loads(json.dumps(data).replace("2600:1f18:7cb4:2e", "2600:1F18:7CB4:2E")))

    lab = load(tmp_path, changed(upper))
    assert [str(a) for a in lab.instances["i-0web"].ipv6_addresses] == [WEB6]
    assert lab.analyze("2001:db8:a::10", WEB6, "tcp", 443).reachable is True


def test_an_address_with_a_zone_id_is_refused_by_analyze_too():
    from vpclab.model.addressing import parse_ip_any, parse_ipv6_cidr

    for parse, value in ((parse_ip_any, "2001:db8::1%eth0"), (parse_ipv6_cidr, "2001:db8::%1/64")):
        with pytest.raises(InvalidParameterError) as caught:
            parse(value)
        assert caught.value.code == "InvalidParameterValue"


@pytest.mark.parametrize("options", [{}, {"InternetGatewayBlockMode": None}, {"AwsRegion": "us-east-1"}])
def test_options_that_name_no_mode_count_as_not_collected_and_the_vpcs_state_decides(tmp_path, options):
    def emulator(data):  # an emulator answering describe-vpc-block-public-access-options with an empty object
        data["VpcBlockPublicAccessOptions"] = options
        data["Vpcs"][0]["BlockPublicAccessStates"] = {"InternetGatewayBlockMode": "block-ingress"}

    lab = load(tmp_path, changed(emulator))
    assert lab.block_public_access.internet_gateway_block_mode is BlockPublicAccessMode.BLOCK_INGRESS

    def neither(data):
        emulator(data)
        data["Vpcs"][0].pop("BlockPublicAccessStates")

    lab = load(tmp_path, changed(neither))
    assert lab.block_public_access.internet_gateway_block_mode is BlockPublicAccessMode.OFF
    assert [u.id for u in lab.unsupported if u.kind == "block-public-access"] == ["vpcbpa-options-us-east-1"]


def test_an_exclusion_of_the_owner_s_account_in_its_own_region_applies(tmp_path):
    lab = load(tmp_path, changed(excluded("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-01")))
    assert lab.analyze("2001:db8:a::10", WEB6, "tcp", 443).reachable is True


# ---- vpclab exposure shows the IPv6 half ----------------------------------------------------------------------
def report(capsys, path, *argv):
    status = main(["exposure", *argv, str(path)])
    out, _ = capsys.readouterr()
    assert status == 0
    return out


def ipv6_only_server(data):
    """The web server reached over IPv6 only: no public IPv4, its group admits ::/0 on 443."""
    nic(data)["PrivateIpAddresses"][0].pop("Association")


def test_the_table_shows_ports_open_over_ipv6_and_the_ipv6_way_out(capsys, tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(changed(ipv6_only_server)), encoding="utf-8")
    out = report(capsys, path)
    web = next(line for line in out.splitlines() if "i-0web" in line)
    worker = next(line for line in out.splitlines() if "i-0worker" in line)
    assert "exposed" in web and "tcp 443 ← ::/0" in web and "IPv6: yes, via igw-0d6" in web
    assert "IPv6: yes, via eigw-0d6" in worker
    assert out.splitlines()[2] == "Open to the internet: icmpv6 echo, tcp 443"  # ICMPv6 is protocol "58" in AWS
    korean = report(capsys, path, "--lang", "ko")
    assert "tcp 443 ← ::/0" in korean and "IPv6: 예, eigw-0d6 경유" in korean


def test_the_report_shows_ipv6_addresses_as_public_and_its_ports_apart_and_the_json_names_icmpv6(capsys, tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(changed(lambda d: None)), encoding="utf-8")
    web = next(line for line in report(capsys, path).splitlines() if "i-0web" in line)
    assert f"3.80.0.10, {WEB6}" in web  # an IPv6 address is public as it is
    assert "tcp 443 ← 0.0.0.0/0; IPv6: " in web  # the IPv4 openings, then the IPv6 ones
    data = json.loads(report(capsys, path, "--format", "json"))
    assert data["vpcs"][0]["ipv6_cidrs"] == ["2600:1f18:7cb4:2e00::/56"]
    [entry] = [e for e in data["exposure"] if e["instance_id"] == "i-0web"]
    assert {p["protocol"] for p in entry["inbound_v6"]} == {"tcp", "icmpv6"}


def test_without_the_options_call_the_report_says_the_mode_was_taken_as_off_and_asks_for_the_call(capsys, tmp_path):
    def uncollected(data):
        data.pop("VpcBlockPublicAccessOptions")
        data["Vpcs"][0].pop("BlockPublicAccessStates")

    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(changed(uncollected)), encoding="utf-8")
    data = json.loads(report(capsys, path, "--format", "json"))
    assert "aws ec2 describe-vpc-block-public-access-options --region us-east-1" in data["collect"]
    note = next(u for u in data["unsupported"] if u["kind"] == "block-public-access")
    assert "not judged" not in note["text"]


def test_two_static_routes_to_one_destination_in_a_table_are_refused_and_a_repeated_record_is_read_once(tmp_path):
    def twice(target: str):
        def change(data):
            routes = data["RouteTables"][1]["Routes"]
            routes.append({"DestinationIpv6CidrBlock": "::/0", "GatewayId": target, "State": "active"})

        return changed(change)

    lab = load(tmp_path, twice("igw-0d6"))  # the same route listed twice: one route
    assert str(lab.route_tables["rtb-0pub"].lookup("2001:db8::1").target_id) == "igw-0d6"
    with pytest.raises(AwsSnapshotError) as caught:
        load(tmp_path, twice("eigw-0d6"), "two.json")
    assert caught.value.field == "RouteTables[1].Routes[4].DestinationIpv6CidrBlock"
