"""The code a learner could type for an action: the vpclab call and the equivalent AWS CLI command.

Shown beside every console action so the learner can carry it to a real account. Arguments are the
lab's resources (or ids); the commands name them by id, as the real account would.
"""

from __future__ import annotations

import shlex

from ..model.addressing import PortRange, Protocol, parse_ports, parse_protocol
from ..model.resources import ElasticIp, Instance, InternetGateway, NatGateway


def _id(value) -> str:
    return getattr(value, "id", value) if not isinstance(value, str) else value


def _py(value) -> str:
    if hasattr(value, "id") and not isinstance(value, str):
        return repr(value.id)
    if isinstance(value, list | tuple) and any(hasattr(v, "id") for v in value):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def python_call(action: str, /, *args, **kwargs) -> str:
    """``lab.attach_internet_gateway('igw-…', 'vpc-…')``."""
    parts = [_py(a) for a in args] + [f"{k}={_py(v)}" for k, v in kwargs.items() if v is not None]
    return f"lab.{action}({', '.join(parts)})"


def _name_tag(kind: str, name) -> list[str]:
    if not name:
        return []
    return ["--tag-specifications", f"ResourceType={kind},Tags=[{{Key=Name,Value={name}}}]"]


def _target(target) -> list[str]:
    if isinstance(target, InternetGateway) or str(_id(target)).startswith("igw-"):
        return ["--gateway-id", _id(target)]
    if str(_id(target)).startswith("eigw-"):
        return ["--egress-only-internet-gateway-id", _id(target)]
    if isinstance(target, NatGateway) or str(_id(target)).startswith("nat-"):
        return ["--nat-gateway-id", _id(target)]
    if isinstance(target, Instance) or str(_id(target)).startswith("i-"):
        return ["--instance-id", _id(target)]
    return ["--network-interface-id", _id(target)]


def _subnet_attribute(map_public, assign_ipv6) -> list[str]:
    """One attribute per modify-subnet-attribute call, as the AWS CLI takes them."""
    if assign_ipv6 is not None:
        return ["--assign-ipv6-address-on-creation" if assign_ipv6 else "--no-assign-ipv6-address-on-creation"]
    return ["--map-public-ip-on-launch" if map_public else "--no-map-public-ip-on-launch"]


def _ipv6_commands(a: list, k: dict) -> dict:
    """The IPv6, egress-only gateway and Block Public Access verbs (fact sheet §12-§14)."""
    target = ["--subnet-id", _id(k["subnet"])] if k.get("subnet") is not None else ["--vpc-id", _id(k.get("vpc"))]
    return {
        "associate_subnet_cidr_block": lambda: [
            "associate-subnet-cidr-block", "--subnet-id", _id(a[0]), "--ipv6-cidr-block", str(k.get("ipv6_cidr", a[1]))
        ],
        "assign_ipv6_addresses": lambda: [
            "assign-ipv6-addresses", *_interface(a[0]),
            *(["--ipv6-address-count", str(k["ipv6_address_count"])] if k.get("ipv6_address_count") is not None
              else ["--ipv6-addresses", *map(str, _listed(k.get("ipv6_addresses", a[2])))]),
        ],
        "unassign_ipv6_addresses": lambda: [
            "unassign-ipv6-addresses", *_interface(a[0]),
            "--ipv6-addresses", *map(str, _listed(k.get("ipv6_addresses", a[1]))),
        ],
        "create_egress_only_internet_gateway": lambda: ["create-egress-only-internet-gateway", "--vpc-id", _id(a[0])],
        "delete_egress_only_internet_gateway": lambda: [
            "delete-egress-only-internet-gateway", "--egress-only-internet-gateway-id", _id(a[0])
        ],
        "modify_vpc_block_public_access_options": lambda: [
            "modify-vpc-block-public-access-options", "--internet-gateway-block-mode", str(a[0])
        ],
        "create_vpc_block_public_access_exclusion": lambda: [
            "create-vpc-block-public-access-exclusion", *target,
            "--internet-gateway-exclusion-mode", str(k.get("mode", "allow-bidirectional")),
        ],
        "delete_vpc_block_public_access_exclusion": lambda: [
            "delete-vpc-block-public-access-exclusion", "--exclusion-id", _id(a[0])
        ],
    }  # fmt: skip


class _NoInterface(Exception):
    """The command needs the instance's network interface, and only the instance's id was given."""


