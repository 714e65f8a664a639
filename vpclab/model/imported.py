"""What a lab imported from a real account holds beyond the classroom model: the parts it cannot judge.

A real account has resources vpclab does not model (peering connections, transit and virtual private
gateways, endpoints, load balancers, ...). The importer keeps them out of the model but lists them
(``lab.unsupported``), and a route whose target is one of them points at an ``UnsupportedTarget`` with
the state AWS reported, so that a blackhole stays a blackhole and an active route makes the engine
answer ``reachable=None`` with the code ``UNSUPPORTED_COMPONENT`` instead of a guess. Both are plain
values with no reference to the lab.
"""

from __future__ import annotations

from dataclasses import dataclass

# Id prefix of a route target -> the kind of component (AWS's resource-type spelling).
TARGET_KINDS = {
    "pcx": "vpc-peering-connection",
    "tgw": "transit-gateway",
    "vgw": "vpn-gateway",
    "vpce": "vpc-endpoint",
    "eigw": "egress-only-internet-gateway",
    "cagw": "carrier-gateway",
    "lgw": "local-gateway",
    "eni": "network-interface",
    "nat": "nat-gateway",
    "i": "instance",
    "igw": "internet-gateway",
    "arn": "core-network",
}

# Why an item is listed (catalog key ``unsupported.<why>``, placeholders {kind} {id} {where} {detail}).
REASONS = (
    "outside_model",  # a kind of resource vpclab does not model
    "other_service",  # a network interface that belongs to another service (load balancer, endpoint, ...)
    "not_collected",  # the describe call is not in the snapshot: the placeholder is not judged
    "ipv6",  # an IPv6 part the model does not cover (an IPv6-only subnet)
    "prefix_list",  # a prefix list whose CIDRs are not in the snapshot
    "gateway_route_table",  # a route table associated with a gateway (ingress routing)
    "foreign_group",  # a rule naming a security group of another VPC or account
    "protocol",  # a rule for an IP protocol other than tcp, udp, icmp, all
    "secondary_address",  # a secondary private address of a network interface
    "private_nat",  # a private NAT gateway (no Elastic IP)
    "no_subnet",  # an instance outside any VPC subnet (EC2-Classic)
    "duplicate_interface",  # a network interface id used by several instances: a new id was given
    "duplicate_group_name",  # a security group name used twice in a VPC: the later group was renamed
    "reserved_address",  # an address AWS never assigns (kept as the snapshot says)
    "held_address",  # an Elastic IP held by something outside the model
    "replaced_address",  # an address AWS never assigns there (an emulator's): replaced as vpclab allocates
)


@dataclass(frozen=True)
class UnsupportedTarget:
    """The target of a route that vpclab does not model (``pcx-…``, ``tgw-…``, ``vgw-…``, ``vpce-…``,
    a network interface of another service, ...). ``state`` is what AWS reported for the route:
    ``"active"`` or ``"blackhole"``."""

    id: str
    kind: str
    state: str = "active"

    def __repr__(self) -> str:
        return f"UnsupportedTarget({self.id!r}, {self.kind}, {self.state})"


def exclusions_placeholder(region: str) -> str:
    """The id under which an imported lab lists a Region's Block Public Access exclusions as not collected:
    while it is listed, a path that the Region's mode would block is unknown (an exclusion may open it)."""
    return f"vpcbpa-exclusions-{region}"


def target_kind(target_id: str) -> str:
    """The kind of a route target from its id (``pcx-0a1…`` -> ``vpc-peering-connection``)."""
    prefix = target_id.split(":", 1)[0] if target_id.startswith("arn:") else target_id.split("-", 1)[0]
    return TARGET_KINDS.get(prefix, "unknown")


@dataclass(frozen=True)
class Unsupported:
    """One thing of the real account that the lab does not model, and why.

    Attributes:
        kind: what it is (``vpc-peering-connection``, ``load-balancer``, ``network-interface``, ...).
        id: its id (or, for a rule or an address, the text that identifies it).
        where: the VPC, subnet, route table or Region it belongs to.
        why: one of ``REASONS`` (the catalog key ``unsupported.<why>`` explains it in both languages).
        detail: a short fact from the snapshot (a CIDR, an interface type, a protocol), or "".
        addresses: private and public IPv4 addresses it holds; an analysis to one of them answers
            ``reachable=None``.
    """

    kind: str
    id: str
    where: str
    why: str
    detail: str = ""
    addresses: tuple[str, ...] = ()

    def text(self, lang: str | None = None) -> str:
        from .i18n import tr

        return tr(f"unsupported.{self.why}", lang, kind=self.kind, id=self.id, where=self.where, detail=self.detail)
