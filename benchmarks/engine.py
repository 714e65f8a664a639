"""How fast is the reachability engine on a large account? (issue "Reachability with explanations")

Builds large labs deterministically (``random.Random(seed)``) within the model's AWS quotas — at most
5 VPCs, 20 network-ACL entries per direction, 60 security-group rules per direction, 5 groups per
instance, 50 routes per table, 5 Elastic IPs — and times:

- ``lab.exposure()`` for 250, 500, 2,500 and 5,000 instances (the minimum of several runs);
  goals: 2,500 instances in under 0.5 s, and time(5,000) / time(500) at most 12 (near-linear);
- one ``lab.analyze()`` on the classroom topology (a web server in a public subnet), averaged
  over many calls; goal: well under a millisecond.

The shape of the big lab: 4 VPCs (/16) of up to 50 /24 subnets each, 200 subnets and 5,000
instances in all (25 per subnet); every subnet has a role (web, app, db, bastion, batch, cache) whose
instances share 1-3 of the VPC's security groups; 50 groups of 40 rules; a handful of network ACLs
(20 entries per direction) and route tables shared by many subnets; public subnets give their
instances auto-assigned public IPs (``map_public_ip_on_launch``); private ones go out through a NAT
gateway (one per VPC, holding four of the five Elastic IPs). Smaller labs keep the shape with fewer
subnets. Building is not timed.

A baseline measured in the same process — ``to_json()`` of the 2,500-instance lab — is printed
beside the figures so runs on different machines can be compared as ratios.

Run: ``python benchmarks/engine.py`` (from the repository root, with vpclab importable).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vpclab

SEED = 20261128
SIZES = (250, 500, 2_500, 5_000)
PER_SUBNET = 25
VPCS = 4
GROUPS = 50
RULES_PER_GROUP = 40
ACL_ENTRIES = 20
ROLES = {  # role -> (public subnet?, how many of the role's groups an instance carries)
    "web": (True, 3),
    "bastion": (True, 1),
    "app": (False, 2),
    "db": (False, 2),
    "cache": (False, 1),
    "batch": (False, 2),
}
SERVICE_PORTS = [22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9090, 9200, (8000, 8100), (1024, 65535), (30000, 32767)]


def _public_cidr(rng: random.Random) -> str:
    """A random internet prefix (/8 to /32) outside private, shared and never-routable space."""
    while True:
        first = rng.randint(1, 223)
        if first in (10, 100, 127, 169, 172, 192):
            continue
        prefix = rng.choice([8, 12, 16, 20, 24, 24, 28, 32, 32])
        address = (first << 24) | rng.getrandbits(24)
        network = address & ~((1 << (32 - prefix)) - 1) & 0xFFFFFFFF
        return f"{network >> 24}.{network >> 16 & 255}.{network >> 8 & 255}.{network & 255}/{prefix}"


def _group_rules(rng: random.Random, vpc_cidr: str, siblings: list) -> list[tuple]:
    """40 distinct inbound rules: a few open services, admin networks, partner networks, the VPC and
    references to sibling groups."""
    rules: dict[tuple, tuple] = {}
    while len(rules) < RULES_PER_GROUP:
        kind = rng.random()
        protocol = rng.choice(["tcp"] * 8 + ["udp", "icmp"])
        port = rng.choice(SERVICE_PORTS) if protocol != "icmp" else rng.choice([8, None])
        if kind < 0.1:
            source = ("cidr", "0.0.0.0/0")
        elif kind < 0.2 and siblings:
            source = ("group", rng.choice(siblings))
        elif kind < 0.3:
            source = ("cidr", vpc_cidr)
        else:
            source = ("cidr", _public_cidr(rng))
        key = (protocol, port, source[1] if source[0] == "cidr" else source[1].id)
        rules.setdefault(key, (protocol, port, source))
    return list(rules.values())


def _acl_entries(rng: random.Random, public: bool) -> list[tuple]:
    """20 entries per direction: a few denies of bad networks, the services, ephemeral replies."""
    entries = []
    for egress in (False, True):
        numbers = iter(range(10, 10_000, 10))
        for _ in range(6):
            entries.append((next(numbers), egress, "-1", None, _public_cidr(rng), "deny"))
        if egress:
            for _ in range(ACL_ENTRIES - 8):
                entries.append((next(numbers), egress, "tcp", rng.choice(SERVICE_PORTS), _public_cidr(rng), "allow"))
            entries.append((next(numbers), egress, "tcp", (1024, 65535), "0.0.0.0/0", "allow"))
            entries.append((next(numbers), egress, "-1", None, "0.0.0.0/0", "allow"))
        else:
            services = [80, 443, 22, (8000, 8100), 8443] if public else [3306, 5432, 6379, 8080, 9090]
            for port in services:
                entries.append((next(numbers), egress, "tcp", port, "0.0.0.0/0", "allow"))
            for _ in range(ACL_ENTRIES - 6 - len(services) - 3):
                entries.append((next(numbers), egress, "tcp", rng.choice(SERVICE_PORTS), _public_cidr(rng), "allow"))
            entries.append((next(numbers), egress, "icmp", 8, "0.0.0.0/0", "allow"))
            entries.append((next(numbers), egress, "tcp", (1024, 65535), "0.0.0.0/0", "allow"))
            entries.append((next(numbers), egress, "udp", (1024, 65535), "0.0.0.0/0", "allow"))
    return entries


def build_lab(instances: int, seed: int = SEED) -> vpclab.Lab:
    """A lab with ``instances`` instances in ``instances / 25`` subnets spread over up to 4 VPCs."""
    rng = random.Random(seed)
    lab = vpclab.Lab()
    subnets_total = max(VPCS * 2, instances // PER_SUBNET)
    groups_per_vpc = GROUPS // VPCS + 1
    made_groups = 0
    plan = []
    for v in range(VPCS):
        cidr = f"10.{v}.0.0/16"
        vpc = lab.create_vpc(cidr, name=f"vpc-{v}")
        igw = lab.create_internet_gateway()
        lab.attach_internet_gateway(igw, vpc)
        # Security groups: a pool per VPC, split among the roles.
        pool = []
        for g in range(groups_per_vpc):
            if made_groups == GROUPS:
                break
            pool.append(lab.create_security_group(vpc, f"group-{v}-{g}", "benchmark"))
            made_groups += 1
        for group in pool:
            for protocol, port, (kind, source) in _group_rules(rng, cidr, [p for p in pool if p is not group]):
                where = {"cidr": source} if kind == "cidr" else {"source_group": source}
                lab.authorize_security_group_ingress(group, protocol, port, **where)
        role_groups = {role: [pool[(i * 3 + k) % len(pool)] for k in range(4)] for i, role in enumerate(ROLES)}
        # Network ACLs: two public and two private ones, shared by all subnets of their kind.
        acls = {}
        for public in (True, False):
            acls[public] = []
            for _ in range(2):
                acl = lab.create_network_acl(vpc)
                for entry in _acl_entries(rng, public):
                    lab.create_network_acl_entry(acl, *entry)
                acls[public].append(acl)
        # Route tables: public (0.0.0.0/0 → gateway, plus partner routes), private (→ NAT gateway).
        public_rt = lab.create_route_table(vpc, name=f"public-{v}")
        lab.create_route(public_rt, "0.0.0.0/0", igw)
        partners = set()
        while len(partners) < 20:
            partners.add(_public_cidr(rng))
        for partner in sorted(partners):
            lab.create_route(public_rt, partner, igw)
        plan.append((vpc, igw, role_groups, acls, public_rt))
    # Subnets, round-robin over the VPCs, each with a role.
    nat_rts = {}
    subnets = []
    for s in range(subnets_total):
        vpc, igw, role_groups, acls, public_rt = plan[s % VPCS]
        role = list(ROLES)[(s // VPCS) % len(ROLES)]
        public, _ = ROLES[role]
        subnet = lab.create_subnet(
            vpc, f"10.{s % VPCS}.{s // VPCS}.0/24", name=f"{role}-{s}", map_public_ip_on_launch=public
        )
        lab.replace_network_acl_association(acls[public][s % 2], subnet)
        if public:
            lab.associate_route_table(public_rt, subnet)
            if vpc.id not in nat_rts:
                nat = lab.create_nat_gateway(subnet, lab.allocate_address())
                private_rt = lab.create_route_table(vpc, name=f"private-{vpc.name}")
                lab.create_route(private_rt, "0.0.0.0/0", nat)
                nat_rts[vpc.id] = private_rt
        subnets.append((subnet, role))
    for subnet, role in subnets:
        if not ROLES[role][0]:
            lab.associate_route_table(nat_rts[subnet.vpc.id], subnet)
    # Instances: 25 per subnet; each carries 1-3 of its role's groups.
    for n in range(instances):
        subnet, role = subnets[n % len(subnets)]
        role_groups = plan[int(subnet.vpc.name.split("-")[1])][2][role]
        lab.run_instance(subnet, security_groups=role_groups[: rng.randint(1, ROLES[role][1])])
    return lab


def classroom() -> tuple[vpclab.Lab, object]:
    """The lesson's topology: VPC, public subnet with 0.0.0.0/0 → gateway, web server (80, 443)."""
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    public = lab.create_subnet(vpc, "10.0.1.0/24")
    lab.create_subnet(vpc, "10.0.2.0/24")
    table = lab.create_route_table(vpc)
    lab.create_route(table, "0.0.0.0/0", igw)
    lab.associate_route_table(table, public)
    web_sg = lab.create_security_group(vpc, "web", "web")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="0.0.0.0/0")
    web = lab.run_instance(public, security_groups=[web_sg])
    lab.associate_address(lab.allocate_address(), web)
    return lab, web


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def mean_of(fn, calls: int) -> float:
    fn()  # warm up
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def main() -> None:
    print(f"vpclab {vpclab.__version__} engine benchmark (seed {SEED}, Python {sys.version.split()[0]})", flush=True)
    labs = {}
    for size in SIZES:
        labs[size] = build_lab(size)
    timings = {}
    for size in SIZES:
        lab = labs[size]
        report = lab.exposure()
        exposed = sum(1 for e in report if e.inbound)
        outbound = sum(1 for e in report if e.outbound)
        timings[size] = best_of(lab.exposure, repeat=5 if size <= 2_500 else 3)
        print(
            f"  exposure() {size:>5} instances, {len(lab.subnets):>3} subnets, {len(lab.security_groups):>2} groups: "
            f"{timings[size] * 1000:8.1f} ms  ({exposed} exposed, {outbound} reach the internet)"
        )
    baseline = best_of(labs[2_500].to_json, repeat=3)
    lab, web = classroom()
    explicit = mean_of(lambda: lab.analyze("198.51.100.7", web, "tcp", 80), calls=2_000)
    some_host = mean_of(lambda: lab.analyze("internet", web, "tcp", 80), calls=2_000)
    blocked = mean_of(lambda: lab.analyze("internet", web, "tcp", 22), calls=2_000)
    outbound = mean_of(lambda: lab.analyze(web, "internet", "tcp", 443), calls=2_000)
    growth = timings[5_000] / timings[500]
    print()
    print(f"exposure() of 2,500 instances:     {timings[2_500]:.3f} s   (goal < 0.5 s)")
    print(f"growth time(5,000) / time(500):    {growth:.2f}     (goal <= 12)")
    print(f"analyze() classroom, mean:         {explicit * 1e6:.0f} us  (198.51.100.7 -> web tcp 80; goal << 1 ms)")
    print(f"  'internet' -> web tcp 80:        {some_host * 1e6:.0f} us")
    print(f"  'internet' -> web tcp 22 (no):   {blocked * 1e6:.0f} us")
    print(f"  web -> 'internet' tcp 443:       {outbound * 1e6:.0f} us")
    print(f"baseline to_json() of 2,500:       {baseline:.3f} s   exposure / to_json = {timings[2_500] / baseline:.2f}")


if __name__ == "__main__":
    main()