def _interface(instance) -> list[str]:
    """``--network-interface-id``: the IPv6 address verbs act on the interface, not on the instance."""
    interface = getattr(instance, "network_interface_id", None)
    if interface is None:
        raise _NoInterface
    return ["--network-interface-id", interface]


def _listed(value) -> list:
    return [value] if isinstance(value, str) or not isinstance(value, list | tuple) else list(value)


def _destination(cidr) -> list[str]:
    """IPv6 destinations have their own option (``--destination-ipv6-cidr-block``)."""
    return ["--destination-ipv6-cidr-block" if ":" in str(cidr) else "--destination-cidr-block", cidr]


def _permission(protocol, port, cidr, source_group) -> list[str]:
    proto = parse_protocol(protocol)
    ports = parse_ports(proto, port)
    peer = (
        f"UserIdGroupPairs=[{{GroupId={_id(source_group)}}}]"
        if cidr is None
        else f"Ipv6Ranges=[{{CidrIpv6={cidr}}}]"
        if ":" in str(cidr)
        else f"IpRanges=[{{CidrIp={cidr}}}]"
    )
    if proto is Protocol.ALL:
        return ["--ip-permissions", f"IpProtocol=-1,{peer}"]
    return ["--ip-permissions", f"IpProtocol={proto.value},FromPort={ports.first},ToPort={ports.last},{peer}"]


def _acl_ports(protocol, port) -> list[str]:
    proto = parse_protocol(protocol)
    ports: PortRange | None = parse_ports(proto, port)
    if proto is Protocol.ALL:
        return ["--protocol", "-1"]
    if proto is Protocol.ICMP:
        return ["--protocol", "1", "--icmp-type-code", f"Type={ports.first},Code={ports.last}"]
    return ["--protocol", proto.number, "--port-range", f"From={ports.first},To={ports.last}"]


