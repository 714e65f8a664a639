"""Saving and loading a lab: exact round trips, determinism across a save, and hostile files refused.

``Lab.to_json()`` writes format version 1 (``docs/lab-format.md``); ``Lab.from_json()`` must give back
the very same lab, or refuse with ``LabFileError`` (code ``InvalidLabFile``) naming the field at
fault. Nothing else may escape it: not a ``KeyError``, not a half-built lab, never code execution.
"""

from __future__ import annotations

import json
import re
from ipaddress import IPv4Address

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vpclab
from vpclab import Lab, LabFileError
from vpclab.model.addressing import GROUP_TEXT
from vpclab.model.invariants import problems
from vpclab.model.regions import ID_KINDS, id_number
from vpclab.model.resources import RouteState
from vpclab.model.serialization import MAX_TEXT

HOSTILE_NAME = "__import__('os').system('touch /tmp/vpclab-pwned')"


# ---- scenarios -----------------------------------------------------------------------------------
def build_rich_lab() -> tuple[Lab, dict]:
    """Every resource kind and every state the format must carry; returns the lab and its handles."""
    lab = Lab()
    h: dict = {}
    # VPC A: secondary CIDR, public and private subnets, NAT gateways, custom ACLs and groups.
    a = h["vpc_a"] = lab.create_vpc("10.0.0.0/16", name="교실 VPC")
    lab.associate_vpc_cidr_block(a, "10.1.0.0/16")
    pub = h["public"] = lab.create_subnet(a, "10.0.1.0/24", name="public", map_public_ip_on_launch=True)
    app = h["app"] = lab.create_subnet(a, "10.0.2.0/24", name="app")
    data = h["data"] = lab.create_subnet(a, "10.1.3.0/26", availability_zone="ap-northeast-2c")
    igw = h["igw_a"] = lab.create_internet_gateway(name="igw-a")
    lab.attach_internet_gateway(igw, a)
    public_rt = h["public_rt"] = lab.create_route_table(a, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    h["public_assoc"] = lab.associate_route_table(public_rt, pub)

    web_sg = h["web_sg"] = lab.create_security_group(a, "web", "web server")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "icmp", (8, -1), cidr="203.0.113.0/24")
    app_sg = h["app_sg"] = lab.create_security_group(a, "app")
    lab.authorize_security_group_ingress(app_sg, "tcp", (8000, 8080), source_group=web_sg)
    lab.authorize_security_group_ingress(app_sg, "-1", None, source_group=app_sg)
    lab.authorize_security_group_egress(app_sg, "udp", 53, cidr="10.0.0.2/32")
    lab.revoke_security_group_egress(app_sg, "-1", None, cidr="0.0.0.0/0")

    web = h["web"] = lab.run_instance(pub, "web", security_groups=[web_sg, a.default_security_group])
    eip_web = h["eip_web"] = lab.allocate_address(name="web-eip")
    lab.associate_address(eip_web, web)
    h["api"] = lab.run_instance(pub, "api", private_ip="10.0.1.50", security_groups=web_sg)
    stopped = h["stopped"] = lab.run_instance(pub, "stopped")
    lab.stop_instance(stopped)
    gone = h["terminated"] = lab.run_instance(app, "gone", security_groups=[app_sg])
    lab.terminate_instance(gone)
    h["app_server"] = lab.run_instance(app, HOSTILE_NAME, security_groups=[app_sg])
    lab.create_route(public_rt, "198.51.100.0/24", stopped)  # a blackhole: the instance is stopped

    eip_nat = h["eip_nat"] = lab.allocate_address()
    nat = h["nat"] = lab.create_nat_gateway(pub, eip_nat, name="nat-a")
    private_rt = h["private_rt"] = lab.create_route_table(a, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, app)
    eip_old = h["eip_old_nat"] = lab.allocate_address()
    old_nat = h["old_nat"] = lab.create_nat_gateway(pub, eip_old)
    lab.create_route(private_rt, "203.0.113.0/24", old_nat)
    lab.delete_nat_gateway(old_nat)  # its route turns blackhole; its Elastic IP stays, idle

    acl = h["acl"] = lab.create_network_acl(a, name="data-acl")
    lab.create_network_acl_entry(acl, 100, False, "tcp", 443, "10.0.0.0/16", "allow")
    lab.create_network_acl_entry(acl, 110, False, "udp", (1024, 65535), "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 120, False, "icmp", (3, 4), "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 32766, False, "-1", None, "192.0.2.0/24", "deny")
    lab.create_network_acl_entry(acl, 1, True, "tcp", None, "0.0.0.0/0", "allow")
    lab.replace_network_acl_association(acl, data)
    spare_acl = lab.create_network_acl(a)
    lab.create_network_acl_entry(spare_acl, 200, True, "-1", None, "0.0.0.0/0", "deny")

    # VPC B: a gateway detached then deleted (blackhole), a second one attached, main table moved.
    b = h["vpc_b"] = lab.create_vpc("172.16.0.0/16", name=HOSTILE_NAME)
    lab.create_subnet(b, "172.16.0.0/20", name='"quoted" \\ back\nslash {field}')
    old_igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(old_igw, b)
    b_rt = h["b_rt"] = lab.create_route_table(b)
    lab.create_route(b_rt, "0.0.0.0/0", old_igw)
    lab.detach_internet_gateway(old_igw, b)
    lab.delete_internet_gateway(old_igw)
    h["igw_b"] = igw_b = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw_b, b)
    lab.create_route(b_rt, "8.8.8.0/24", igw_b)
    main_assoc = b.main_route_table.associations[0]
    lab.replace_route_table_association(main_assoc, b_rt)
    # IPv6 in VPC B: a dual-stack subnet, its instance, an egress-only gateway (one deleted, a blackhole),
    # IPv6 rules, and Block Public Access with exclusions.
    lab.associate_vpc_cidr_block(b, amazon_provided_ipv6=True)
    v6_block = b.ipv6_cidr_blocks[0]
    dual = h["dual"] = lab.create_subnet(b, "172.16.16.0/24", name="dual", ipv6_cidr=str(next(v6_block.subnets(8))))
    lab.modify_subnet_attribute(dual, assign_ipv6_address_on_creation=True)
    h["v6_web"] = lab.run_instance(dual, "v6-web")
    old_eigw = lab.create_egress_only_internet_gateway(b)
    lab.create_route(b_rt, "2001:db8:1::/48", old_eigw)
    lab.delete_egress_only_internet_gateway(old_eigw)
    h["eigw"] = eigw = lab.create_egress_only_internet_gateway(b, name="eigw-b")
    lab.create_route(b_rt, "::/0", eigw)
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="::/0")
    lab.create_network_acl_entry(acl, 130, False, "58", (128, -1), "::/0", "allow")
    lab.modify_vpc_block_public_access_options("block-ingress")
    lab.create_vpc_block_public_access_exclusion(subnet=dual, mode="allow-egress")
    h["exclusion"] = lab.create_vpc_block_public_access_exclusion(vpc=a)

    # VPC C: no gateway, so its NAT gateway fails; its Elastic IP stays idle.
    c = h["vpc_c"] = lab.create_vpc("192.168.0.0/24")
    c_subnet = lab.create_subnet(c, "192.168.0.0/28")
    h["eip_idle"] = eip_idle = lab.allocate_address(name="idle")
    h["failed_nat"] = lab.create_nat_gateway(c_subnet, eip_idle)
    lab.delete_nat_gateway(lab.create_nat_gateway(c_subnet, eip_idle))  # failed, then deleted
    h["idle_igw"] = lab.create_internet_gateway(name="spare")
    return lab, h


