"""``Lab.from_aws`` with IPv6, egress-only gateways and Block Public Access (fact sheet §12–§14).

The snapshot is written here in the shape ``aws ec2 describe-*`` prints (the EC2 API reference's fields:
``Ipv6CidrBlockAssociationSet``, ``DestinationIpv6CidrBlock``, ``Ipv6Ranges``, ``Ipv6Addresses``,
``describe-egress-only-internet-gateways``, ``describe-vpc-block-public-access-options`` and
``-exclusions``): a dual-stack web server in a public subnet and a worker behind an egress-only gateway.
What the snapshot holds is modelled and judged; what it lacks is listed and leaves the answer unknown.
"""

from __future__ import annotations

import copy
import json
from ipaddress import IPv6Address, IPv6Network
from pathlib import Path

import pytest

from vpclab import AwsSnapshotError, InvalidParameterError, Lab
from vpclab.bridge import plan
from vpclab.bridge.terraform import to_terraform
from vpclab.model.invariants import problems
from vpclab.model.ipv6_pool import amazon_ipv6_block
from vpclab.model.resources import EgressOnlyInternetGateway, Protocol, RouteState

VPC6 = "2600:1f18:7cb4:2e00::/56"
WEB6 = "2600:1f18:7cb4:2e01::a"
WORKER6 = "2600:1f18:7cb4:2e02::b"
CLIENT6 = "2001:db8:a::10"


def associated(state: str = "associated") -> dict:
    return {"State": state}


def acl_entries() -> list[dict]:
    """The default network ACL of a VPC with IPv6, as describe-network-acls prints it (fact sheet §12.3)."""
    entries = []
    for egress in (False, True):
        entries += [
            {"RuleNumber": 100, "Egress": egress, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 101, "Egress": egress, "Protocol": "-1", "RuleAction": "allow", "Ipv6CidrBlock": "::/0"},
            {"RuleNumber": 32767, "Egress": egress, "Protocol": "-1", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32768, "Egress": egress, "Protocol": "-1", "RuleAction": "deny", "Ipv6CidrBlock": "::/0"},
        ]
    return entries


def instance(instance_id: str, eni: str, subnet: str, private: str, ipv6: str, group: str, public=None) -> dict:
    association = {"Association": {"PublicIp": public, "IpOwnerId": "amazon"}} if public else {}
    return {
        "InstanceId": instance_id,
        "State": {"Name": "running"},
        "SubnetId": subnet,
        "VpcId": "vpc-0d6",
        "PrivateIpAddress": private,
        "Ipv6Address": ipv6,
        "NetworkInterfaces": [
            {
                "NetworkInterfaceId": eni,
                "SubnetId": subnet,
                "VpcId": "vpc-0d6",
                "PrivateIpAddress": private,
                "Attachment": {"DeviceIndex": 0, "Status": "attached"},
                "Groups": [{"GroupId": group, "GroupName": group}],
                "Ipv6Addresses": [{"Ipv6Address": ipv6, "IsPrimaryIpv6": False}],
                "PrivateIpAddresses": [{"PrivateIpAddress": private, "Primary": True, **association}],
            }
        ],
    }