def aws_cli(action: str, /, *args, **kwargs) -> str | None:
    """The AWS CLI command for a vpclab action (None where the console shows no CLI equivalent)."""
    a = list(args) + [None] * 8
    k = kwargs
    commands = {
        "create_vpc": lambda: ["create-vpc", "--cidr-block", a[0], *_name_tag("vpc", k.get("name") or a[1])],
        "associate_vpc_cidr_block": lambda: [
            "associate-vpc-cidr-block",
            "--vpc-id",
            _id(a[0]),
            *(["--amazon-provided-ipv6-cidr-block"] if k.get("amazon_provided_ipv6") else ["--cidr-block", a[1]]),
        ],
        "delete_vpc": lambda: ["delete-vpc", "--vpc-id", _id(a[0])],
        "create_subnet": lambda: [
            "create-subnet",
            "--vpc-id",
            _id(a[0]),
            "--cidr-block",
            a[1],
            *(["--availability-zone", k["availability_zone"]] if k.get("availability_zone") else []),
            *_name_tag("subnet", k.get("name")),
        ],
        "delete_subnet": lambda: ["delete-subnet", "--subnet-id", _id(a[0])],
        "modify_subnet_attribute": lambda: [
            "modify-subnet-attribute",
            "--subnet-id",
            _id(a[0]),
            *_subnet_attribute(k.get("map_public_ip_on_launch", a[1]), k.get("assign_ipv6_address_on_creation", a[2])),
        ],
        "create_internet_gateway": lambda: [
            "create-internet-gateway",
            *_name_tag("internet-gateway", k.get("name") or a[0]),
        ],
        "attach_internet_gateway": lambda: [
            "attach-internet-gateway",
            "--internet-gateway-id",
            _id(a[0]),
            "--vpc-id",
            _id(a[1]),
        ],
        "detach_internet_gateway": lambda: [
            "detach-internet-gateway",
            "--internet-gateway-id",
            _id(a[0]),
            "--vpc-id",
            _id(a[1]),
        ],
        "delete_internet_gateway": lambda: ["delete-internet-gateway", "--internet-gateway-id", _id(a[0])],
        "create_route_table": lambda: [
            "create-route-table",
            "--vpc-id",
            _id(a[0]),
            *_name_tag("route-table", k.get("name") or a[1]),
        ],
        "delete_route_table": lambda: ["delete-route-table", "--route-table-id", _id(a[0])],
        "create_route": lambda: [
            "create-route",
            "--route-table-id",
            _id(a[0]),
            *_destination(a[1]),
            *_target(a[2]),
        ],
        "replace_route": lambda: [
            "replace-route",
            "--route-table-id",
            _id(a[0]),
            *_destination(a[1]),
            *_target(a[2]),
        ],
        "delete_route": lambda: ["delete-route", "--route-table-id", _id(a[0]), *_destination(a[1])],
        "associate_route_table": lambda: [
            "associate-route-table",
            "--route-table-id",
            _id(a[0]),
            "--subnet-id",
            _id(a[1]),
        ],
        "disassociate_route_table": lambda: ["disassociate-route-table", "--association-id", _id(a[0])],
        "replace_route_table_association": lambda: [
            "replace-route-table-association",
            "--association-id",
            _id(a[0]),
            "--route-table-id",
            _id(a[1]),
        ],
        "run_instance": lambda: [
            "run-instances",
            "--image-id",
            "ami-0abcdef1234567890",
            "--instance-type",
            "t3.micro",
            "--count",
            "1",
            "--subnet-id",
            _id(a[0]),
            *(
                {True: ["--associate-public-ip-address"], False: ["--no-associate-public-ip-address"]}.get(
                    k.get("associate_public_ip"), []
                )
            ),
            *(["--security-group-ids", *[_id(g) for g in k["security_groups"]]] if k.get("security_groups") else []),
            *(["--private-ip-address", str(k["private_ip"])] if k.get("private_ip") else []),
            *_name_tag("instance", k.get("name")),
        ],
        "stop_instance": lambda: ["stop-instances", "--instance-ids", _id(a[0])],
        "start_instance": lambda: ["start-instances", "--instance-ids", _id(a[0])],
        "terminate_instance": lambda: ["terminate-instances", "--instance-ids", _id(a[0])],
        "allocate_address": lambda: ["allocate-address", "--domain", "vpc"],
        "associate_address": lambda: [
            "associate-address",
            "--allocation-id",
            _id(a[0]),
            "--instance-id",
            _id(a[1]),
            *(["--allow-reassociation"] if k.get("allow_reassociation") else []),
        ],
        "disassociate_address": lambda: [
            "disassociate-address",
            "--association-id",
            a[0].association_id if isinstance(a[0], ElasticIp) else _id(a[0]),
        ],
        "release_address": lambda: ["release-address", "--allocation-id", _id(a[0])],
        "create_security_group": lambda: [
            "create-security-group",
            "--vpc-id",
            _id(a[0]),
            "--group-name",
            a[1],
            "--description",
            k.get("description") or a[2] or a[1],
        ],
        "delete_security_group": lambda: ["delete-security-group", "--group-id", _id(a[0])],
        "create_network_acl": lambda: ["create-network-acl", "--vpc-id", _id(a[0])],
        "delete_network_acl": lambda: ["delete-network-acl", "--network-acl-id", _id(a[0])],
        "create_network_acl_entry": lambda: [
            "create-network-acl-entry",
            "--network-acl-id",
            _id(a[0]),
            "--rule-number",
            str(a[1]),
            "--egress" if a[2] else "--ingress",
            *_acl_ports(a[3], a[4]),
            "--cidr-block",
            str(a[5]),
            "--rule-action",
            str(a[6]),
        ],
        "delete_network_acl_entry": lambda: [
            "delete-network-acl-entry",
            "--network-acl-id",
            _id(a[0]),
            "--rule-number",
            str(a[1]),
            "--egress" if a[2] else "--ingress",
        ],
        "create_nat_gateway": lambda: ["create-nat-gateway", "--subnet-id", _id(a[0]), "--allocation-id", _id(a[1])],
        "delete_nat_gateway": lambda: ["delete-nat-gateway", "--nat-gateway-id", _id(a[0])],
        **_ipv6_commands(a, k),
    }
    for verb in ("authorize", "revoke"):
        for direction in ("ingress", "egress"):
            commands[f"{verb}_security_group_{direction}"] = lambda v=verb, d=direction: [
                f"{v}-security-group-{d}",
                "--group-id",
                _id(a[0]),
                *_permission(a[1], k.get("port", a[2]), k.get("cidr", a[3]), k.get("source_group", a[4])),
            ]
    build = commands.get(action)
    if build is None:
        return None
    try:
        parts = build()
    except _NoInterface:
        return None
    return "aws ec2 " + " ".join(shlex.quote(str(part)) for part in parts)
