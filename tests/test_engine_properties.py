"""Property-based tests of the reachability engine (issue 3, "Tests").

Hypothesis draws small topologies — one VPC, 1-3 subnets, an optional internet gateway, optional
custom route tables with routes (to the gateway, to a NAT gateway that may be deleted or failed, to
an appliance instance), custom network ACLs with random entries, security groups with random rules
(CIDRs and group references), instances with and without public addresses, some stopped — and
checks, over a fixed list of questions about each one:

(a) adding an allow rule (security group, or a network-ACL allow entry numbered below all others)
    never turns a reachable flow unreachable;
(b) deleting a subnet table's only route to the gateway makes every internet flow of the subnet's
    instances unreachable (outbound through a NAT gateway in another subnet excepted: that leg uses
    the NAT gateway's table);
(c) the verdict and code do not depend on the order in which the resources were created;
(d) ``exposure()`` and ``analyze()`` agree on which internet hosts reach which ports;
(e) ``analyze`` raises nothing but ``VpcLabError`` and answers ``reachable=None`` only with
    ``UNSUPPORTED_COMPONENT``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vpclab import Lab, VpcLabError

settings.register_profile(
    "vpclab-engine",
    derandomize=True,
    deadline=None,
    max_examples=100,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
ENGINE = settings.get_profile("vpclab-engine")

# Instances get 10.0.<subnet>.<10 + index>: the last two CIDRs split a subnet's instances apart.
RULE_CIDRS = [
    "0.0.0.0/0",
    "198.51.100.0/24",
    "198.51.100.0/25",
    "203.0.113.0/24",
    "192.0.2.0/24",
    "8.0.0.0/8",
    "10.0.0.0/16",
    "10.0.1.0/24",
    "10.0.0.12/30",
    "10.0.1.11/32",
]
ROUTE_DESTINATIONS = ["0.0.0.0/0", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/25", "8.8.8.0/24"]
INTERNET_HOSTS = ["198.51.100.7", "198.51.100.200", "203.0.113.9", "192.0.2.77", "8.8.8.8", "1.1.1.1"]
PORT_CHOICES = [None, 22, 53, 80, 443, 8080, (1024, 65535), (20, 90)]
ICMP_CHOICES = [None, 8, 0]
QUESTIONS = [("tcp", 22), ("tcp", 80), ("tcp", 443), ("udp", 53), ("icmp", 8), ("tcp", None)]


# ---- topology specs ---------------------------------------------------------------------------------
@dataclass
class Spec:
    gateway: bool
    subnets: int
    tables: list[list[tuple[str, object]]]  # custom tables: routes (destination, "igw" | "nat" | instance index)
    main_routes: list[tuple[str, object]]
    subnet_table: list[int | None]  # per subnet: custom table index, or None for the main table
    acls: list[list[tuple]]  # custom ACLs: entries (number, egress, protocol, port, cidr, action)
    subnet_acl: list[int | None]
    groups: list[dict]  # {"rules": [(egress, protocol, port, cidr | group index)], "keep_egress": bool}
    instances: list[dict]  # {"subnet", "groups", "public": none|auto|eip, "stopped"}
    nat: dict | None  # {"subnet", "fate": "live" | "deleted"}
    flows: list[tuple] = field(default_factory=list)


def _port(protocol):
    if protocol == "icmp":
        return st.sampled_from(ICMP_CHOICES)
    if protocol == "-1":
        return st.just(None)
    return st.sampled_from(PORT_CHOICES)


@st.composite
def sg_rule(draw, groups: int):
    protocol = draw(st.sampled_from(["tcp", "tcp", "udp", "icmp", "-1"]))
    port = draw(_port(protocol))
    source = draw(st.sampled_from(RULE_CIDRS) if draw(st.integers(0, 4)) else st.integers(0, groups - 1))
    return (draw(st.integers(0, 2)) == 0, protocol, port, source)  # inbound rules twice as often


@st.composite
def acl_entry(draw):
    protocol = draw(st.sampled_from(["tcp", "udp", "icmp", "-1", "-1"]))
    return (
        draw(st.integers(2, 30)) * 10,
        draw(st.booleans()),
        protocol,
        draw(_port(protocol)),
        draw(st.sampled_from(RULE_CIDRS)),
        draw(st.sampled_from(["allow", "deny"])),
    )


@st.composite
def acl_entries(draw):
    """Random entries; usually also a broad "allow everything" in each direction (rule 250), so the
    random ones before it carve holes instead of the ACL denying everything."""
    entries = draw(st.lists(acl_entry(), max_size=6))
    for egress in (False, True):
        if draw(st.integers(0, 4)):
            entries.append((250, egress, "-1", None, "0.0.0.0/0", "allow"))
    return _unique(entries, lambda e: (e[0], e[1]))


def _unique(items, key):
    seen, out = set(), []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
    return out


@st.composite
def specs(draw, appliances: bool = True, nat: bool = True) -> Spec:
    gateway = draw(st.integers(0, 5)) > 0
    subnets = draw(st.integers(1, 3))
    groups_n = draw(st.integers(1, 3))
    instances_n = draw(st.integers(1, 4))
    with_nat = nat and draw(st.booleans())
    targets = (["igw"] * 3 if gateway else []) + (["nat"] if with_nat else [])
    if appliances:
        targets += list(range(instances_n))
    target = st.sampled_from(targets) if targets else st.nothing()

    def routes():
        if not targets:
            return st.just([])
        return st.lists(st.tuples(st.sampled_from(ROUTE_DESTINATIONS), target), max_size=3).map(
            lambda rs: _unique(rs, lambda r: r[0])
        )

    tables = draw(st.lists(routes(), max_size=2))
    main_routes = draw(routes()) if draw(st.booleans()) else []
    if gateway and draw(st.integers(0, 3)) > 0:  # often the classroom's main table: 0.0.0.0/0 → gateway
        main_routes = _unique([("0.0.0.0/0", "igw"), *main_routes], lambda r: r[0])
    acls = draw(st.lists(acl_entries(), max_size=2))
    pick_table = st.none() | st.integers(0, len(tables) - 1) if tables else st.none()
    pick_acl = st.sampled_from([None, *range(len(acls)), *range(len(acls))]) if acls else st.none()
    groups = []
    for _ in range(groups_n):
        keep = draw(st.booleans() | st.just(True))
        rules = draw(st.lists(sg_rule(groups_n), min_size=1, max_size=5))
        rules = _unique(rules, lambda r: (r[0], r[1], None if r[1] == "-1" else r[2], r[3]))
        if keep:  # a new group already has "all traffic out to 0.0.0.0/0"
            rules = [r for r in rules if not (r[0] and r[1] == "-1" and r[3] == "0.0.0.0/0")]
        groups.append({"rules": rules, "keep_egress": keep})
    instances = []
    for _ in range(instances_n):
        public = draw(st.sampled_from(["none", "auto", "auto", "auto", "eip"]))
        instances.append(
            {
                "subnet": draw(st.integers(0, subnets - 1)),
                "groups": sorted(draw(st.sets(st.integers(0, groups_n - 1), min_size=1, max_size=2))),
                "public": "auto" if public == "eip" and not gateway else public,
                "stopped": draw(st.integers(0, 5)) == 0,
            }
        )
    nat_spec = None
    if with_nat:
        nat_spec = {"subnet": draw(st.integers(0, subnets - 1)), "fate": draw(st.sampled_from(["live", "deleted"]))}
    return Spec(
        gateway=gateway,
        subnets=subnets,
        tables=tables,
        main_routes=main_routes,
        subnet_table=[draw(pick_table) for _ in range(subnets)],
        acls=acls,
        subnet_acl=[draw(pick_acl) for _ in range(subnets)],
        groups=groups,
        instances=instances,
        nat=nat_spec,
    )


# ---- building a spec, in one of two orders --------------------------------------------------------------
@dataclass
class Built:
    lab: Lab
    vpc: object
    igw: object
    subnets: list
    tables: list  # custom tables
    main: object
    acls: list
    groups: list
    instances: list
    nat: object


def build(spec: Spec, order: str = "forward") -> Built:
    """Build ``spec``. ``"forward"``: containers with their rules, then instances, then routes.
    ``"reverse"``: every list in reverse, empty containers first, instances before any rule."""
    flip = (lambda xs: list(reversed(list(xs)))) if order == "reverse" else list
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    igw = None
    if spec.gateway:
        igw = lab.create_internet_gateway()
        lab.attach_internet_gateway(igw, vpc)
    subnets: list = [None] * spec.subnets
    for i in flip(range(spec.subnets)):
        subnets[i] = lab.create_subnet(vpc, f"10.0.{i}.0/24")
    groups: list = [None] * len(spec.groups)
    acls: list = [None] * len(spec.acls)
    tables: list = [None] * len(spec.tables)
    instances: list = [None] * len(spec.instances)

    def make_groups():
        for g in flip(range(len(spec.groups))):
            groups[g] = lab.create_security_group(vpc, f"g{g}", f"group {g}")
            if not spec.groups[g]["keep_egress"]:
                lab.revoke_security_group_egress(groups[g], "-1", None, cidr="0.0.0.0/0")

    def group_rules():
        for g in flip(range(len(spec.groups))):
            for egress, protocol, port, source in flip(spec.groups[g]["rules"]):
                where = {"cidr": source} if isinstance(source, str) else {"source_group": groups[source]}
                verb = lab.authorize_security_group_egress if egress else lab.authorize_security_group_ingress
                verb(groups[g], protocol, port, **where)

    def make_acls():
        for a in flip(range(len(spec.acls))):
            acls[a] = lab.create_network_acl(vpc)
        for s in flip(range(spec.subnets)):
            if spec.subnet_acl[s] is not None:
                lab.replace_network_acl_association(acls[spec.subnet_acl[s]], subnets[s])

    def acl_entries():
        for a in flip(range(len(spec.acls))):
            for number, egress, protocol, port, cidr, action in flip(spec.acls[a]):
                lab.create_network_acl_entry(acls[a], number, egress, protocol, port, cidr, action)

    def make_instances():
        for n in flip(range(len(spec.instances))):
            i = spec.instances[n]
            instances[n] = lab.run_instance(
                subnets[i["subnet"]],
                name=f"i{n}",
                private_ip=f"10.0.{i['subnet']}.{10 + n}",
                associate_public_ip=i["public"] == "auto",
                security_groups=[groups[g] for g in i["groups"]],
            )
            if i["public"] == "eip":
                lab.associate_address(lab.allocate_address(), instances[n])

    nat = None

    def make_nat():
        nonlocal nat
        if spec.nat is not None:
            nat = lab.create_nat_gateway(subnets[spec.nat["subnet"]], lab.allocate_address())

    def make_tables():
        for t in flip(range(len(spec.tables))):
            tables[t] = lab.create_route_table(vpc)
        for s in flip(range(spec.subnets)):
            if spec.subnet_table[s] is not None:
                lab.associate_route_table(tables[spec.subnet_table[s]], subnets[s])

    def routes():
        def target(name):
            return igw if name == "igw" else nat if name == "nat" else instances[name]

        main = lab.main_route_table(vpc)
        for t in flip(range(len(spec.tables))):
            for destination, name in flip(spec.tables[t]):
                lab.create_route(tables[t], destination, target(name))
        for destination, name in flip(spec.main_routes):
            lab.create_route(main, destination, target(name))

    if order == "reverse":
        steps = [make_groups, make_acls, make_tables, make_instances, group_rules, acl_entries, make_nat, routes]
    else:
        steps = [make_groups, group_rules, make_acls, acl_entries, make_instances, make_nat, make_tables, routes]
    for step in steps:
        step()
    if nat is not None and spec.nat["fate"] == "deleted":
        lab.delete_nat_gateway(nat)
    for n in flip(range(len(spec.instances))):
        if spec.instances[n]["stopped"]:
            lab.stop_instance(instances[n])
    return Built(lab, vpc, igw, subnets, tables, lab.main_route_table(vpc), acls, groups, instances, nat)


# ---- the questions -------------------------------------------------------------------------------------
def flows(spec: Spec) -> list[tuple]:
    """Questions about every instance, by index: ("in", host, i, ...), ("out", i, host, ...),
    ("pair", i, j, ...) over private addresses and ("hairpin", i, j, ...) over public ones."""
    out = []
    n = len(spec.instances)
    for i in range(n):
        for k, (protocol, port) in enumerate(QUESTIONS):
            host = INTERNET_HOSTS[(i + k) % len(INTERNET_HOSTS)]
            out.append(("in", host, i, protocol, port))
            out.append(("out", i, host, protocol, port))
        out.append(("in", "internet", i, "tcp", 80))
        out.append(("out", i, "internet", "tcp", 443))
        out.append(("in", "internet", i, "-1", None))
        for j in range(n):
            if j != i:
                out.append(("pair", i, j, "tcp", 80))
                out.append(("pair", i, j, "icmp", 8))
                out.append(("hairpin", i, j, "tcp", 80))
    return out


def ask(built: Built, flow: tuple):
    kind, a, b, protocol, port = flow
    lab, instances = built.lab, built.instances
    if kind == "in":
        return lab.analyze(a, instances[b], protocol, port)
    if kind == "out":
        return lab.analyze(instances[a], b, protocol, port)
    if kind == "pair":
        return lab.analyze(instances[a], instances[b], protocol, port)
    target = instances[b].public_ip
    return lab.analyze(instances[a], str(target) if target else instances[b], protocol, port)


def verdicts(built: Built, questions: list[tuple]) -> dict:
    return {q: (lambda a: (a.reachable, a.code))(ask(built, q)) for q in questions}


# ---- (a) adding an allow rule never takes reachability away ---------------------------------------------
@st.composite
def allow_rules(draw, spec: Spec):
    kind = draw(st.sampled_from(["sg", "acl"] if spec.acls else ["sg"]))
    protocol = draw(st.sampled_from(["tcp", "udp", "icmp", "-1"]))
    port = draw(_port(protocol))
    cidr = draw(st.sampled_from(RULE_CIDRS))
    if kind == "sg":
        return ("sg", draw(st.integers(0, len(spec.groups) - 1)), draw(st.booleans()), protocol, port, cidr)
    return ("acl", draw(st.integers(0, len(spec.acls) - 1)), draw(st.booleans()), protocol, port, cidr)


@ENGINE
@given(data=st.data())
def test_adding_an_allow_rule_never_makes_a_reachable_flow_unreachable(data):
    spec = data.draw(specs())
    built = build(spec)
    questions = flows(spec)
    before = verdicts(built, questions)
    assume(any(r for r, _ in before.values()))
    kind, index, egress, protocol, port, cidr = data.draw(allow_rules(spec))
    lab = built.lab
    try:
        if kind == "sg":
            verb = lab.authorize_security_group_egress if egress else lab.authorize_security_group_ingress
            verb(built.groups[index], protocol, port, cidr=cidr)
        else:
            acl = built.acls[index]
            first = min(e.rule_number for e in acl.rules(egress))  # the "*" rule is 32767
            lab.create_network_acl_entry(acl, first - 1, egress, protocol, port, cidr, "allow")
    except VpcLabError as error:
        assume(error.code != "InvalidPermission.Duplicate")
        raise
    after = verdicts(built, questions)
    lost = [q for q in questions if before[q][0] is True and after[q][0] is not True]
    assert lost == [], (kind, egress, protocol, port, cidr, [(q, after[q]) for q in lost])


# ---- (b) no gateway route, no internet ----------------------------------------------------------------
def _gateway_routes(table, igw):
    return [r for r in table.routes.values() if r.target is igw]


@ENGINE
@given(spec=specs(), choice=st.integers(0, 2))
def test_removing_the_only_gateway_route_cuts_the_subnet_off_the_internet(spec, choice):
    assume(spec.gateway)
    built = build(spec)
    lab = built.lab
    candidates = [s for s in built.subnets if len(_gateway_routes(lab.route_table_of(s), built.igw)) == 1]
    assume(candidates)
    subnet = candidates[choice % len(candidates)]
    table = lab.route_table_of(subnet)
    [route] = _gateway_routes(table, built.igw)
    lab.delete_route(table, route.destination)
    assert not lab.is_public(subnet)
    mine = {n for n, i in enumerate(built.instances) if i.subnet is subnet}
    assume(mine)
    for flow in flows(spec):
        kind, a, b = flow[:3]
        hairpin = kind == "hairpin" and built.instances[b].public_ip is not None  # else a private flow
        if (kind == "in" and b in mine) or ((kind == "out" or hairpin) and a in mine):
            analysis = ask(built, flow)
            through_nat = any(h.kind == "nat-gateway" for h in analysis.forward)
            assert analysis.reachable is not True or (kind != "in" and through_nat), (flow, analysis)


# ---- (c) creation order does not matter ------------------------------------------------------------
@ENGINE
@given(spec=specs())
def test_verdicts_do_not_depend_on_the_order_of_creation(spec):
    forward, reverse = build(spec, "forward"), build(spec, "reverse")
    assert [i.private_ip for i in forward.instances] == [i.private_ip for i in reverse.instances]
    questions = flows(spec)
    assert verdicts(forward, questions) == verdicts(reverse, questions)
    for subnet_f, subnet_r in zip(forward.subnets, reverse.subnets, strict=True):
        assert forward.lab.is_public(subnet_f) == reverse.lab.is_public(subnet_r)


# ---- (d) exposure and analyze agree ---------------------------------------------------------------
SAMPLE_HOSTS = [*INTERNET_HOSTS, "198.51.100.130", "203.0.113.200", "8.1.2.3", "44.0.0.1"]
SAMPLE_PORTS = [0, 22, 53, 79, 80, 90, 443, 1023, 1024, 8080, 65535]


def exposed(entry, protocol: str, port: int, host: IPv4Address) -> bool:
    return any(
        e.protocol == protocol and e.ports.first <= port <= e.ports.last and any(host in s for s in e.sources)
        for e in entry.inbound
    )


@ENGINE
@given(
    spec=specs(),
    samples=st.lists(
        st.tuples(
            st.sampled_from(["tcp", "udp", "icmp"]), st.sampled_from(SAMPLE_PORTS), st.sampled_from(SAMPLE_HOSTS)
        ),
        min_size=10,
        max_size=30,
    ),
)
def test_exposure_lists_exactly_the_flows_analyze_finds_reachable(spec, samples):
    built = build(spec)
    report = built.lab.exposure()
    live = [i for i in built.instances if i.state.value != "terminated"]
    assert [e.instance_id for e in report] == [i.id for i in live]
    for instance in live:
        entry = report[instance]
        for protocol, port, host in samples:
            port = 8 if protocol == "icmp" else port  # exposure reports ICMP echo requests only
            analysis = built.lab.analyze(host, instance, protocol, port)
            listed = exposed(entry, protocol, port, IPv4Address(host))
            assert (analysis.reachable is True) is listed, (instance.name, protocol, port, host, analysis.code)
        outbound = built.lab.analyze(instance, "internet", "tcp", 443)
        assert (outbound.reachable, outbound.code) == (entry.outbound, entry.outbound_code)


# ---- (e) analyze answers or refuses, nothing else ------------------------------------------------------
ENDPOINTS = [
    "internet",
    "INTERNET",
    "198.51.100.7",
    "10.0.0.10",
    "10.0.1.200",
    "10.9.9.9",
    "192.168.0.1",
    "100.64.0.1",
    "0.0.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "i-0123456789abcdef0",
    "i-",
    "nope",
    "",
    "2001:db8::1",
    None,
    42,
    3.5,
]


@st.composite
def endpoints(draw, built: Built):
    pick = draw(st.integers(0, 3))
    if pick == 0 and built.instances:
        return draw(st.sampled_from(built.instances))
    if pick == 1 and built.instances:
        instance = draw(st.sampled_from(built.instances))
        return draw(st.sampled_from([instance.id, str(instance.private_ip), str(instance.public_ip)]))
    if pick == 2 and built.nat is not None:
        return draw(st.sampled_from([built.nat, str(built.nat.public_ip), built.nat.id]))
    return draw(st.sampled_from(ENDPOINTS))


@ENGINE
@given(data=st.data())
def test_analyze_answers_or_raises_vpclab_error_only(data):
    spec = data.draw(specs())
    built = build(spec)
    for _ in range(8):
        source, destination = data.draw(endpoints(built)), data.draw(endpoints(built))
        protocol = data.draw(st.sampled_from(["tcp", "udp", "icmp", "-1", "all", "6", "17", "1", "gre", None, 6]))
        port = data.draw(st.sampled_from([None, 0, 8, 22, 80, 443, 65535, -1, 255, 256, 70000, "80", (1, 2), True]))
        source_port = data.draw(st.sampled_from([None, 0, 1024, 32768, 49152, 65535, 65536, -5, "x"]))
        try:
            analysis = built.lab.analyze(source, destination, protocol, port, source_port)
        except VpcLabError:
            continue
        assert analysis.reachable in (True, False, None)
        assert (analysis.reachable is None) == (analysis.code == "UNSUPPORTED_COMPONENT")
        assert (analysis.reachable is True) == (analysis.code is None)
        if analysis.reachable:
            assert analysis.blocked_at is None and analysis.return_
        assert analysis.explain("en") and analysis.explain("ko")