def dual_stack() -> dict:
    """A VPC with an Amazon /56: a public dual-stack subnet (web, IPv6 and a public IPv4) and a private one
    whose IPv6 leaves through an egress-only gateway (worker)."""
    return {
        "Vpcs": [
            {
                "VpcId": "vpc-0d6",
                "CidrBlock": "10.0.0.0/16",
                "CidrBlockAssociationSet": [
                    {"AssociationId": "vpc-cidr-assoc-0a1", "CidrBlock": "10.0.0.0/16", "CidrBlockState": associated()}
                ],
                "Ipv6CidrBlockAssociationSet": [
                    {
                        "AssociationId": "vpc-cidr-assoc-0b2",
                        "Ipv6CidrBlock": VPC6,
                        "Ipv6CidrBlockState": associated(),
                        "NetworkBorderGroup": "us-east-1",
                        "Ipv6Pool": "Amazon",
                    }
                ],
                "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
                "Tags": [{"Key": "Name", "Value": "dual"}],
            }
        ],
        "Subnets": [
            {
                "SubnetId": f"subnet-0{n}",
                "VpcId": "vpc-0d6",
                "CidrBlock": f"10.0.{n}.0/24",
                "AvailabilityZone": "us-east-1a",
                "MapPublicIpOnLaunch": n == 1,
                "AssignIpv6AddressOnCreation": n == 1,
                "Ipv6CidrBlockAssociationSet": [
                    {
                        "AssociationId": f"subnet-cidr-assoc-0{n}",
                        "Ipv6CidrBlock": f"2600:1f18:7cb4:2e0{n}::/64",
                        "Ipv6CidrBlockState": associated(),
                    }
                ],
            }
            for n in (1, 2)
        ],
        "InternetGateways": [
            {"InternetGatewayId": "igw-0d6", "Attachments": [{"VpcId": "vpc-0d6", "State": "available"}]}
        ],
        "EgressOnlyInternetGateways": [
            {"EgressOnlyInternetGatewayId": "eigw-0d6", "Attachments": [{"VpcId": "vpc-0d6", "State": "attached"}]}
        ],
        "RouteTables": [
            {
                "RouteTableId": "rtb-0main",
                "VpcId": "vpc-0d6",
                "Associations": [{"Main": True, "RouteTableAssociationId": "rtbassoc-0m"}],
                "Routes": [
                    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                    {"DestinationIpv6CidrBlock": VPC6, "GatewayId": "local", "State": "active"},
                    {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-0d6", "State": "active"},
                ],
            },
            {
                "RouteTableId": "rtb-0pub",
                "VpcId": "vpc-0d6",
                "Associations": [{"SubnetId": "subnet-01", "RouteTableAssociationId": "rtbassoc-01"}],
                "Routes": [
                    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                    {"DestinationIpv6CidrBlock": VPC6, "GatewayId": "local", "State": "active"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0d6", "State": "active"},
                    {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-0d6", "State": "active"},
                ],
            },
        ],
        "NetworkAcls": [
            {
                "NetworkAclId": "acl-0d6",
                "VpcId": "vpc-0d6",
                "IsDefault": True,
                "Associations": [
                    {"NetworkAclAssociationId": f"aclassoc-0{n}", "SubnetId": f"subnet-0{n}"} for n in (1, 2)
                ],
                "Entries": acl_entries(),
            }
        ],
        "SecurityGroups": [
            {
                "GroupId": "sg-0def",
                "VpcId": "vpc-0d6",
                "GroupName": "default",
                "Description": "default VPC security group",
                "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-0def"}]}],
                "IpPermissionsEgress": [
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
                ],
            },
            {
                "GroupId": "sg-0web",
                "VpcId": "vpc-0d6",
                "GroupName": "web",
                "Description": "https",
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "anywhere IPv6"}],
                    },
                    {"IpProtocol": "icmpv6", "FromPort": 128, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
                ],
                "IpPermissionsEgress": [
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
                ],
            },
        ],
        "Reservations": [
            {
                "Instances": [
                    instance("i-0web", "eni-0web", "subnet-01", "10.0.1.10", WEB6, "sg-0web", public="3.80.0.10"),
                    instance("i-0worker", "eni-0wrk", "subnet-02", "10.0.2.10", WORKER6, "sg-0web"),
                ]
            }
        ],
        "VpcBlockPublicAccessOptions": {
            "AwsAccountId": "123456789012",
            "AwsRegion": "us-east-1",
            "State": "default-state",
            "InternetGatewayBlockMode": "off",
            "ExclusionsAllowed": "allowed",
            "ManagedBy": "account",
        },
        "VpcBlockPublicAccessExclusions": [],
        "LoadBalancers": [],  # collected: no load balancer carries internet traffic to either
        "LoadBalancerDescriptions": [],
    }


def load(tmp_path: Path, data: dict, name: str = "snapshot.json") -> Lab:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return Lab.from_aws(path)


def changed(change) -> dict:
    data = copy.deepcopy(dual_stack())
    change(data)
    return data


