"""The audit's last step: each entry's verdict is ``exposed``, ``none`` or ``unknown``, never a guess.

An answer is right or explicitly unknown, with the reason. An entry is unknown (unless something is
already known to be exposed) where its path crosses a placeholder for a describe call the snapshot
lacks, a component outside the model, an IPv6 part the model leaves out, or a load
balancer that could carry internet traffic to it but whose describe calls are missing. Each reason names
the component and, where a describe call would settle it, the call (``aws ec2 describe-route-tables
--region us-east-1``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .load_balancers import could_admit_balancer, paths_through

# The describe call behind each top-level key of a snapshot (what to collect to settle an unknown).
DESCRIBE_CALLS = {
    "Vpcs": "ec2 describe-vpcs",
    "Subnets": "ec2 describe-subnets",
    "RouteTables": "ec2 describe-route-tables",
    "NetworkAcls": "ec2 describe-network-acls",
    "SecurityGroups": "ec2 describe-security-groups",
    "InternetGateways": "ec2 describe-internet-gateways",
    "Reservations": "ec2 describe-instances",
    "NetworkInterfaces": "ec2 describe-network-interfaces",
    "NatGateways": "ec2 describe-nat-gateways",
    "Addresses": "ec2 describe-addresses",
    "PrefixLists": "ec2 describe-managed-prefix-lists",
    "EgressOnlyInternetGateways": "ec2 describe-egress-only-internet-gateways",
    "VpcBlockPublicAccessOptions": "ec2 describe-vpc-block-public-access-options",
    "VpcBlockPublicAccessExclusions": "ec2 describe-vpc-block-public-access-exclusions",
    "LoadBalancers": "elbv2 describe-load-balancers",
    "LoadBalancerDescriptions": "elb describe-load-balancers",
    "Listeners": "elbv2 describe-listeners",
    "TargetGroups": "elbv2 describe-target-groups",
    "TargetHealth": "elbv2 describe-target-health",
}


def collect_command(key: str, region: str) -> str:
    """The AWS CLI call that collects a snapshot key: ``aws ec2 describe-route-tables --region us-east-1``."""
    return f"aws {DESCRIBE_CALLS.get(key, key)} --region {region}"


UNKNOWN_WHYS = ("not_collected", "outside_model", "ipv6")


@dataclass(frozen=True)
class UnknownReason:
    """Why (part of) an answer is unknown: ``why`` is one of ``UNKNOWN_WHYS``."""

    why: str
    component: str
    describe: str | None = None  # the snapshot key whose describe call would settle it
    region: str | None = None
    direction: str = "inbound"  # or "outbound": which of the entry's two answers it leaves open

    @property
    def collect(self) -> str | None:
        return collect_command(self.describe, self.region) if self.describe and self.region else None

    def to_data(self) -> dict:
        return {
            "direction": self.direction,
            "why": self.why,
            "component": self.component,
            "describe": self.describe,
            "collect": self.collect,
        }


def missing_keys(detail: str) -> tuple[list[str], str | None]:
    """The snapshot keys and Region of a ``not_collected`` note's detail: ``"Vpcs, Subnets (us-east-1)"``."""
    keys, _, rest = detail.partition(" (")
    region = rest.rstrip(")") or None
    return [k.strip().rstrip(":") for k in keys.split(",") if k.strip()], region


def _placeholders(lab) -> dict[str, list[str]]:
    """Placeholder id -> the snapshot keys it stands in for (from the importer's ``not_collected`` notes)."""
    return {item.id: missing_keys(item.detail)[0] for item in lab.unsupported if item.why == "not_collected"}