@pytest.fixture
def rich_lab() -> tuple[Lab, dict]:
    return build_rich_lab()


@pytest.fixture(scope="module")
def saved() -> str:
    return build_rich_lab()[0].to_json()


def continue_building(lab: Lab) -> list[str]:
    """The same follow-up calls on any lab built by ``build_rich_lab``; returns what they hand out."""
    vpc = next(v for v in lab.vpcs.values() if str(v.cidr) == "10.0.0.0/16")
    public = next(s for s in lab.subnets.values() if s.name == "public")
    app = next(s for s in lab.subnets.values() if s.name == "app")
    stopped = next(i for i in lab.instances.values() if i.name == "stopped")
    out = []
    new_vpc = lab.create_vpc("10.20.0.0/16")
    out += [new_vpc.id, new_vpc.main_route_table.id, new_vpc.default_network_acl.id]
    out.append(new_vpc.default_security_group.id)
    out.append(lab.associate_vpc_cidr_block(vpc, "10.2.0.0/16"))
    subnet = lab.create_subnet(vpc, "10.0.9.0/24", map_public_ip_on_launch=True)
    out += [subnet.id, subnet.network_acl_association_id]
    a, b = lab.run_instance(subnet), lab.run_instance(app)  # b takes the terminated one's address
    out += [a.id, a.network_interface_id, str(a.private_ip), str(a.public_ip), b.id, str(b.private_ip)]
    lab.start_instance(stopped)  # a new public address, never the old one
    out.append(str(stopped.public_ip))
    eip = lab.allocate_address()
    out += [eip.id, str(eip.public_ip), lab.associate_address(eip, a)]
    sg = lab.create_security_group(vpc, "later")
    out += [sg.id, lab.authorize_security_group_ingress(sg, "tcp", 22, cidr="10.0.0.0/8").rule_id]
    rt = lab.create_route_table(vpc)
    out += [rt.id, lab.associate_route_table(rt, subnet)]
    acl = lab.create_network_acl(vpc)
    out += [acl.id, lab.replace_network_acl_association(acl, subnet)]
    out += [lab.create_internet_gateway().id]
    nat = lab.create_nat_gateway(public, lab.elastic_ips[next(iter(lab.elastic_ips))])
    out += [nat.id, nat.network_interface_id, str(nat.private_ip), nat.state.value]
    return out


def fresh_copy(saved: str) -> dict:
    return json.loads(saved)


def dumps(data) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)


def refused(text, field: str | None = None) -> LabFileError:
    """Loading ``text`` (a str, or JSON data to serialise) raises LabFileError naming ``field``."""
    if not isinstance(text, str | bytes):
        text = dumps(text)
    with pytest.raises(LabFileError) as caught:
        Lab.from_json(text)
    error = caught.value
    assert type(error) is LabFileError
    assert error.code == "InvalidLabFile"
    assert isinstance(error, vpclab.VpcLabError) and isinstance(error, ValueError)
    if field is not None:
        assert error.field == field, (error.field, error.key, error.values)
    for lang in ("en", "ko"):
        message = error.message(lang)
        assert message and not re.search(r"\{[a-z_]+\}", message), message  # every placeholder filled
    return error


