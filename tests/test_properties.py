"""Property-based tests: any sequence of calls, valid or not, keeps the lab sound.

A hypothesis state machine drives a lab through random EC2 calls (wrong ids, bad CIDRs, duplicates
and stale objects included). After every step: the invariants hold (``problems(lab) == []``, one
gateway per VPC at most, one route table and one network ACL per subnet, a local route for each VPC
CIDR in every table); a call that raised ``VpcLabError`` left ``to_json()`` byte-identical; and the
lab survives a save and load exactly. Any other exception is a bug.
"""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from vpclab import Lab, VpcLabError
from vpclab.model.invariants import problems
from vpclab.model.resources import LOCAL

settings.register_profile(
    "vpclab-properties",
    derandomize=True,
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = settings.get_profile("vpclab-properties")


def mostly(valid: list, invalid: list) -> st.SearchStrategy:
    """Valid values three times as often as invalid ones."""
    return st.sampled_from(valid * 3 + invalid)


VPC_CIDRS = mostly(
    [
        "10.0.0.0/16",
        "10.1.0.0/16",
        "172.16.0.0/16",
        "192.168.0.0/20",
        "100.64.0.0/16",
        "10.0.0.0/28",
        "10.0.0.7/16",
        "198.19.0.0/16",
        "10.2.0.0/16",
    ],
    ["10.0.0.0/8", "10.0.0.0/29", "not-a-cidr", "10.0.0.0", "300.0.0.0/16", "2001:db8::/56", "127.0.0.0/16", None],
)
SUBNET_CIDRS = mostly(
    [
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.0.0/28",
        "10.0.0.128/25",
        "10.1.0.0/24",
        "172.16.1.0/24",
        "192.168.0.0/24",
        "192.168.15.240/28",
        "100.64.0.0/20",
        "10.0.1.9/24",
        "10.0.2.0/24",
    ],
    ["10.0.0.0/16", "10.0.0.0/29", "bad", "10.0.1.0/33", 7],
)
DESTINATIONS = mostly(
    [
        "0.0.0.0/0",
        "8.8.8.0/24",
        "203.0.113.0/24",
        "10.0.1.0/24",
        "10.0.0.0/24",
        "10.0.0.0/8",
        "10.1.0.0/16",
        "192.168.0.0/24",
        "0.0.0.0/1",
        "::/0",
        "2001:db8::/32",
        "64:ff9b::/96",
    ],
    ["10.0.0.0/16", "169.254.169.254/32", "::/129", "oops"],
)
PEER_CIDRS = mostly(["0.0.0.0/0", "10.0.0.0/16", "203.0.113.7/32", "::/0", "2001:db8::/48"], ["bad-cidr", "::/200"])
BPA_MODES = mostly(["off", "block-bidirectional", "block-ingress"], ["on", None, True])
EXCLUSION_MODES = mostly(["allow-bidirectional", "allow-egress"], ["allow-ingress", 1])
PROTOCOLS = mostly(["tcp", "udp", "icmp", "-1", "all", "6"], ["gre", 17, None])
PORTS = mostly([None, 22, 80, 443, (1024, 65535), (8, -1), (3, 4)], [(80, 79), 70000, -1, "80", True])
RULE_NUMBERS = mostly([1, 100, 110, 200, 32766], [0, 32767, -3, "100", True])
ACTIONS = mostly(["allow", "deny", "ALLOW"], ["maybe", None])
ZONES = mostly([None, "ap-northeast-2a", "ap-northeast-2c"], ["us-east-1a"])
GROUP_NAMES = mostly(["web", "app", "db", "x" * 255], ["default", "sg-nope", "", "  ", "y" * 256, 5])
NAMES = mostly(
    [None, "web", "웹 서버", "__import__('os').system('true')", "x" * 256, 'quote " \\ {id}'],
    ["x" * 257, 7, "\udc80", ["web"]],
)
PRIVATE_IPS = mostly([None, None, None, "10.0.0.10", "10.0.1.20"], ["10.0.0.1", "172.16.1.5", "nope"])
BOGUS = [
    "vpc-0000000000000dead",
    "subnet-0nope",
    "igw-0nope",
    "rtb-0nope",
    "i-0nope",
    "eni-0nope",
    "eipalloc-0nope",
    "eipassoc-0nope",
    "13.124.0.1",
    "sg-0nope",
    "acl-0nope",
    "nat-0nope",
    "rtbassoc-0nope",
    "",
    "   ",
    42,
    None,
]

choice = st.integers(min_value=0, max_value=1_000)


class LabMachine(RuleBasedStateMachine):
    """Random EC2 calls against one lab; every resource ever created stays pickable (stale ones too)."""

    def __init__(self) -> None:
        super().__init__()
        self.lab = Lab()
        self.seen: dict[str, list] = {}

    # ---- picking arguments ----------------------------------------------------------------------
    def remember(self, kind: str, resource) -> None:
        if resource is not None:
            self.seen.setdefault(kind, []).append(resource)

    def pick(self, kind: str, n: int, table: dict):
        """A live resource (as object or id), a stale one, or a bogus value; mostly live ones."""
        live = list(table.values())
        if live and n % 20 < 17:
            resource = live[n % len(live)]
            return resource if n % 2 else resource.id
        stale = self.seen.get(kind, [])
        if stale and n % 20 < 19:
            return stale[n % len(stale)]
        return BOGUS[n % len(BOGUS)]

    def vpc(self, n):
        return self.pick("vpc", n, self.lab.vpcs)

    def subnet(self, n):
        return self.pick("subnet", n, self.lab.subnets)

    def igw(self, n):
        return self.pick("igw", n, self.lab.internet_gateways)

    def rtb(self, n):
        return self.pick("rtb", n, self.lab.route_tables)

    def instance(self, n):
        return self.pick("i", n, self.lab.instances)

    def eip(self, n):
        eip = self.pick("eip", n, self.lab.elastic_ips)
        if n % 7 == 3 and not isinstance(eip, str | int | type(None)):
            return str(eip.public_ip)  # by address, as the AWS CLI allows
        return eip

    def sg(self, n):
        return self.pick("sg", n, self.lab.security_groups)

    def acl(self, n):
        return self.pick("acl", n, self.lab.network_acls)

    def nat(self, n):
        return self.pick("nat", n, self.lab.nat_gateways)

    def association(self, n):
        live = [a for t in self.lab.route_tables.values() for a in t.associations]
        if live and n % 10 < 8:
            association = live[n % len(live)]
            return association if n % 2 else association.id
        return BOGUS[n % len(BOGUS)]

    def target(self, n):
        kinds = [
            lambda: self.igw(n // 7),
            lambda: self.nat(n // 7),
            lambda: self.instance(n // 7),
            lambda: LOCAL,
            lambda: next((i.network_interface_id for i in self.lab.instances.values()), "eni-0nope"),
            lambda: BOGUS[n % len(BOGUS)],
            lambda: self.igw(n // 7),
            lambda: self.pick("eigw", n // 7, self.lab.egress_only_internet_gateways),
        ]
        return kinds[n % len(kinds)]()

    # ---- one call --------------------------------------------------------------------------------
    def call(self, method: str, *args, **kwargs):
        """Call a Lab method: on VpcLabError the lab must be exactly as before; anything else fails."""
        before = self.lab.to_json()
        try:
            return getattr(self.lab, method)(*args, **kwargs)
        except VpcLabError as error:
            assert isinstance(error.code, str) and error.code
            after = self.lab.to_json()
            assert after == before, f"{method} raised {error.code} but changed the lab"
            return None

    # ---- setup ---------------------------------------------------------------------------------
    @initialize(starter=st.sampled_from(["empty", "classroom", "classroom"]))
    def start(self, starter):
        if starter == "classroom":  # a starting point from which deeper states come sooner
            lab = self.lab
            vpc = lab.create_vpc("10.0.0.0/16")
            subnet = lab.create_subnet(vpc, "10.0.0.0/24", map_public_ip_on_launch=True)
            private = lab.create_subnet(vpc, "10.0.1.0/24")
            igw = lab.create_internet_gateway()
            lab.attach_internet_gateway(igw, vpc)
            table = lab.create_route_table(vpc)
            lab.create_route(table, "0.0.0.0/0", igw)
            lab.associate_route_table(table, subnet)
            web = lab.run_instance(subnet)
            eip = lab.allocate_address()
            for kind, resource in (
                ("vpc", vpc),
                ("subnet", subnet),
                ("subnet", private),
                ("igw", igw),
                ("rtb", table),
                ("i", web),
                ("eip", eip),
            ):
                self.remember(kind, resource)

    # ---- VPCs, subnets, gateways -----------------------------------------------------------------
    @rule(cidr=VPC_CIDRS, name=NAMES)
    def create_vpc(self, cidr, name):
        self.remember("vpc", self.call("create_vpc", cidr, name=name))

    @rule(n=choice)
    def delete_vpc(self, n):
        self.call("delete_vpc", self.vpc(n))

    @rule(n=choice, cidr=VPC_CIDRS)
    def associate_vpc_cidr_block(self, n, cidr):
        self.call("associate_vpc_cidr_block", self.vpc(n), cidr)

    @rule(n=choice, cidr=SUBNET_CIDRS, zone=ZONES, public=st.booleans(), name=NAMES)
    def create_subnet(self, n, cidr, zone, public, name):
        subnet = self.call(
            "create_subnet", self.vpc(n), cidr, name=name, availability_zone=zone, map_public_ip_on_launch=public
        )
        self.remember("subnet", subnet)

    @rule(n=choice)
    def delete_subnet(self, n):
        self.call("delete_subnet", self.subnet(n))

    @rule(name=NAMES)
    def create_internet_gateway(self, name):
        self.remember("igw", self.call("create_internet_gateway", name))

    @rule(n=choice, m=choice)
    def attach_internet_gateway(self, n, m):
        self.call("attach_internet_gateway", self.igw(n), self.vpc(m))

    @rule(n=choice, m=choice)
    def detach_internet_gateway(self, n, m):
        self.call("detach_internet_gateway", self.igw(n), self.vpc(m))

    @rule(n=choice)
    def delete_internet_gateway(self, n):
        self.call("delete_internet_gateway", self.igw(n))

    # ---- route tables ----------------------------------------------------------------------------
    @rule(n=choice, name=NAMES)
    def create_route_table(self, n, name):
        self.remember("rtb", self.call("create_route_table", self.vpc(n), name))

    @rule(n=choice)
    def delete_route_table(self, n):
        self.call("delete_route_table", self.rtb(n))

    @rule(n=choice, destination=DESTINATIONS, t=choice)
    def create_route(self, n, destination, t):
        self.call("create_route", self.rtb(n), destination, self.target(t))

    @rule(n=choice, destination=DESTINATIONS, t=choice)
    def replace_route(self, n, destination, t):
        self.call("replace_route", self.rtb(n), destination, self.target(t))

    @rule(n=choice, destination=DESTINATIONS)
    def delete_route(self, n, destination):
        self.call("delete_route", self.rtb(n), destination)

    @rule(n=choice, m=choice)
    def associate_route_table(self, n, m):
        self.call("associate_route_table", self.rtb(n), self.subnet(m))

    @rule(n=choice)
    def disassociate_route_table(self, n):
        self.call("disassociate_route_table", self.association(n))

    @rule(n=choice, m=choice)
    def replace_route_table_association(self, n, m):
        self.call("replace_route_table_association", self.association(n), self.rtb(m))

    # ---- instances and addresses -----------------------------------------------------------------
    @rule(
        n=choice,
        ip=PRIVATE_IPS,
        public=st.sampled_from([None, True, False]),
        g=choice,
        groups=st.integers(0, 3),
        name=NAMES,
    )
    def run_instance(self, n, ip, public, g, groups, name):
        security_groups = None if groups == 0 else [self.sg(g + k) for k in range(groups)]
        instance = self.call(
            "run_instance",
            self.subnet(n),
            name=name,
            private_ip=ip,
            associate_public_ip=public,
            security_groups=security_groups,
        )
        self.remember("i", instance)

    @rule(n=choice, g=choice, groups=st.integers(0, 6))
    def modify_instance_security_groups(self, n, g, groups):
        self.call("modify_instance_security_groups", self.instance(n), [self.sg(g + k) for k in range(groups)])

    @rule(n=choice, public=st.booleans())
    def modify_subnet_attribute(self, n, public):
        self.call("modify_subnet_attribute", self.subnet(n), public)

    @rule(n=choice, action=st.sampled_from(["stop_instance", "start_instance", "terminate_instance"]))
    def change_instance(self, n, action):
        self.call(action, self.instance(n))

    @rule(name=NAMES)
    def allocate_address(self, name):
        self.remember("eip", self.call("allocate_address", name))

    @rule(n=choice, m=choice, again=st.booleans())
    def associate_address(self, n, m, again):
        self.call("associate_address", self.eip(n), self.instance(m), allow_reassociation=again)

    @rule(n=choice)
    def disassociate_address(self, n):
        self.call("disassociate_address", self.eip(n))

    @rule(n=choice)
    def release_address(self, n):
        self.call("release_address", self.eip(n))

    @rule(n=choice, m=choice, name=NAMES)
    def create_nat_gateway(self, n, m, name):
        self.remember("nat", self.call("create_nat_gateway", self.subnet(n), self.eip(m), name))

    @rule(n=choice)
    def delete_nat_gateway(self, n):
        self.call("delete_nat_gateway", self.nat(n))

    # ---- security groups and network ACLs --------------------------------------------------------
    @rule(n=choice, name=GROUP_NAMES, description=mostly(["", "web tier", "설명"], ["d" * 256, 3]))
    def create_security_group(self, n, name, description):
        self.remember("sg", self.call("create_security_group", self.vpc(n), name, description))

    @rule(n=choice)
    def delete_security_group(self, n):
        self.call("delete_security_group", self.sg(n))

    @rule(
        verb=st.sampled_from(
            [
                "authorize_security_group_ingress",
                "authorize_security_group_egress",
                "revoke_security_group_ingress",
                "revoke_security_group_egress",
            ]
        ),
        n=choice,
        protocol=PROTOCOLS,
        port=PORTS,
        cidr=PEER_CIDRS,
        m=choice,
        peer=mostly(["cidr", "group"], ["both", "neither"]),
    )
    def security_group_rule(self, verb, n, protocol, port, cidr, m, peer):
        cidr = cidr if peer in ("cidr", "both") else None
        source = self.sg(m) if peer in ("group", "both") else None
        self.call(verb, self.sg(n), protocol, port, cidr=cidr, source_group=source)

    @rule(n=choice, name=NAMES)
    def create_network_acl(self, n, name):
        self.remember("acl", self.call("create_network_acl", self.vpc(n), name))

    @rule(n=choice)
    def delete_network_acl(self, n):
        self.call("delete_network_acl", self.acl(n))

    @rule(
        n=choice,
        number=RULE_NUMBERS,
        egress=st.sampled_from([True, False, 1]),
        protocol=PROTOCOLS,
        port=PORTS,
        cidr=PEER_CIDRS,
        action=ACTIONS,
    )
    def create_network_acl_entry(self, n, number, egress, protocol, port, cidr, action):
        self.call("create_network_acl_entry", self.acl(n), number, egress, protocol, port, cidr, action)

    @rule(
        n=choice,
        number=RULE_NUMBERS,
        egress=st.booleans(),
        protocol=PROTOCOLS,
        port=PORTS,
        cidr=PEER_CIDRS,
        action=ACTIONS,
    )
    def replace_network_acl_entry(self, n, number, egress, protocol, port, cidr, action):
        self.call("replace_network_acl_entry", self.acl(n), number, egress, protocol, port, cidr, action)

    @rule(n=choice, number=RULE_NUMBERS, egress=st.booleans())
    def delete_network_acl_entry(self, n, number, egress):
        self.call("delete_network_acl_entry", self.acl(n), number, egress)

    @rule(n=choice, m=choice)
    def replace_network_acl_association(self, n, m):
        self.call("replace_network_acl_association", self.acl(n), self.subnet(m))

    # ---- IPv6, egress-only gateways, Block Public Access ------------------------------------------
    @rule(n=choice, both=st.booleans())
    def associate_ipv6_block(self, n, both):
        cidr = "10.9.0.0/16" if both else None  # both at once is InvalidParameterCombination
        self.call("associate_vpc_cidr_block", self.vpc(n), cidr, amazon_provided_ipv6=True)

    def ipv6_cidr(self, subnet, k: int):
        """A /64 of the subnet's VPC (mostly), or something wrong."""
        vpc = getattr(subnet, "vpc", None)
        blocks = vpc.ipv6_cidr_blocks if vpc is not None else []
        if blocks and k % 10 < 8:
            return str(list(blocks[0].subnets(new_prefix=64))[k % 4])
        return ["2001:db8::/64", "2406:da12::/60", "bad", None, "10.0.0.0/24"][k % 5]

    @rule(n=choice, k=choice)
    def associate_subnet_cidr_block(self, n, k):
        subnet = self.subnet(n)
        live = self.lab.subnets.get(getattr(subnet, "id", subnet)) if isinstance(subnet, str) or subnet else None
        self.call("associate_subnet_cidr_block", subnet, self.ipv6_cidr(live or subnet, k))

    @rule(n=choice)
    def disassociate_subnet_cidr_block(self, n):
        ids = [s.ipv6_cidr_association_id for s in self.lab.subnets.values() if s.ipv6_cidr_association_id]
        self.call("disassociate_subnet_cidr_block", ids[n % len(ids)] if ids and n % 4 else "subnet-cidr-assoc-0no")

    @rule(n=choice, assign=mostly([True, False], ["true", 1, None]))
    def assign_ipv6_on_creation(self, n, assign):
        self.call("modify_subnet_attribute", self.subnet(n), assign_ipv6_address_on_creation=assign)

    @rule(n=choice, k=choice, cidr=mostly([None], ["10.0.9.0/24"]), public=mostly([False], [True]), name=NAMES)
    def create_ipv6_only_subnet(self, n, k, cidr, public, name):
        vpc = self.vpc(n)
        live = self.lab.vpcs.get(vpc) if isinstance(vpc, str) else vpc
        subnet = self.call(
            "create_subnet", vpc, cidr, name=name, map_public_ip_on_launch=public,
            ipv6_cidr=self.ipv6_cidr(SimpleNamespace(vpc=live), k), ipv6_native=True,
        )  # fmt: skip
        self.remember("subnet", subnet)

    @rule(n=choice, dns64=mostly([True, False], ["true", 1, None]))
    def enable_dns64(self, n, dns64):
        self.call("modify_subnet_attribute", self.subnet(n), enable_dns64=dns64)

    @rule(n=choice, m=choice)
    def analyze_ipv4_with_ipv6_only(self, n, m):
        """An IPv4 question about an instance without IPv4 (DNS64/NAT64 or UNASSOCIATED) answers and changes nothing."""
        instances = [i for i in self.lab.instances.values() if i.state.value != "terminated"]
        only = [i for i in instances if i.private_ip is None]
        if not only:
            return
        before = self.lab.to_json()
        worker = only[n % len(only)]
        for source, destination in ((worker, ["internet", "203.0.113.10", instances[m % len(instances)]][m % 3]),
                                    ("internet", worker)):  # fmt: skip
            result = self.lab.analyze(source, destination, "tcp", 443)
            assert result.reachable in (True, False) and (result.reachable or result.code)
        self.lab.exposure()
        assert self.lab.to_json() == before

    @rule(n=choice, count=mostly([None, 0, 1, 2], [-1, 11, "1", True]))
    def run_ipv6_instance(self, n, count):
        self.remember("i", self.call("run_instance", self.subnet(n), ipv6_address_count=count))

    @rule(n=choice, count=mostly([1, 2, None], [0, -1, 51, "1", True]), specific=st.booleans(), k=choice)
    def assign_ipv6_addresses(self, n, count, specific, k):
        instance = self.instance(n)
        block = getattr(getattr(instance, "subnet", None), "ipv6_cidr_block", None)
        if specific and block is not None:  # a specific address: free, taken, reserved or outside
            address = str(block.network_address + [4, 5, 1, 70000][k % 4]) if k % 5 else "2001:db8::1"
            self.call("assign_ipv6_addresses", instance, ipv6_addresses=[address])
        else:
            self.call("assign_ipv6_addresses", instance, ipv6_address_count=count)

    @rule(n=choice, k=choice, everything=st.booleans())
    def unassign_ipv6_addresses(self, n, k, everything):
        instance = self.instance(n)
        held = list(getattr(instance, "ipv6_addresses", []) or [])
        chosen = held if everything else ([held[k % len(held)]] if held else ["2001:db8::1"])
        self.call("unassign_ipv6_addresses", instance, chosen)

    @rule(n=choice, name=NAMES)
    def create_egress_only_internet_gateway(self, n, name):
        self.remember("eigw", self.call("create_egress_only_internet_gateway", self.vpc(n), name))

    @rule(n=choice)
    def delete_egress_only_internet_gateway(self, n):
        self.call("delete_egress_only_internet_gateway", self.pick("eigw", n, self.lab.egress_only_internet_gateways))

    @rule(mode=BPA_MODES)
    def modify_block_public_access(self, mode):
        self.call("modify_vpc_block_public_access_options", mode)

    @rule(n=choice, on_vpc=st.booleans(), mode=EXCLUSION_MODES)
    def create_exclusion(self, n, on_vpc, mode):
        where = {"vpc": self.vpc(n)} if on_vpc else {"subnet": self.subnet(n)}
        self.remember("vpcbpa-exclude", self.call("create_vpc_block_public_access_exclusion", **where, mode=mode))

    @rule(n=choice)
    def delete_exclusion(self, n):
        found = self.pick("vpcbpa-exclude", n, self.lab.block_public_access_exclusions)
        self.call("delete_vpc_block_public_access_exclusion", found)

    @rule(n=choice, m=choice)
    def analyze_ipv6(self, n, m):
        """Any IPv6 question about live instances answers (or refuses cleanly) and changes nothing."""
        instances = [i for i in self.lab.instances.values() if i.state.value != "terminated"]
        if not instances:
            return
        before = self.lab.to_json()
        source = instances[n % len(instances)]
        destination = "internet" if m % 3 == 0 else instances[m % len(instances)]
        try:
            result = self.lab.analyze(source, destination, "tcp", 443, ip_version=6)
            assert result.reachable in (True, False, None)
        except VpcLabError:
            pass
        assert self.lab.to_json() == before

    # ---- save and load in the middle of a session ------------------------------------------------
    @rule()
    def save_and_reload(self):
        self.lab = Lab.from_json(self.lab.to_json())

    # ---- after every step ------------------------------------------------------------------------
    @invariant()
    def invariants_hold(self):
        lab = self.lab
        assert problems(lab) == []
        for vpc in lab.vpcs.values():
            attached = [g for g in lab.internet_gateways.values() if g.vpc is vpc]
            assert len(attached) <= 1, vpc.id
        for subnet in lab.subnets.values():
            explicit = [a for t in lab.route_tables.values() for a in t.associations if a.subnet is subnet]
            assert len(explicit) <= 1, subnet.id
            assert lab.route_table_of(subnet) in lab.route_tables.values()
            assert lab.route_table_of(subnet).vpc is subnet.vpc
            assert lab.network_acl_of(subnet) in lab.network_acls.values()
            assert lab.network_acl_of(subnet).vpc is subnet.vpc
        for table in lab.route_tables.values():
            for block in (*table.vpc.cidrs, *table.vpc.ipv6_cidr_blocks):
                assert table.routes[block].target == LOCAL, (table.id, block)

    @invariant()
    def save_and_load_round_trips(self):
        text = self.lab.to_json()
        assert Lab.from_json(text).to_json() == text


LabMachine.TestCase.settings = PROFILE
test_any_sequence_of_calls_keeps_the_lab_sound = LabMachine.TestCase
