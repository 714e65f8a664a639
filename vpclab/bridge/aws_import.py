"""``Lab.from_aws`` / ``Lab.from_boto3``: a real account's network, built from ``aws ec2 describe-*`` output.

The snapshot is read by ``aws_files`` (files, limits, dispatch on top-level keys) and built here into a
new lab, directly (not through the classroom verbs, whose quotas a real account may exceed): VPCs,
subnets, internet gateways, network ACLs, security groups, then instances, NAT gateways and addresses
(``aws_compute``), then route tables, whose targets need all of those, the resources outside the model
and the placeholders (``aws_routes``). Decisions (docs/modelling-choices.md, "Importing a real account"):

- Real ids are kept. Ids the snapshot lacks (association ids, security-group rule ids) come from the
  lab's counters, which first move past every vpclab-style id in the snapshot, so later verbs never
  hand out an id or a public address again.
- Several Regions: each VPC remembers its own (``Vpc.region``, None for the lab's), ``lab.region`` is the
  first VPC's, and a subnet's zone is checked against its VPC's Region.
- What the model does not cover is listed in ``lab.unsupported`` (kind, id, where, why); a route to it
  points at an ``UnsupportedTarget`` holding the state AWS reported. A describe call missing from the
  snapshot gets a placeholder (main route table, default ACL, default group) that the engine does not
  judge; a partial snapshot (instances only, a filtered describe call) loads what it holds and lists the
  rest as not collected. IPv6 blocks, addresses, routes and rules, egress-only gateways and each Region's
  Block Public Access are read by ``aws_ipv6``.
- Load balancers (``aws_lb``) are read for the exposure audit (``lab.load_balancers``), and each VPC's and
  instance's owner account (``lab.owners``); neither is saved by ``to_json``.
- Anything malformed or inconsistent is an ``AwsSnapshotError`` naming the file and the field; the lab
  is returned only when it is whole (its invariants hold and it saves and loads again).
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address

from ..model.addressing import NOT_ROUTABLE
from ..model.errors import AwsSnapshotError, LabFileError, VpcLabError
from ..model.imported import Unsupported
from ..model.invariants import problems
from ..model.regions import DEFAULT_REGION, ID_KINDS, REGIONS, id_number
from ..model.resources import (
    InternetGateway,
    Subnet,
    Vpc,
)
from . import aws_compute, aws_filters, aws_ids, aws_ipv6, aws_lb, aws_routes
from .aws_files import Bucket, Where
from .aws_nodes import Node

_OURS = re.compile(r"\b([a-z]+(?:-[a-z]+)*)-(0[0-9a-f]{16})\b")  # an id vpclab could have handed out


class Importer:
    """Builds one lab from the buckets of a snapshot; every check names the snapshot's file and field."""

    def __init__(self, lab_class, buckets: list[Bucket], region: str | None = None) -> None:
        self.buckets = buckets
        self.default_region = region
        self.items: dict[str, list[tuple[Node, str]]] = {}  # describe key -> (item, its Region)
        self.collected: dict[str, set[str]] = {}  # Region -> describe keys its snapshot holds
        self.lab_class = lab_class
        self.lab = None
        self.unsupported: dict[tuple[str, str, str], Unsupported] = {}
        self.prefix_lists: dict[str, list] = {}
        self.seen_ids: dict[str, Where] = {}
        self.static_routes: dict[tuple, tuple[str, str]] = {}  # (table id, destination) -> (target id, state)

    # ---- the whole import ------------------------------------------------------------------------
    def run(self):
        self._regions()
        lab = self.lab = self.lab_class(region=self._lab_region())
        self._move_counters()
        self._prefix_lists()
        self._vpcs()
        self._subnets()
        self._internet_gateways()
        aws_ipv6.egress_only_gateways(self)
        aws_ipv6.block_public_access(self)
        aws_filters.network_acls(self)
        aws_filters.security_groups(self)
        aws_compute.build(self)
        aws_lb.build(self)
        aws_routes.route_tables(self)
        aws_routes.other_resources(self)
        aws_routes.placeholders(self)
        lab.unsupported = list(self.unsupported.values())
        lab.renamed_ids = self.renamed_ids  # (id in the snapshot, id in the lab, Region), see aws_ids
        self._public_counter()
        aws_ipv6.move_block_counter(self)
        self._check()
        return lab

    # ---- Regions -----------------------------------------------------------------------------------
    def _regions(self) -> None:
        """Each bucket's Region: its folder's, else the zones of its subnets, else ``region=``."""
        for bucket in self.buckets:
            if bucket.region is None:
                zones = [
                    item.get("AvailabilityZone")
                    for item, _ in bucket.items.get("Subnets", [])
                    if isinstance(item, dict) and isinstance(item.get("AvailabilityZone"), str)
                ]
                inferred = sorted({z[:-1] for z in zones if len(z) > 1})
                if len(inferred) > 1:
                    raise AwsSnapshotError(
                        "InvalidAwsSnapshot:regions", where=bucket.where, regions=", ".join(inferred)
                    )
                bucket.region = inferred[0] if inferred else (self.default_region or DEFAULT_REGION)
            if bucket.region not in REGIONS:
                raise AwsSnapshotError(
                    "InvalidAwsSnapshot:region",
                    where=bucket.where,
                    region=bucket.region[:40],
                    regions=", ".join(REGIONS),
                )
        # An anonymised snapshot may give two Regions' resources one id: the later Region's is renamed.
        self.renamed_ids = aws_ids.separate_regions(self.buckets)
        for bucket in self.buckets:
            self.collected.setdefault(bucket.region, set()).update(k for k in bucket.items)
            for key, entries in bucket.items.items():
                self.items.setdefault(key, []).extend((Node(item, where), bucket.region) for item, where in entries)

    def _lab_region(self) -> str:
        for _, region in self.items.get("Vpcs", []):
            return region
        return self.buckets[0].region if self.buckets else (self.default_region or DEFAULT_REGION)

    def of(self, key: str) -> list[tuple[Node, str]]:
        return self.items.get(key, [])

    def was_collected(self, region: str, key: str) -> bool:
        return key in self.collected.get(region, set())

    # ---- ids and notes -------------------------------------------------------------------------------
    def new_id(self, node: Node, key: str, prefix: str, table: dict) -> str | None:
        """A resource's id, checked; None for a repeat (one item in two Regions' files, or a VPC shared with
        other accounts, which each list it, only the owner with its tags)."""
        value = node.id(key, prefix)
        if value in table or value in self.seen_ids:
            first = self.seen_ids.get(value)
            if first is not None and self._same(first, node):
                self._adopt_name(table.get(value), node)
                return None
            raise AwsSnapshotError("InvalidAwsSnapshot:duplicate_id", where=node.at(key).where, id=value)
        self.seen_ids[value] = node
        return value

    @staticmethod
    def _same(first, node: Node) -> bool:
        """The same resource: equal records once set aside what each account of a shared VPC sees its own way:
        the tags (only the owner's), the free-address count, and the zone's name (letters are mapped per
        account; ``AvailabilityZoneId`` is the zone itself)."""
        if not isinstance(first, Node) or not isinstance(first.value, dict) or not isinstance(node.value, dict):
            return isinstance(first, Node) and first.value == node.value

        def untagged(value: dict) -> dict:
            skip = {"Tags", "TagSet", "AvailableIpAddressCount"}
            if "AvailabilityZoneId" in value:
                skip.add("AvailabilityZone")
            return {k: v for k, v in value.items() if k not in skip}

        return untagged(first.value) == untagged(node.value)

    @staticmethod
    def _adopt_name(resource, node: Node) -> None:
        """A shared resource listed first by an account that sees no tags takes the owner's Name tag."""
        if resource is not None and getattr(resource, "name", "") is None and node.name() is not None:
            resource.name = node.name()

    def note(self, kind: str, item_id: str, where: str, why: str, detail: str = "", addresses=()) -> None:
        """List something the lab does not model (once per kind, id and reason; a prefix list whose CIDRs
        are missing once per place it is used, since each place's answers become unknown)."""
        key = (kind, item_id, why, where if why == "prefix_list" else "")
        if key not in self.unsupported:
            text = [str(a) for a in addresses]
            self.unsupported[key] = Unsupported(kind, item_id[:256], where[:256], why, detail[:256], tuple(text))

    def lab_cidrs(self) -> list:
        return [c for v in self.lab.vpcs.values() for c in v.cidrs]

    def generated(self, kind: str) -> str:
        return self.lab._new_id(kind)

    def _move_counters(self) -> None:
        """Counters past every id of vpclab's own form in the snapshot, before any id is generated."""
        stack = [entry for bucket in self.buckets for entries in bucket.items.values() for entry, _ in entries]
        counters = self.lab.counters
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
            elif isinstance(value, str) and "-0" in value:
                for kind, digits in _OURS.findall(value):
                    number = id_number(kind, f"{kind}-{digits}") if kind in ID_KINDS else None
                    if number is not None:
                        counters[kind] = max(counters.get(kind, 0), number)

    # ---- prefix lists (for prefix-list routes and rules) ------------------------------------------
    def _prefix_lists(self) -> None:
        for node, _ in self.of("PrefixLists"):
            list_id = node.id("PrefixListId", "pl")
            if node.has("Cidrs"):
                cidrs = [n.value for n in node.items("Cidrs")]
                place = node.where.key("Cidrs")
                self.prefix_lists[list_id] = [
                    Node({"c": c}, place).cidr6("c") if ":" in c else Node({"c": c}, place).cidr("c")
                    for c in cidrs
                    if isinstance(c, str)
                ]

    # ---- VPCs and subnets ----------------------------------------------------------------------------
    def _vpcs(self) -> None:
        lab = self.lab
        for node, region in self.of("Vpcs"):
            vpc_id = self.new_id(node, "VpcId", "vpc", lab.vpcs)
            if vpc_id is None:
                continue
            primary = node.cidr("CidrBlock")
            cidrs, association_ids = [], []
            for entry in node.items("CidrBlockAssociationSet"):
                state = entry.child("CidrBlockState")
                if state is not None and state.text("State", optional=True) not in (None, "associated"):
                    continue  # disassociated: no longer the VPC's
                block = entry.cidr("CidrBlock")
                if block in cidrs:
                    continue
                cidrs.append(block)
                association_ids.append(entry.id("AssociationId", "vpc-cidr-assoc", optional=True))
            if primary not in cidrs:
                cidrs.insert(0, primary)
                association_ids.insert(0, None)
            else:  # the primary CIDR first, as EC2 lists it
                k = cidrs.index(primary)
                cidrs.insert(0, cidrs.pop(k))
                association_ids.insert(0, association_ids.pop(k))
            for k, block in enumerate(cidrs):
                overlap = any(block.overlaps(c) for c in (*NOT_ROUTABLE, *cidrs[:k]))
                if not 16 <= block.prefixlen <= 28 or overlap:
                    raise AwsSnapshotError(
                        "InvalidAwsSnapshot:value", where=node.at("CidrBlock").where, value=str(block)
                    )
            association_ids = [a or self.generated("vpc-cidr-assoc") for a in association_ids]
            vpc = Vpc(vpc_id, cidrs, node.name(), association_ids)
            vpc.region = region if region != lab.region else None
            lab.vpcs[vpc_id] = vpc
            aws_ipv6.vpc_blocks(self, node, vpc)

    def vpc_or_note(self, node: Node, kind: str, item_id: str, region: str) -> Vpc | None:
        """The item's VPC; None, with the item listed as not collected, where a filtered describe-vpcs
        left the VPC out (a partial snapshot loads what it has)."""
        vpc_id = node.id("VpcId", "vpc")
        if vpc_id not in self.lab.vpcs:
            self.note(kind, item_id, vpc_id, "not_collected", detail=f"Vpcs ({region})")
            return None
        return self.lab.vpcs[vpc_id]

    def vpc_of(self, node: Node, key: str = "VpcId") -> Vpc:
        vpc_id = node.id(key, "vpc")
        if vpc_id not in self.lab.vpcs:
            raise AwsSnapshotError("InvalidAwsSnapshot:reference", where=node.at(key).where, id=vpc_id)
        return self.lab.vpcs[vpc_id]

    def _subnets(self) -> None:
        lab = self.lab
        for node, region in self.of("Subnets"):
            subnet_id = self.new_id(node, "SubnetId", "subnet", lab.subnets)
            if subnet_id is None:
                continue
            vpc = self.vpc_or_note(node, "subnet", subnet_id, region)
            if vpc is None:
                continue
            native = node.flag("Ipv6Native", False) or not node.has("CidrBlock")
            if native and node.has("CidrBlock"):  # AWS gives an IPv6-only subnet no IPv4 CIDR (fact sheet §12.1)
                raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.at("Ipv6Native").where, value="true")
            block = None if native else node.cidr("CidrBlock")
            if block is not None and (
                not 16 <= block.prefixlen <= 28 or not any(block.subnet_of(c) for c in vpc.cidrs)
            ):
                raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.at("CidrBlock").where, value=str(block))
            mine = [s for s in lab.subnets.values() if s.vpc is vpc and s.cidr is not None]
            other = next((s for s in mine if block is not None and s.cidr.overlaps(block)), None)
            if other is not None:
                raise AwsSnapshotError(
                    "InvalidAwsSnapshot:overlap", where=node.at("CidrBlock").where, value=str(block), id=other.id
                )
            zone = node.text("AvailabilityZone")
            zones = lab.zones_of(vpc)
            if zone not in zones:
                raise AwsSnapshotError(
                    "InvalidAwsSnapshot:zone",
                    where=node.at("AvailabilityZone").where,
                    zone=zone[:40],
                    zones=", ".join(zones),
                )
            # An IPv6-only subnet has no IPv4 to map: the setting is left off whatever the record says.
            public = not native and node.flag("MapPublicIpOnLaunch", False)
            subnet = Subnet(subnet_id, vpc, block, zone, node.name(), public, ipv6_native=native)
            aws_ipv6.subnet_block(self, node, subnet)
            lab.subnets[subnet_id] = subnet

    def subnet_of(self, node: Node, key: str = "SubnetId") -> Subnet:
        subnet_id = node.id(key, "subnet")
        if subnet_id not in self.lab.subnets:
            raise AwsSnapshotError("InvalidAwsSnapshot:reference", where=node.at(key).where, id=subnet_id)
        return self.lab.subnets[subnet_id]

    # ---- internet gateways ------------------------------------------------------------------------
    def _internet_gateways(self) -> None:
        lab = self.lab
        for node, region in self.of("InternetGateways"):
            gateway_id = self.new_id(node, "InternetGatewayId", "igw", lab.internet_gateways)
            if gateway_id is None:
                continue
            gateway = InternetGateway(gateway_id, node.name())
            for attachment in node.items("Attachments"):
                if attachment.text("State", optional=True) not in (None, "available", "attached"):
                    continue
                vpc = self.vpc_or_note(attachment, "internet-gateway", gateway_id, region)
                if vpc is None:
                    continue
                if vpc.internet_gateway is not None or gateway.vpc is not None:
                    raise AwsSnapshotError(
                        "InvalidAwsSnapshot:second_gateway", where=attachment.at("VpcId").where, id=vpc.id
                    )
                gateway.vpc, vpc.internet_gateway = vpc, gateway
            lab.internet_gateways[gateway_id] = gateway

    # ---- counters and the final check ---------------------------------------------------------------------
    def _public_counter(self) -> None:
        """The public-address counter past every address of the Region's pool the account uses."""
        lab = self.lab
        used = [e.public_ip for e in lab.elastic_ips.values()]
        used += [
            x.auto_public_ip for x in (*lab.instances.values(), *lab.network_interfaces.values()) if x.auto_public_ip
        ]
        used += [IPv4Address(a) for u in lab.unsupported for a in u.addresses if ":" not in a]
        indexes = [i for i in (lab._pool.index(a) for a in used) if i is not None]
        if indexes:
            lab.public_ip_counter = min(max(lab.public_ip_counter, max(indexes) + 1), lab._pool.size - 1)

    def _check(self) -> None:
        """The lab must be whole: its invariants hold, and it saves and loads again as it is."""
        lab = self.lab
        found = problems(lab)
        if found:
            raise AwsSnapshotError("InvalidAwsSnapshot:inconsistent", where=Where("(snapshot)", ""), detail=found[0])
        try:
            type(lab).from_json(lab.to_json(indent=None))
        except LabFileError as error:
            raise AwsSnapshotError(
                "InvalidAwsSnapshot:inconsistent", where=Where("(snapshot)", ""), detail=f"{error.field}: {error.key}"
            ) from None


def build(lab_class, buckets: list[Bucket], region: str | None = None):
    """A new lab from the buckets of a snapshot, or ``AwsSnapshotError``; never half a lab."""
    try:
        return Importer(lab_class, buckets, region).run()
    except AwsSnapshotError:
        raise
    except (VpcLabError, RecursionError, ValueError, TypeError, KeyError, AttributeError) as error:
        # A gap in the checks must still end in the one refusal callers expect, never a half-built lab.
        raise AwsSnapshotError(
            "InvalidAwsSnapshot:inconsistent", where=Where("(snapshot)", ""), detail=type(error).__name__
        ) from None