# ---- what the snapshot holds is modelled ------------------------------------------------------------------------
def test_ipv6_blocks_addresses_routes_rules_and_the_egress_only_gateway_are_modelled(tmp_path):
    lab = load(tmp_path, dual_stack())
    vpc = lab.vpcs["vpc-0d6"]
    assert [str(b) for b in vpc.ipv6_cidr_blocks] == [VPC6] and vpc.ipv6_cidr_association_ids == ["vpc-cidr-assoc-0b2"]
    public, private = lab.subnets["subnet-01"], lab.subnets["subnet-02"]
    assert str(public.ipv6_cidr_block) == "2600:1f18:7cb4:2e01::/64" and public.assign_ipv6_address_on_creation
    assert not private.assign_ipv6_address_on_creation
    assert [str(a) for a in lab.instances["i-0web"].ipv6_addresses] == [WEB6]  # the two descriptions, once
    gateway = lab.egress_only_internet_gateways["eigw-0d6"]
    assert isinstance(gateway, EgressOnlyInternetGateway) and vpc.egress_only_internet_gateway is gateway
    main = lab.route_tables["rtb-0main"]
    route = main.lookup(IPv6Address(CLIENT6))
    assert route.target is gateway and route.state is RouteState.ACTIVE
    assert lab.route_tables["rtb-0pub"].lookup(IPv6Address(CLIENT6)).target is lab.internet_gateways["igw-0d6"]
    acl = lab.network_acls["acl-0d6"]
    assert {k for k, e in acl.entries.items() if e.cidr.version == 6} == {(False, 101), (True, 101)}
    web = lab.security_groups["sg-0web"]
    assert {(r.protocol, str(r.cidr)) for r in web.ingress} == {
        (Protocol.TCP, "0.0.0.0/0"),
        (Protocol.TCP, "::/0"),
        (Protocol.ICMPV6, "::/0"),
    }
    assert not [u for u in lab.unsupported if u.why in ("ipv6", "not_collected")]  # nothing left out, nothing missing
    assert problems(lab) == []
    assert Lab.from_json(lab.to_json()).to_json() == lab.to_json()


def test_the_internet_reaches_the_dual_stack_server_over_ipv6_and_never_the_worker_behind_the_egress_only_gateway(
    tmp_path,
):
    lab = load(tmp_path, dual_stack())
    assert lab.analyze("internet", "i-0web", "tcp", 443, ip_version=6).reachable
    assert lab.analyze(CLIENT6, WEB6, "tcp", 443).reachable
    blocked = lab.analyze("internet", "i-0worker", "tcp", 443, ip_version=6)
    assert not blocked.reachable and blocked.code == "EGRESS_ONLY_IGW_NO_INBOUND" and blocked.blocked_at == "eigw-0d6"
    out = lab.analyze("i-0worker", "internet", "tcp", 443, ip_version=6)
    assert out.reachable and any(h.component == "eigw-0d6" for h in out.forward)


def test_the_audit_reports_the_ipv6_half_as_known_exposed_or_none_never_unknown(tmp_path):
    report = load(tmp_path, dual_stack()).exposure()
    web, worker = report["i-0web"], report["i-0worker"]
    assert [
        (e.protocol, e.ports.first, [str(s) for s in e.sources]) for e in web.inbound_v6 if e.protocol == "tcp"
    ] == [("tcp", 443, ["::/0"])]
    assert web.verdict == "exposed" and not web.unknown
    assert worker.verdict == "none" and not worker.unknown
    assert worker.inbound_v6 == [] and worker.outbound_v6 and worker.outbound_v6_via == "eigw-0d6"


def test_an_ipv6_only_rule_that_the_acl_has_no_ipv6_entry_for_is_blocked_at_the_acl(tmp_path):
    def ipv4_only_acl(data):  # an ACL made before the VPC had IPv6: its "*" deny for IPv6 decides
        data["NetworkAcls"][0]["Entries"] = [e for e in acl_entries() if "CidrBlock" in e]

    entry = load(tmp_path, changed(ipv4_only_acl)).exposure()["i-0web"]
    assert entry.inbound_v6 == [] and entry.inbound_v6_code == "SUBNET_ACL_RESTRICTION"
    assert entry.inbound_v6_blocked_at == "acl-0d6" and entry.verdict == "exposed"  # still exposed over IPv4