# ---- round trips ---------------------------------------------------------------------------------
def test_rich_lab_round_trips_byte_identically(rich_lab):
    lab, _ = rich_lab
    text = lab.to_json()
    loaded = Lab.from_json(text)
    assert isinstance(loaded, Lab)
    assert loaded.to_json() == text
    assert problems(lab) == [] and problems(loaded) == []


def test_rich_lab_round_trips_compact_and_as_bytes(rich_lab):
    lab, _ = rich_lab
    compact = lab.to_json(indent=None)
    assert Lab.from_json(compact).to_json(indent=None) == compact
    assert Lab.from_json(lab.to_json().encode("utf-8")).to_json() == lab.to_json()


def test_rich_lab_really_contains_every_kind_and_state(saved):
    data = json.loads(saved)
    assert {
        len(data[k]) > 0
        for k in (
            "vpcs",
            "internet_gateways",
            "network_acls",
            "security_groups",
            "subnets",
            "route_tables",
            "instances",
            "nat_gateways",
            "elastic_ips",
        )
    } == {True}
    assert {i["state"] for i in data["instances"]} == {"running", "stopped", "terminated"}
    assert {n["state"] for n in data["nat_gateways"]} == {"available", "failed", "deleted"}
    assert any(len(v["cidrs"]) == 2 for v in data["vpcs"])
    assert any(e["instance"] is None and e["nat_gateway"] is None for e in data["elastic_ips"])
    assert any(r["group"] for g in data["security_groups"] for r in g["rules"])
    assert any(not a["is_default"] and a["entries"] for a in data["network_acls"])


def test_loaded_lab_keeps_route_states_addresses_and_names(rich_lab):
    lab, h = rich_lab
    loaded = Lab.from_json(lab.to_json())

    def states(which: Lab) -> dict:
        return {(t.id, str(d)): r.state for t in which.route_tables.values() for d, r in t.routes.items()}

    assert states(loaded) == states(lab)
    b_rt = loaded.route_tables[h["b_rt"].id]
    assert b_rt.routes[next(d for d in b_rt.routes if str(d) == "0.0.0.0/0")].state is RouteState.BLACKHOLE
    assert loaded.main_route_table(h["vpc_b"].id) is b_rt
    private_rt = loaded.route_tables[h["private_rt"].id]
    by_dest = {str(d): r.state for d, r in private_rt.routes.items()}
    assert by_dest["0.0.0.0/0"] is RouteState.ACTIVE
    assert by_dest["203.0.113.0/24"] is RouteState.BLACKHOLE  # the deleted NAT gateway
    web = loaded.instances[h["web"].id]
    assert web.public_ip == h["eip_web"].public_ip == loaded.elastic_ips[h["eip_web"].id].public_ip
    assert loaded.instances[h["stopped"].id].public_ip is None
    assert loaded.instances[h["api"].id].public_ip == h["api"].public_ip is not None
    assert loaded.nat_gateways[h["failed_nat"].id].failure_code == "Gateway.NotAttached"
    assert loaded.vpcs[h["vpc_b"].id].name == HOSTILE_NAME  # a name, never code
    assert loaded.instances[h["app_server"].id].name == HOSTILE_NAME
    assert loaded.subnets[h["data"].id].network_acl.id == h["acl"].id
    assert loaded.subnets[h["public"].id].available_ip_address_count == h["public"].available_ip_address_count
    assert loaded.is_public(h["public"].id) and not loaded.is_public(h["app"].id)


def test_names_that_look_like_code_are_only_names(tmp_path):
    marker = tmp_path / "pwned"
    lab = Lab()
    payload = f"__import__('os').system('touch {marker}')"
    lab.create_vpc("10.0.0.0/16", name=payload)
    text = lab.to_json()
    loaded = Lab.from_json(text)
    assert next(iter(loaded.vpcs.values())).name == payload
    data = json.loads(text)
    data["vpcs"][0]["name"] = {"__class__": "os.system", "args": [f"touch {marker}"]}
    refused(data, "vpcs[0].name")
    assert not marker.exists()


@pytest.mark.parametrize(
    "name",
    [
        "x" * 256,
        "웹 서버 🚀",
        'quotes " and \\ backslash',
        "line\nbreak\ttab",
        "{id} {field}",
        "",
        "\u0000nul",
        HOSTILE_NAME,
    ],
    ids=["longest", "korean", "quotes", "control", "braces", "empty", "nul", "code"],
)
def test_every_name_the_api_accepts_saves_and_loads(name):
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name=name)
    lab.create_subnet(vpc, "10.0.0.0/24", name=name)
    # a group's name and description take only the characters AWS allows there; Name tags take anything
    text = name.strip()[:255]
    lab.create_security_group(
        vpc, text if GROUP_TEXT.fullmatch(text) else "g", description=text if GROUP_TEXT.fullmatch(text) else ""
    )
    lab.allocate_address(name=name)
    text = lab.to_json()
    text.encode("utf-8")  # a file can hold it
    assert Lab.from_json(text).to_json() == text


@pytest.mark.parametrize("name", ["x" * 257, 42, "\udc80", ["web"]], ids=["long", "int", "surrogate", "list"])
def test_names_that_could_not_be_saved_are_refused_by_the_api(name):
    lab = Lab()
    with pytest.raises(vpclab.VpcLabError) as caught:
        lab.create_vpc("10.0.0.0/16", name=name)
    assert caught.value.code == "InvalidParameterValue"
    assert lab.to_json() == Lab().to_json()