def uncollected_instances(lab):
    """(id, subnet id, private IP, public IP, Region, reasons) of the instances a partial snapshot lists
    without their subnet: the report has an entry for each, unknown, naming what to collect."""
    for item in lab.unsupported:
        if item.kind == "instance" and item.why == "not_collected":
            keys, region = missing_keys(item.detail)
            addresses = [*(a for a in item.addresses if ":" not in a), None, None]  # private, then public IPv4
            reasons = [UnknownReason("not_collected", item.where, key, region) for key in keys]
            yield item.id, item.where, addresses[0] or "", addresses[1], region, reasons


def _adder(reasons: list):
    def add(reason: UnknownReason) -> None:
        if reason not in reasons:
            reasons.append(reason)

    return add


def decide(shared, entries, display) -> None:
    """Fill in ``region``, ``vpc_id``, load-balancer paths and the unknown reasons of every entry."""
    lab = shared.lab
    placeholders = _placeholders(lab)
    lb = paths_through(shared, set(placeholders), display)
    uncollected_lbs: dict[str, list[str]] = {}
    ipv6: dict[str, list[str]] = {}
    prefix_lists: dict[str, list[str]] = {}
    unread_lbs: dict[str, list[str]] = {}
    for item in lab.unsupported:
        if item.why == "not_collected" and item.kind == "load-balancer":
            uncollected_lbs.setdefault(item.where, []).extend(missing_keys(item.detail)[0])
        elif item.why == "ipv6" and item.kind == "ipv6-address":
            ipv6.setdefault(item.where, []).append(item.id)
        elif item.why == "prefix_list":
            prefix_lists.setdefault(item.where, []).append(item.id)
        elif item.kind == "load-balancer" and item.why == "outside_model" and not hasattr(lab, "load_balancers"):
            unread_lbs.setdefault(item.where, []).append(item.id)  # a saved lab: the paths were not kept
    ends = {i.id: i for i in lab.instances.values()} | dict(lab.network_interfaces)
    for entry in entries:
        end = ends[entry.interface_id or entry.instance_id]
        region = end.vpc.region or lab.region
        entry.region, entry.vpc_id = region, end.vpc.id
        entry.via_load_balancers = list(lb.reachable.get(end.id, []))
        reasons: list[UnknownReason] = []
        add = _adder(reasons)

        answers = (
            ("inbound", entry.inbound_code, entry.inbound_blocked_at),
            ("outbound", entry.outbound_code, entry.outbound_blocked_at),
            ("inbound", entry.inbound_v6_code, entry.inbound_v6_blocked_at),  # IPv6: the same unknowns
            ("outbound", entry.outbound_v6_code, entry.outbound_v6_blocked_at),
        )
        for direction, code, at in answers:
            if code == "UNSUPPORTED_COMPONENT" and at:
                for key in placeholders.get(at) or [None]:
                    why = "not_collected" if key else "outside_model"
                    add(UnknownReason(why, at, key, region if key else None, direction))
        for component, key in lb.unknown.get(end.id, []):
            add(UnknownReason("not_collected", component, key, region))
        if not entry.inbound and not entry.via_load_balancers and could_admit_balancer(end, end.vpc, set(placeholders)):
            for key in uncollected_lbs.get(region, []):
                add(UnknownReason("not_collected", key, key, region))
            for name in unread_lbs.get(end.vpc.id, []):
                add(UnknownReason("outside_model", name))
        table = lab.route_table_of(end.subnet)
        for place in (table.id, *(g.id for g in end.security_groups)):
            for list_id in prefix_lists.get(place, []):  # a route or rule left out: its CIDRs are unknown
                add(UnknownReason("not_collected", list_id, "PrefixLists", region))
                if entry.outbound is False:
                    entry.outbound = None
                if entry.outbound is None:
                    add(UnknownReason("not_collected", list_id, "PrefixLists", region, "outbound"))
        for address in ipv6.get(end.id, []):  # reachable over IPv6 either way, which vpclab does not model
            add(UnknownReason("ipv6", address))
            if entry.outbound is False:
                entry.outbound = None
                add(UnknownReason("ipv6", address, direction="outbound"))
        entry.unknown = reasons