def test_icmpv6_entries_and_rules_are_read_as_icmpv6_and_icmp_with_an_ipv6_peer_is_listed(tmp_path):
    def icmp(data):
        data["NetworkAcls"][0]["Entries"].append(
            {
                "RuleNumber": 90,
                "Egress": False,
                "Protocol": "58",
                "RuleAction": "deny",
                "Ipv6CidrBlock": "::/0",
                "IcmpTypeCode": {"Type": 128, "Code": -1},
            }
        )
        data["SecurityGroups"][1]["IpPermissions"].append(
            {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
        )

    lab = load(tmp_path, changed(icmp))
    entry = lab.network_acls["acl-0d6"].entries[(False, 90)]
    assert entry.protocol is Protocol.ICMPV6 and (entry.ports.first, entry.ports.last) == (128, -1)
    assert any(u.why == "protocol" and u.kind == "security-group-rule" for u in lab.unsupported)
    assert not lab.analyze(CLIENT6, WEB6, "icmpv6", 128).reachable  # rule 90 denies echo before 101 allows


# ---- the gateway that is gone, or not described --------------------------------------------------------------------
def test_a_route_to_a_deleted_egress_only_gateway_stays_a_blackhole(tmp_path):
    def deleted(data):
        data["EgressOnlyInternetGateways"] = []
        data["RouteTables"][0]["Routes"][2]["State"] = "blackhole"

    lab = load(tmp_path, changed(deleted))
    route = lab.route_tables["rtb-0main"].lookup(IPv6Address(CLIENT6))
    assert route.state is RouteState.BLACKHOLE and route.target_id == "eigw-0d6"
    assert not lab.analyze("i-0worker", "internet", "tcp", 443, ip_version=6).reachable


def test_an_active_route_to_an_undescribed_egress_only_gateway_means_the_gateway_is_there(tmp_path):
    lab = load(tmp_path, changed(lambda d: d.pop("EgressOnlyInternetGateways")))
    assert lab.vpcs["vpc-0d6"].egress_only_internet_gateway.id == "eigw-0d6"
    assert lab.analyze("i-0worker", "internet", "tcp", 443, ip_version=6).reachable


# ---- Block Public Access --------------------------------------------------------------------------------------------
def bpa(mode: str, exclusions=None, collected: bool = True):
    def change(data):
        data["VpcBlockPublicAccessOptions"]["InternetGatewayBlockMode"] = mode
        data["VpcBlockPublicAccessExclusions"] = exclusions or []
        if not collected:
            data.pop("VpcBlockPublicAccessExclusions")

    return changed(change)


def exclusion(resource: str, mode: str = "allow-bidirectional", state: str = "create-complete") -> dict:
    kind = resource.split("-")[0]
    return {
        "ExclusionId": f"vpcbpa-exclude-0{resource[-2:]}",
        "InternetGatewayExclusionMode": mode,
        "ResourceArn": f"arn:aws:ec2:us-east-1:123456789012:{kind}/{resource}",
        "State": state,
    }


def test_the_region_mode_blocks_the_gateways_before_routes_and_groups(tmp_path):
    lab = load(tmp_path, bpa("block-bidirectional"))
    assert lab.block_public_access.mode == "block-bidirectional"
    for version in (4, 6):
        result = lab.analyze("internet", "i-0web", "tcp", 443, ip_version=version)
        assert not result.reachable and result.code == "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    assert lab.exposure()["i-0web"].verdict == "none"


def test_an_exclusion_in_effect_opens_its_subnet_and_one_being_deleted_does_not(tmp_path):
    lab = load(tmp_path, bpa("block-bidirectional", [exclusion("subnet-01")]))
    [kept] = lab.block_public_access_exclusions.values()
    assert kept.subnet is lab.subnets["subnet-01"] and kept.mode.value == "allow-bidirectional"
    assert lab.analyze("internet", "i-0web", "tcp", 443, ip_version=6).reachable
    gone = load(tmp_path, bpa("block-bidirectional", [exclusion("subnet-01", state="delete-complete")]), "b.json")
    assert not gone.block_public_access_exclusions
    assert not gone.analyze("internet", "i-0web", "tcp", 443, ip_version=6).reachable


def test_allow_egress_in_ingress_mode_still_lets_the_egress_only_gateway_out(tmp_path):
    lab = load(tmp_path, bpa("block-ingress", [exclusion("vpc-0d6", "allow-egress")]))
    assert lab.analyze("i-0worker", "internet", "tcp", 443, ip_version=6).reachable
    assert not lab.analyze("internet", "i-0web", "tcp", 443, ip_version=6).reachable


def test_a_blocked_path_is_unknown_while_the_exclusions_are_not_collected(tmp_path):
    lab = load(tmp_path, bpa("block-bidirectional", collected=False))
    result = lab.analyze("internet", "i-0web", "tcp", 443, ip_version=6)
    assert result.reachable is None and result.code == "UNSUPPORTED_COMPONENT"
    entry = lab.exposure()["i-0web"]
    assert entry.verdict == "unknown"
    assert any(
        r.collect == "aws ec2 describe-vpc-block-public-access-exclusions --region us-east-1" for r in entry.unknown
    )


def test_without_the_options_call_the_mode_comes_from_the_vpcs_and_else_is_off_and_listed(tmp_path):
    def from_vpcs(data):
        data.pop("VpcBlockPublicAccessOptions")
        data["Vpcs"][0]["BlockPublicAccessStates"]["InternetGatewayBlockMode"] = "block-ingress"

    lab = load(tmp_path, changed(from_vpcs))
    assert lab.block_public_access.mode == "block-ingress"
    assert not lab.analyze("internet", "i-0web", "tcp", 443).reachable

    def neither(data):
        data.pop("VpcBlockPublicAccessOptions")
        data["Vpcs"][0].pop("BlockPublicAccessStates")

    lab = load(tmp_path, changed(neither), "n.json")
    assert lab.block_public_access.mode == "off"
    assert [(u.id, u.detail) for u in lab.unsupported if u.kind == "block-public-access"] == [
        ("vpcbpa-options-us-east-1", "VpcBlockPublicAccessOptions (us-east-1)")
    ]
    assert lab.analyze("internet", "i-0web", "tcp", 443).reachable  # assumed off: never a false "none"


def test_each_region_keeps_its_own_mode_through_save_load_and_export(tmp_path):
    text = json.dumps(dual_stack()).replace("us-east-1", "us-west-2").replace("2600:1f18:7cb4", "2600:1f14:aa")
    text = text.replace("-0", "-1").replace("3.80.0.10", "44.230.0.10")  # ids and addresses of its own
    west = json.loads(text)
    west["VpcBlockPublicAccessOptions"]["InternetGatewayBlockMode"] = "block-bidirectional"
    lab = load(tmp_path, {"us-east-1": dual_stack(), "us-west-2": west})
    assert lab.block_public_access.mode == "off"
    assert lab.block_public_access_of(lab.vpcs["vpc-1d6"]).mode == "block-bidirectional"
    assert lab.analyze("internet", "i-0web", "tcp", 443).reachable
    assert lab.analyze("internet", "i-1web", "tcp", 443).code == "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    again = Lab.from_json(lab.to_json())
    assert again.to_json() == lab.to_json()
    assert again.block_public_access_of(again.vpcs["vpc-1d6"]).mode == "block-bidirectional"
    assert plan.block_public_access_mode(plan.for_region(lab, "us-west-2", "Terraform")) == "block-bidirectional"
    assert plan.block_public_access_mode(plan.for_region(lab, "us-east-1", "Terraform")) is None
    assert "aws_egress_only_internet_gateway" in to_terraform(lab, region="us-west-2")


# ---- the lab's own pool never hands out an imported block again ----------------------------------------------------
def test_a_new_amazon_block_never_repeats_one_the_account_holds(tmp_path):
    first = str(amazon_ipv6_block("us-east-1", 0))  # what a new lab's first request would get
    text = json.dumps(dual_stack()).replace(VPC6, first)
    text = text.replace("2600:1f18:7cb4:2e0", first.rsplit("00::/56", 1)[0] + "0")
    lab = load(tmp_path, json.loads(text))
    vpc = lab.create_vpc("10.9.0.0/16")
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    assert str(vpc.ipv6_cidr_blocks[0]) != first
    assert Lab.from_json(lab.to_json()).to_json() == lab.to_json()


# ---- malformed and inconsistent IPv6 input: the file and the field ------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0].update(Ipv6CidrBlock="2600:zz::/56"),
         "Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock"),
        (lambda d: d["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0].update(Ipv6CidrBlock="2600:1f18:7cb4:2e00::/57"),
         "Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock"),
        (lambda d: d["Subnets"][1]["Ipv6CidrBlockAssociationSet"][0].update(Ipv6CidrBlock="2600:1f18:9::/64"),
         "Subnets[1].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock"),
        (lambda d: d["Subnets"][1]["Ipv6CidrBlockAssociationSet"][0].update(Ipv6CidrBlock="2600:1f18:7cb4:2e01::/64"),
         "Subnets[1].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock"),
        (lambda d: d["Reservations"][0]["Instances"][1]["NetworkInterfaces"][0]["Ipv6Addresses"][0].update(
            Ipv6Address=WEB6), "Reservations[0].Instances[1].NetworkInterfaces[0].Ipv6Addresses[0].Ipv6Address"),
        (lambda d: d["Reservations"][0]["Instances"][1]["NetworkInterfaces"][0]["Ipv6Addresses"][0].update(
            Ipv6Address="2600:1f18:7cb4:2e02::1"),
         "Reservations[0].Instances[1].NetworkInterfaces[0].Ipv6Addresses[0].Ipv6Address"),
        (lambda d: d["EgressOnlyInternetGateways"].append(
            {"EgressOnlyInternetGatewayId": "eigw-0two", "Attachments": [{"VpcId": "vpc-0d6", "State": "attached"}]}),
         "EgressOnlyInternetGateways[1].Attachments[0].VpcId"),
        (lambda d: d.update(VpcBlockPublicAccessOptions=[]), "VpcBlockPublicAccessOptions"),
        (lambda d: d["VpcBlockPublicAccessOptions"].update(InternetGatewayBlockMode="block-everything"),
         "VpcBlockPublicAccessOptions.InternetGatewayBlockMode"),
        (lambda d: d["VpcBlockPublicAccessExclusions"].append({**exclusion("subnet-01"), "ResourceArn": "nonsense"}),
         "VpcBlockPublicAccessExclusions[0].ResourceArn"),
    ],
)  # fmt: skip
def test_malformed_ipv6_input_names_the_file_and_the_field(tmp_path, change, field):
    with pytest.raises(AwsSnapshotError) as caught:
        load(tmp_path, changed(change))
    assert (caught.value.file, caught.value.field) == ("snapshot.json", field)