def test_round_trip_is_stable_after_each_step_of_a_build():
    lab = Lab()
    steps = [
        lambda: lab.create_vpc("10.0.0.0/16"),
        lambda: lab.create_subnet(next(iter(lab.vpcs)), "10.0.0.0/24", map_public_ip_on_launch=True),
        lambda: lab.create_internet_gateway(),
        lambda: lab.attach_internet_gateway(next(iter(lab.internet_gateways)), next(iter(lab.vpcs))),
        lambda: lab.run_instance(next(iter(lab.subnets))),
        lambda: lab.allocate_address(),
        lambda: lab.associate_address(next(iter(lab.elastic_ips)), next(iter(lab.instances))),
        lambda: lab.disassociate_address(next(iter(lab.elastic_ips))),
        lambda: lab.release_address(next(iter(lab.elastic_ips))),
    ]
    for step in steps:
        step()
        text = lab.to_json()
        assert Lab.from_json(text).to_json() == text


def test_empty_lab_and_other_regions_round_trip():
    for region in ("ap-northeast-2", "us-east-1", "eu-west-1"):
        text = Lab(region=region).to_json()
        loaded = Lab.from_json(text)
        assert loaded.region == region and loaded.to_json() == text


# ---- determinism across save and load ----------------------------------------------------------
def test_next_ids_and_addresses_after_loading_match_the_original(rich_lab):
    lab, _ = rich_lab
    loaded = Lab.from_json(lab.to_json())
    assert continue_building(loaded) == continue_building(lab)
    assert loaded.to_json() == lab.to_json()


def test_two_separate_builds_are_identical():
    assert build_rich_lab()[0].to_json() == build_rich_lab()[0].to_json()


def test_a_restarted_instance_after_loading_never_gets_an_address_used_before(rich_lab):
    lab, h = rich_lab
    seen = {str(e.public_ip) for e in lab.elastic_ips.values()}
    seen |= {str(i.public_ip) for i in lab.instances.values() if i.public_ip}
    loaded = Lab.from_json(lab.to_json())
    stopped = loaded.instances[h["stopped"].id]
    loaded.start_instance(stopped)
    assert str(stopped.public_ip) not in seen


# ---- refusals: not JSON, truncated, too big, too deep --------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["", " ", "not json", "{", "[1, 2", "{'single': 'quotes'}", "NaN", "\x00", "{}}", '{"a": 1,}'],
)
def test_text_that_is_not_json_is_refused(text):
    refused(text, "(file)")


@pytest.mark.parametrize("value", [None, 42, 3.5, ["{}"], {"format": "vpclab-lab"}, object()])
def test_a_value_that_is_not_text_is_refused(value):
    with pytest.raises(LabFileError) as caught:
        Lab.from_json(value)
    assert caught.value.field == "(file)"


@pytest.mark.parametrize("data", [[], 1, "lab", None, True, [{"format": "vpclab-lab"}]])
def test_json_that_is_not_an_object_is_refused(data):
    refused(json.dumps(data), "(file)")