def test_moto_s_stringified_association_state_is_read_as_its_text_says(tmp_path):
    def moto_like(data):  # fact sheet §12.8: moto writes the state as the text of a dict
        data["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlockState"] = "{'State': 'associated'}"
        data["Subnets"][1]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlockState"] = {"State": "disassociated"}
        data["Reservations"][0]["Instances"][1]["NetworkInterfaces"][0]["Ipv6Addresses"] = []
        data["Reservations"][0]["Instances"][1].pop("Ipv6Address")

    lab = load(tmp_path, changed(moto_like))
    assert str(lab.vpcs["vpc-0d6"].ipv6_cidr_blocks[0]) == VPC6
    assert lab.subnets["subnet-02"].ipv6_cidr_block is None


# ---- boto3 against moto: an account built with IPv6 reads back ----------------------------------------------------
@pytest.fixture
def aws_credentials(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)


def test_from_boto3_reads_ipv6_and_the_egress_only_gateway_from_moto(aws_credentials):
    boto3, moto = pytest.importorskip("boto3"), pytest.importorskip("moto")
    with moto.mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        subnet6 = block.replace("00::/56", "01::/64")
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=subnet6)["Subnet"]["SubnetId"]
        eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]
        eigw_id = eigw["EgressOnlyInternetGatewayId"]
        main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]
        ec2.create_route(
            RouteTableId=main["RouteTableId"], DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_id
        )
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet, Ipv6AddressCount=1)
        lab = Lab.from_boto3(ec2)
    mine = lab.vpcs[vpc]
    assert mine.ipv6_cidr_blocks == [IPv6Network(block)]  # moto's text may keep leading zeros: compared as blocks
    assert lab.subnets[subnet].ipv6_cidr_block == IPv6Network(subnet6)
    assert mine.egress_only_internet_gateway.id == eigw_id
    [worker] = [i for i in lab.instances.values() if i.subnet.id == subnet]
    assert worker.ipv6_addresses and worker.ipv6_addresses[0] in lab.subnets[subnet].ipv6_cidr_block
    # moto's default ACL has no IPv6 entries (fact sheet §12.8), so its "*" deny stops the worker's IPv6.
    result = lab.analyze(worker, "internet", "tcp", 443, ip_version=6)
    assert not result.reachable and result.blocked_at == mine.default_network_acl.id


def test_a_secondary_interface_keeps_its_ipv6_addresses_is_judged_and_frees_them_with_its_instance(tmp_path):
    def second_interface(data):
        web = data["Reservations"][0]["Instances"][0]
        second = copy.deepcopy(web["NetworkInterfaces"][0])
        second.update(
            NetworkInterfaceId="eni-0sec",
            SubnetId="subnet-02",
            PrivateIpAddress="10.0.2.20",
            Attachment={"DeviceIndex": 1},
            Ipv6Addresses=[{"Ipv6Address": "2600:1f18:7cb4:2e02::20"}],
            PrivateIpAddresses=[{"PrivateIpAddress": "10.0.2.20", "Primary": True}],
        )
        web["NetworkInterfaces"].append(second)

    lab = load(tmp_path, changed(second_interface))
    interface = lab.network_interfaces["eni-0sec"]
    assert [str(a) for a in interface.ipv6_addresses] == ["2600:1f18:7cb4:2e02::20"]
    assert lab.analyze("i-0worker", "2600:1f18:7cb4:2e02::20", "tcp", 443).reachable
    blocked = lab.analyze("internet", "2600:1f18:7cb4:2e02::20", "tcp", 443)
    assert not blocked.reachable and blocked.code == "EGRESS_ONLY_IGW_NO_INBOUND"
    entry = lab.exposure()["eni-0sec"]
    assert entry.ipv6_addresses == ["2600:1f18:7cb4:2e02::20"] and entry.outbound_v6_via == "eigw-0d6"
    assert Lab.from_json(lab.to_json()).to_json() == lab.to_json()
    lab.terminate_instance("i-0web")
    assert problems(lab) == [] and not lab.subnets["subnet-02"].used_ipv6_addresses.get(
        IPv6Address("2600:1f18:7cb4:2e02::20")
    )