def test_every_sampled_prefix_of_a_saved_lab_is_refused(saved):
    assert len(saved) > 4000  # a few kilobytes
    cuts = set(range(0, len(saved), max(1, len(saved) // 400)))
    cuts |= set(range(60)) | set(range(len(saved) - 60, len(saved)))
    for cut in sorted(cuts):
        if saved[:cut].strip() == saved.strip():
            continue  # only whitespace cut away: still the whole lab
        refused(saved[:cut], "(file)")


def test_input_over_the_size_limit_is_refused_before_parsing():
    error = refused(" " * (MAX_TEXT + 1), "(file)")
    assert error.key == "InvalidLabFile:too_large"
    error = refused(b" " * (MAX_TEXT + 1), "(file)")
    assert error.key == "InvalidLabFile:too_large"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "{" * 100_000,
        '{"a":' * 100_000,
        "[" * 100_000 + "]" * 100_000,
        '{"format": "vpclab-lab", "version": 1, "vpcs": ' + "[" * 50_000 + "]" * 50_000 + "}",
    ],
)
def test_deeply_nested_json_is_refused(text):
    refused(text)


def test_bytes_that_are_not_utf8_are_refused():
    refused(b"\xff\xfe{", "(file)")


# ---- refusals: envelope --------------------------------------------------------------------------
def test_unknown_version_is_refused(saved):
    for version in (0, 4, 99, -1):
        data = fresh_copy(saved)
        data["version"] = version
        error = refused(data, "version")
        assert error.key == "InvalidLabFile:version"


def test_version_of_the_wrong_type_is_refused(saved):
    for version in ("1", 1.0, True, None, [1]):
        data = fresh_copy(saved)
        data["version"] = version
        refused(data, "version")


def test_wrong_format_marker_is_refused(saved):
    for marker in ("vpclab", "VPCLAB-LAB", None, 1, ["vpclab-lab"]):
        data = fresh_copy(saved)
        data["format"] = marker
        refused(data, "format")
    data = fresh_copy(saved)
    del data["format"]
    refused(data, "format")


def test_unknown_region_is_refused(saved):
    data = fresh_copy(saved)
    data["region"] = "mars-north-1"
    refused(data, "region")


# ---- refusals: one targeted corruption each ------------------------------------------------------
def _set(data: dict, path: tuple, value) -> None:
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _id_of(data: dict, kind: str, n: int = 0) -> str:
    return data[kind][n]["id"]


def _subnet_index(data: dict, name: str) -> int:
    return next(n for n, s in enumerate(data["subnets"]) if s["name"] == name)


def _instance_index(data: dict, name: str) -> int:
    return next(n for n, i in enumerate(data["instances"]) if i["name"] == name)


def _associated_eip(data: dict) -> int:
    return next(n for n, e in enumerate(data["elastic_ips"]) if e["instance"])


def _rt_of_vpc(data: dict, n: int) -> int:
    return next(k for k, t in enumerate(data["route_tables"]) if t["vpc"] == data["vpcs"][n]["id"])


def _custom_rt(data: dict) -> int:
    return next(n for n, t in enumerate(data["route_tables"]) if t["name"] == "public-rt")


CORRUPTIONS = {
    # references to nothing
    "subnet_to_unknown_vpc": (lambda d: _set(d, ("subnets", 0, "vpc"), "vpc-0000000000000dead"), "subnets[0].vpc"),
    "association_to_unknown_subnet": (
        lambda d: _set(d, ("route_tables", _custom_rt(d), "associations", 0, "subnet"), "subnet-0000000000000dead"),
        "route_tables[{rt}].associations[0].subnet",
    ),
    "eip_to_unknown_instance": (
        lambda d: _set(d, ("elastic_ips", _associated_eip(d), "instance"), "i-0000000000000dead"),
        "elastic_ips[{eip}].instance",
    ),
    "instance_to_unknown_subnet": (
        lambda d: _set(d, ("instances", 0, "subnet"), "subnet-0nope"),
        "instances[0].subnet",
    ),
    "instance_to_unknown_group": (
        lambda d: _set(d, ("instances", 0, "security_groups", 0), "sg-0x"),
        "instances[0].security_groups[0]",
    ),
    "gateway_to_unknown_vpc": (
        lambda d: _set(d, ("internet_gateways", 0, "vpc"), "vpc-0gone"),
        "internet_gateways[0].vpc",
    ),
    "acl_to_unknown_vpc": (lambda d: _set(d, ("network_acls", 0, "vpc"), "vpc-0gone"), "network_acls[0].vpc"),
    "subnet_to_unknown_acl": (lambda d: _set(d, ("subnets", 0, "network_acl"), "acl-0gone"), "subnets[0].network_acl"),
    "rule_to_unknown_group": (
        lambda d: _set(d, ("security_groups", 0, "rules", 0, "group"), "sg-0000000000000dead"),
        "security_groups[0].rules[0].group",
    ),
    "route_to_a_strange_target": (
        lambda d: _set(d, ("route_tables", _custom_rt(d), "routes", 2, "target"), "pcx-0peering"),
        "route_tables[{rt}].routes[2].target",
    ),
    "nat_to_unknown_subnet": (
        lambda d: _set(d, ("nat_gateways", 0, "subnet"), "subnet-0gone"),
        "nat_gateways[0].subnet",
    ),
    # duplicates
    "duplicate_vpc_id": (lambda d: _set(d, ("vpcs", 1, "id"), _id_of(d, "vpcs")), "vpcs[1].id"),
    "duplicate_subnet_id": (lambda d: _set(d, ("subnets", 1, "id"), _id_of(d, "subnets")), "subnets[1].id"),
    "duplicate_instance_id": (lambda d: _set(d, ("instances", 1, "id"), _id_of(d, "instances")), "instances[1].id"),
    "duplicate_eip_id": (lambda d: _set(d, ("elastic_ips", 1, "id"), _id_of(d, "elastic_ips")), "elastic_ips[1].id"),
    "duplicate_group_name": (
        lambda d: _set(d, ("security_groups", 2, "group_name"), "web"),
        "security_groups[2].group_name",
    ),
    "duplicate_acl_rule_number": (
        lambda d: _set(d, ("network_acls", 1, "entries", 1, "rule_number"), 100),
        "network_acls[1].entries[1].rule_number",
    ),
    "duplicate_route_destination": (
        lambda d: _set(d, ("route_tables", _custom_rt(d), "routes", 3, "destination"), "0.0.0.0/0"),
        "route_tables[{rt}].routes[3].destination",
    ),
    "duplicate_private_ip": (
        lambda d: _set(d, ("instances", 1, "private_ip"), d["instances"][0]["private_ip"]),
        "instances[1].private_ip",
    ),
    "duplicate_public_ip": (
        lambda d: _set(d, ("elastic_ips", 1, "public_ip"), d["elastic_ips"][0]["public_ip"]),
        "elastic_ips[1].public_ip",
    ),
    "duplicate_network_interface_id": (
        lambda d: _set(d, ("instances", 1, "network_interface_id"), d["instances"][0]["network_interface_id"]),
        "instances[1].network_interface_id",
    ),
    "duplicate_rule_id": (
        lambda d: _set(d, ("security_groups", 1, "rules", 0, "id"), d["security_groups"][0]["rules"][0]["id"]),
        "security_groups[1].rules[0].id",
    ),
    # addresses and CIDRs
    "overlapping_subnets": (lambda d: _set(d, ("subnets", 1, "cidr"), "10.0.1.128/25"), "subnets[1].cidr"),
    "subnet_outside_its_vpc": (lambda d: _set(d, ("subnets", 0, "cidr"), "10.9.0.0/24"), "subnets[0].cidr"),
    "subnet_too_small": (lambda d: _set(d, ("subnets", 0, "cidr"), "10.0.1.0/29"), "subnets[0].cidr"),
    "bad_vpc_cidr": (lambda d: _set(d, ("vpcs", 0, "cidrs", 0), "10.0.0.0/33"), "vpcs[0].cidrs[0]"),
    "ipv6_vpc_cidr": (lambda d: _set(d, ("vpcs", 0, "cidrs", 0), "2001:db8::/56"), "vpcs[0].cidrs[0]"),
    "vpc_cidr_not_a_cidr": (lambda d: _set(d, ("vpcs", 0, "cidrs", 0), "ten dot zero"), "vpcs[0].cidrs[0]"),
    "bad_subnet_cidr": (lambda d: _set(d, ("subnets", 0, "cidr"), "10.0.1.0"), "subnets[0].cidr"),
    "bad_rule_cidr": (
        lambda d: _set(d, ("security_groups", 1, "rules", 1, "cidr"), "0.0.0.0/-1"),
        "security_groups[1].rules[1].cidr",
    ),
    "bad_acl_cidr": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "cidr"), "999.0.0.0/8"),
        "network_acls[0].entries[0].cidr",
    ),
    "bad_route_destination": (
        lambda d: _set(d, ("route_tables", _custom_rt(d), "routes", 2, "destination"), "0/0"),
        "route_tables[{rt}].routes[2].destination",
    ),
    "private_ip_outside_its_subnet": (
        lambda d: _set(d, ("instances", 0, "private_ip"), "10.0.2.10"),
        "instances[0].private_ip",
    ),
    "private_ip_reserved": (lambda d: _set(d, ("instances", 0, "private_ip"), "10.0.1.1"), "instances[0].private_ip"),
    "private_ip_not_an_address": (
        lambda d: _set(d, ("instances", 0, "private_ip"), "10.0.1.300"),
        "instances[0].private_ip",
    ),
    "nat_private_ip_outside_its_subnet": (
        lambda d: _set(d, ("nat_gateways", 0, "private_ip"), "172.16.0.9"),
        "nat_gateways[0].private_ip",
    ),
    "public_ip_not_an_address": (
        lambda d: _set(d, ("elastic_ips", 0, "public_ip"), "13.125.x.1"),
        "elastic_ips[0].public_ip",
    ),
    "vpc_cidr_too_big": (lambda d: _set(d, ("vpcs", 2, "cidrs", 0), "192.168.0.0/8"), "vpcs[2].cidrs[0]"),
    "vpc_cidr_not_routable": (lambda d: _set(d, ("vpcs", 2, "cidrs", 0), "127.0.0.0/24"), "vpcs[2].cidrs[0]"),
    "overlapping_vpc_cidrs": (lambda d: _set(d, ("vpcs", 0, "cidrs", 1), "10.0.128.0/17"), "vpcs[0].cidrs[1]"),
    "elastic_ip_with_a_private_address": (
        lambda d: _set(d, ("elastic_ips", 0, "public_ip"), "10.0.1.9"),
        "elastic_ips[0].public_ip",
    ),
    "auto_public_ip_on_a_stopped_instance": (
        lambda d: _set(d, ("instances", _instance_index(d, "stopped"), "auto_public_ip"), "13.124.0.9"),
        "instances[{stopped}].auto_public_ip",
    ),
    # routes
    "route_to_a_nat_gateway_of_another_vpc": (
        lambda d: d["route_tables"][_rt_of_vpc(d, 1)]["routes"].append(
            {"destination": "1.1.1.0/24", "target": d["nat_gateways"][0]["id"], "origin": "CreateRoute"}
        ),
        "route_tables[{rt_b}].routes[{next_route_b}].target",
    ),
    "route_to_an_instance_of_another_vpc": (
        lambda d: d["route_tables"][_rt_of_vpc(d, 1)]["routes"].append(
            {"destination": "1.1.1.0/24", "target": d["instances"][0]["id"], "origin": "CreateRoute"}
        ),
        "route_tables[{rt_b}].routes[{next_route_b}].target",
    ),
    "local_route_outside_the_vpc": (
        lambda d: d["route_tables"][_rt_of_vpc(d, 1)]["routes"].append(
            {"destination": "1.1.1.0/24", "target": "local", "origin": "CreateRoute"}
        ),
        "route_tables[{rt_b}].routes[{next_route_b}].target",
    ),
    "unknown_route_origin": (
        lambda d: _set(d, ("route_tables", _custom_rt(d), "routes", 2, "origin"), "EnableVgwRoutePropagation"),
        "route_tables[{rt}].routes[2].origin",
    ),
    # rule numbers and ports
    "rule_number_zero": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "rule_number"), 0),
        "network_acls[0].entries[0].rule_number",
    ),
    "rule_number_star": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "rule_number"), 32767),
        "network_acls[0].entries[0].rule_number",
    ),
    "rule_number_negative": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "rule_number"), -5),
        "network_acls[0].entries[0].rule_number",
    ),
    "rule_number_huge": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "rule_number"), 10**30),
        "network_acls[0].entries[0].rule_number",
    ),
    "port_out_of_range": (
        lambda d: _set(d, ("network_acls", 1, "entries", 0, "ports"), [443, 70000]),
        "network_acls[1].entries[0].ports",
    ),
    "ports_reversed": (
        lambda d: _set(d, ("network_acls", 1, "entries", 0, "ports"), [443, 80]),
        "network_acls[1].entries[0].ports",
    ),
    "ports_for_protocol_all": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "ports"), [1, 2]),
        "network_acls[0].entries[0].ports",
    ),
    "ports_of_three": (
        lambda d: _set(d, ("network_acls", 1, "entries", 0, "ports"), [1, 2, 3]),
        "network_acls[1].entries[0].ports",
    ),
    "unknown_protocol": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "protocol"), "gre"),
        "network_acls[0].entries[0].protocol",
    ),
    "unknown_action": (
        lambda d: _set(d, ("network_acls", 0, "entries", 0, "action"), "maybe"),
        "network_acls[0].entries[0].action",
    ),
    # structure
    "two_gateways_on_one_vpc": (
        lambda d: _set(d, ("internet_gateways", 1, "vpc"), d["internet_gateways"][0]["vpc"]),
        "internet_gateways[1].vpc",
    ),
    "two_default_acls": (lambda d: _set(d, ("network_acls", 1, "is_default"), True), "network_acls[1].is_default"),
    "missing_local_route": (lambda d: d["route_tables"][_custom_rt(d)]["routes"].pop(1), "route_tables[{rt}].routes"),
    "local_route_pointing_elsewhere": (
        lambda d: _set(d, ("route_tables", _custom_rt(d), "routes", 0, "target"), d["internet_gateways"][0]["id"]),
        "route_tables[{rt}].routes",
    ),
    "unknown_instance_state": (lambda d: _set(d, ("instances", 0, "state"), "exploded"), "instances[0].state"),
    "unknown_nat_state": (lambda d: _set(d, ("nat_gateways", 0, "state"), "pending"), "nat_gateways[0].state"),
    "unknown_zone": (
        lambda d: _set(d, ("subnets", 0, "availability_zone"), "us-east-1a"),
        "subnets[0].availability_zone",
    ),
    "id_of_the_wrong_kind": (lambda d: _set(d, ("subnets", 0, "id"), "vpc-0f61ba321ee026563"), "subnets[0].id"),
    "id_too_long": (lambda d: _set(d, ("subnets", 0, "id"), "subnet-" + "0" * 300), "subnets[0].id"),
    "name_too_long": (lambda d: _set(d, ("vpcs", 0, "name"), "x" * 10_000), "vpcs[0].name"),
    "no_cidrs": (lambda d: _set(d, ("vpcs", 0, "cidrs"), []), "vpcs[0].cidrs"),
    "public_counter_behind": (lambda d: _set(d, ("public_ip_counter",), 0), "public_ip_counter"),
    "public_counter_negative": (lambda d: _set(d, ("public_ip_counter",), -1), "public_ip_counter"),
    "public_counter_past_the_pool": (lambda d: _set(d, ("public_ip_counter",), 10**9), "public_ip_counter"),
    "unknown_counter": (lambda d: _set(d, ("counters", "bucket"), 3), "counters.bucket"),
    "counter_not_a_number": (lambda d: _set(d, ("counters", "vpc"), "3"), "counters.vpc"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_each_corruption_is_refused_naming_its_field(saved, name):
    corrupt, field = CORRUPTIONS[name]
    data = fresh_copy(saved)
    where = {
        "rt": _custom_rt(data),
        "eip": _associated_eip(data),
        "rt_b": _rt_of_vpc(data, 1),
        "next_route_b": len(data["route_tables"][_rt_of_vpc(data, 1)]["routes"]),
        "stopped": _instance_index(data, "stopped"),
    }
    corrupt(data)
    refused(data, field.format(**where))


def test_a_public_counter_that_wraps_the_pool_would_reuse_an_address_and_is_refused():
    lab = Lab()
    lab.allocate_address()
    data = json.loads(lab.to_json())
    data["public_ip_counter"] += lab._pool.size  # the same address again, one lap later
    refused(data, "public_ip_counter")


@pytest.mark.parametrize("kind", sorted(set(ID_KINDS)))
def test_a_counter_behind_an_existing_id_is_refused(saved, kind):
    """Such a counter would hand the same id out again; every kind of id is checked."""
    data = fresh_copy(saved)
    highest = _highest_id_number(data, kind)
    assert highest >= 1, kind  # the rich lab holds every kind of id
    data["counters"][kind] = highest - 1
    refused(data, f"counters.{kind}")


@pytest.mark.parametrize("kind", sorted(set(ID_KINDS)))
def test_a_counter_exactly_at_the_highest_id_is_accepted(saved, kind):
    data = fresh_copy(saved)
    data["counters"][kind] = _highest_id_number(data, kind)
    lab = Lab.from_json(dumps(data))
    assert problems(lab) == []


def _highest_id_number(data: dict, kind: str) -> int:
    numbers = [
        id_number(kind, value) for _, value in _leaves(data) if isinstance(value, str) and value.startswith(kind + "-")
    ]
    return max((n for n in numbers if n is not None), default=0)


# ---- refusals: wrong types and missing keys, everywhere ------------------------------------------
def _leaves(node, path=()):
    """Every position in the document: (path, value)."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def _field(path: tuple) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else ("." if text else "") + step
    return text


def _wrong_type(value):
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return 7
    if value is None:
        return [None]
    if isinstance(value, list):
        return {"0": value}
    return [value]


def _positions(saved: str) -> list[tuple]:
    return [p for p, _ in _leaves(json.loads(saved)) if p]


def _checked_positions(saved: str) -> list[tuple]:
    """Positions with a fixed type: all but the free-form JSON inside history entries (and only
    the first few entries of the history: the others are alike)."""
    free = ("args", "kwargs", "result")
    return [
        p
        for p in _positions(saved)
        if not (p[0] == "history" and len(p) > 1 and (p[1] >= 3 or (len(p) > 3 and p[2] in free)))
    ]


def test_a_wrong_type_at_every_position_is_refused_naming_the_field(saved):
    data = json.loads(saved)
    positions = [p for p in _checked_positions(saved) if p[-1] not in ("args", "kwargs", "result")]
    assert len(positions) > 300
    for path in positions:
        value = data
        for step in path:
            value = value[step]
        changed = fresh_copy(saved)
        _set(changed, path, _wrong_type(value))
        error = refused(changed)
        field = _field(path)
        # The field itself, or (for the pair of ports) the list that holds it.
        assert field == error.field or field.startswith(error.field + "["), (field, error.field)


def test_a_missing_key_anywhere_is_refused_naming_the_field(saved):
    positions = [p for p in _checked_positions(saved) if isinstance(p[-1], str)]
    for path in positions:
        changed = fresh_copy(saved)
        node = changed
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]
        error = refused(changed)
        field = _field(path)
        if path[0] in ("counters", "format"):
            continue  # a missing counter is a counter behind its ids; no format, no lab file
        if path[0] == "history" and len(path) == 3:
            assert error.field == _field(path[:2]), (field, error.field)  # the entry's keys are checked as a set
            continue
        assert error.field == field, (field, error.field, error.key)


def test_history_entries_with_free_form_values_nested_too_deep_are_refused(saved):
    for depth in (17, 50, 600):
        data = fresh_copy(saved)
        data["history"][0]["args"] = "@@deep@@"
        refused(dumps(data).replace('"@@deep@@"', "[" * depth + "]" * depth), "history[0].args")
    data = fresh_copy(saved)
    data["history"][1]["result"] = {"a": [{"b": [[["fine"]]]}]}
    assert Lab.from_json(dumps(data)).to_json() == dumps(data)


def test_history_with_an_unknown_action_is_refused(saved):
    data = fresh_copy(saved)
    data["history"][0]["action"] = "__import__('os').system('true')"
    refused(data, "history[0].action")


def test_extra_unknown_keys_are_ignored(saved):
    data = fresh_copy(saved)
    data["comment"] = "made in class"
    data["vpcs"][0]["colour"] = "blue"
    assert Lab.from_json(dumps(data)).to_json() == saved


def test_lone_surrogates_in_names_are_refused_or_survive_a_utf8_file(saved):
    data = fresh_copy(saved)
    data["vpcs"][0]["name"] = "\udc80"
    text = json.dumps(data)  # ASCII, with the surrogate escaped
    try:
        loaded = Lab.from_json(text)
    except LabFileError as error:
        assert error.field == "vpcs[0].name"
    else:
        loaded.to_json().encode("utf-8")


# ---- any mutation: a sound lab or LabFileError, nothing else -------------------------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "",
            "local",
            "10.0.0.0/16",
            "10.0.1.0/24",
            "0.0.0.0/0",
            "10.0.1.4",
            "tcp",
            "-1",
            "allow",
            "running",
            "stopped",
            "failed",
            "deleted",
            "available",
            "ap-northeast-2b",
            "default",
        ]
    ),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)

_SAVED = build_rich_lab()[0].to_json()
_POSITIONS = _positions(_SAVED)
_VALUES = [v for _, v in _leaves(json.loads(_SAVED)) if not isinstance(v, dict | list)]

mutation = st.tuples(
    st.sampled_from(["drop", "replace", "swap"]),
    st.sampled_from(_POSITIONS),
    json_values,
    st.sampled_from(_VALUES),
)


def _apply(data: dict, change: tuple) -> None:
    action, path, random_value, existing_value = change
    node = data
    for step in path[:-1]:
        if not isinstance(node, dict | list):
            return
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return
    if not isinstance(node, dict | list):
        return
    key = path[-1]
    if isinstance(node, list) and not (isinstance(key, int) and key < len(node)):
        return
    if isinstance(node, dict) and isinstance(key, int):
        return
    if action == "drop":
        if isinstance(node, dict):
            node.pop(key, None)
        else:
            del node[key]
    else:
        node[key] = random_value if action == "replace" else existing_value


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(mutation, min_size=1, max_size=4))
def test_any_mutation_loads_a_sound_lab_or_raises_lab_file_error(changes):
    data = json.loads(_SAVED)
    for change in changes:
        _apply(data, change)
    text = json.dumps(data, ensure_ascii=False)
    try:
        lab = Lab.from_json(text)
    except LabFileError as error:
        assert error.code == "InvalidLabFile" and isinstance(error.field, str) and error.field
        error.message("en"), error.message("ko")
        return
    assert problems(lab) == []
    again = lab.to_json()
    assert Lab.from_json(again).to_json() == again


def test_addresses_after_loading_are_ipv4_objects(saved):
    lab = Lab.from_json(saved)
    for instance in lab.instances.values():
        assert isinstance(instance.private_ip, IPv4Address)
    for eip in lab.elastic_ips.values():
        assert isinstance(eip.public_ip, IPv4Address)


def test_a_refused_file_leaves_the_language_and_other_labs_alone(saved):
    lab = Lab.from_json(saved)
    before = lab.to_json()
    vpclab.set_language("ko")
    try:
        data = fresh_copy(saved)
        data["subnets"][0]["vpc"] = "vpc-0000000000000dead"
        refused(data, "subnets[0].vpc")
        assert vpclab.get_language() == "ko"
    finally:
        vpclab.set_language("en")
    assert lab.to_json() == before