# ---- IPv6-only subnets, DNS64 and NAT64 ---------------------------------------------------------------------------
def ipv6_only(data) -> None:
    """Subnet 03 is IPv6-only with DNS64; its instance has no IPv4 and reaches IPv4 servers through the NAT
    gateway of the public subnet (64:ff9b::/96 → nat, fact sheet §12.1)."""
    data["Subnets"].append(
        {
            "SubnetId": "subnet-03",
            "VpcId": "vpc-0d6",
            "AvailabilityZone": "us-east-1a",
            "Ipv6Native": True,
            "EnableDns64": True,
            "AssignIpv6AddressOnCreation": True,
            "MapPublicIpOnLaunch": False,
            "Ipv6CidrBlockAssociationSet": [
                {
                    "AssociationId": "subnet-cidr-assoc-03",
                    "Ipv6CidrBlock": "2600:1f18:7cb4:2e03::/64",
                    "Ipv6CidrBlockState": associated(),
                }
            ],
        }
    )
    data["NatGateways"] = [
        {
            "NatGatewayId": "nat-0d6",
            "SubnetId": "subnet-01",
            "VpcId": "vpc-0d6",
            "State": "available",
            "ConnectivityType": "public",
            "NatGatewayAddresses": [
                {
                    "AllocationId": "eipalloc-0d6",
                    "NetworkInterfaceId": "eni-0nat",
                    "PrivateIp": "10.0.1.50",
                    "PublicIp": "3.80.0.50",
                    "IsPrimary": True,
                }
            ],
        }
    ]
    data["RouteTables"].append(
        {
            "RouteTableId": "rtb-0v6",
            "VpcId": "vpc-0d6",
            "Associations": [{"SubnetId": "subnet-03", "RouteTableAssociationId": "rtbassoc-03"}],
            "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                {"DestinationIpv6CidrBlock": VPC6, "GatewayId": "local", "State": "active"},
                {"DestinationIpv6CidrBlock": "64:ff9b::/96", "NatGatewayId": "nat-0d6", "State": "active"},
                {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-0d6", "State": "active"},
            ],
        }
    )
    data["NetworkAcls"][0]["Associations"].append({"NetworkAclAssociationId": "aclassoc-03", "SubnetId": "subnet-03"})
    only = instance("i-0v6", "eni-0v6", "subnet-03", "10.0.3.10", "2600:1f18:7cb4:2e03::c", "sg-0web")
    for record in (only, only["NetworkInterfaces"][0]):  # no IPv4 anywhere on it
        record.pop("PrivateIpAddress")
    only["NetworkInterfaces"][0]["PrivateIpAddresses"] = []
    data["Reservations"][0]["Instances"].append(only)


def test_an_ipv6_only_subnet_and_its_instance_are_modelled_and_reach_ipv4_through_dns64_and_nat64(tmp_path):
    lab = load(tmp_path, changed(ipv6_only))
    subnet = lab.subnets["subnet-03"]
    assert subnet.ipv6_native and subnet.cidr is None and subnet.enable_dns64
    worker = lab.instances["i-0v6"]
    assert worker.private_ip is None and worker.public_ip is None
    assert [str(a) for a in worker.ipv6_addresses] == ["2600:1f18:7cb4:2e03::c"]
    assert not [u for u in lab.unsupported if u.why == "ipv6"]
    result = lab.analyze(worker, "203.0.113.10", "tcp", 443)
    assert result.reachable and any(h.component == "nat-0d6" for h in result.forward)
    assert lab.analyze(worker, "internet", "tcp", 443, ip_version=6).reachable  # and IPv6 out by the egress-only one
    assert not lab.analyze("internet", worker, "tcp", 443).reachable  # nothing reaches it over IPv4
    entry = lab.exposure()["i-0v6"]
    assert entry.inbound == [] and entry.verdict == "none"
    assert problems(lab) == [] and Lab.from_json(lab.to_json()).to_json() == lab.to_json()


def test_an_ipv6_only_subnet_without_dns64_is_judged_and_names_the_fix(tmp_path):
    def without_dns64(data):
        ipv6_only(data)
        data["Subnets"][-1]["EnableDns64"] = False

    lab = load(tmp_path, changed(without_dns64))
    result = lab.analyze("i-0v6", "203.0.113.10", "tcp", 443)
    assert not result.reachable and result.code == "DNS64_NAT64_REQUIRED"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["Subnets"][-1].update(CidrBlock="10.0.3.0/24"), "Subnets[2].Ipv6Native"),
        (lambda d: d["Subnets"][-1].update(Ipv6CidrBlockAssociationSet=[]), "Subnets[2].Ipv6CidrBlockAssociationSet"),
    ],
)
def test_an_ipv6_only_subnet_with_an_ipv4_block_or_without_its_64_is_refused(tmp_path, change, field):
    def broken(data):
        ipv6_only(data)
        change(data)

    with pytest.raises(AwsSnapshotError) as caught:
        load(tmp_path, changed(broken))
    assert caught.value.field == field


def test_the_lab_s_own_export_methods_take_the_region_of_a_lab_of_several(tmp_path):
    text = json.dumps(dual_stack()).replace("us-east-1", "us-west-2").replace("2600:1f18:7cb4", "2600:1f14:aa")
    west = json.loads(text.replace("-0", "-1").replace("3.80.0.10", "44.230.0.10"))
    lab = load(tmp_path, {"us-east-1": dual_stack(), "us-west-2": west})
    with pytest.raises(InvalidParameterError):
        lab.to_terraform()  # one file cannot create subnets in two Regions
    for export in (lab.to_terraform, lab.to_cloudformation, lab.to_aws_cli):
        west_only = export(region="us-west-2")
        assert "vpc-1d6" in west_only or "10.0.1.0/24" in west_only
        assert "2600:1f18" not in west_only  # nothing of the other Region
