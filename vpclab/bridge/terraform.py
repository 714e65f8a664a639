"""``to_terraform(lab)``: the lab as Terraform HCL for the hashicorp/aws provider (v5).

Resources refer to each other by Terraform reference (``aws_vpc.lab_vpc.id``), never by the lab's ids,
so ``terraform apply`` builds the same network in a real account. Routes and rules are separate
resources (``aws_route``, ``aws_vpc_security_group_ingress_rule``, ``aws_network_acl_rule``); the VPC's
default security group and default network ACL, which Terraform adopts rather than creates, take
their rules inline, as the provider requires.
"""

from __future__ import annotations

from ..model.addressing import Protocol
from ..model.resources import EgressOnlyInternetGateway, InstanceState, InternetGateway, NatGateway
from . import plan
from .hcl import Block, Expr, resource, string
from .names import Names, cidr_words


def _tags(resource_) -> dict | None:
    return {"Name": resource_.name} if resource_.name else None


class _Writer:
    def __init__(self, lab) -> None:
        self.lab, self.n = lab, Names(lab)
        self.parts: list[str] = []

    def add(self, kind, name, items, comment=None) -> None:
        self.parts.append(resource(kind, name, items, comment))

    def note(self, text: str) -> None:
        self.parts.append("\n".join(f"# {line}" for line in text.splitlines()))

    # ---- references ---------------------------------------------------------------------------
    def vpc(self, vpc) -> Expr:
        return Expr(f"aws_vpc.{self.n.tf(vpc)}.id")

    def subnet(self, subnet) -> Expr:
        return Expr(f"aws_subnet.{self.n.tf(subnet)}.id")

    def attachment(self, gateway) -> Expr:
        return Expr(f"aws_internet_gateway_attachment.{self.n.tf(gateway)}")

    def group(self, group) -> Expr:
        if not group.is_default:
            return Expr(f"aws_security_group.{self.n.tf(group)}.id")
        if plan.default_group_changed(group):
            return Expr(f"aws_default_security_group.{self.n.tf(group)}.id")
        return Expr(f"aws_vpc.{self.n.tf(group.vpc)}.default_security_group_id")

    def table(self, table) -> Expr:
        kind = (
            "aws_default_route_table" if table is plan.original_main_table(self.lab, table.vpc) else "aws_route_table"
        )
        return Expr(f"{kind}.{self.n.tf(table)}.id")

    def acl(self, acl) -> Expr:
        return Expr(f"aws_network_acl.{self.n.tf(acl)}.id")

    # ---- sections -----------------------------------------------------------------------------
    def header(self) -> None:
        lines = plan.header_lines(self.lab, "Terraform configuration")
        self.note("\n".join(lines))
        self.parts.append(
            "terraform {\n  required_providers {\n    aws = {\n"
            '      source  = "hashicorp/aws"\n      version = ">= 5.0"\n    }\n  }\n}'
        )
        self.parts.append(f'variable "region" {{\n  type    = string\n  default = {string(self.lab.region)}\n}}')
        self.parts.append('provider "aws" {\n  region = var.region\n}')
        if plan.live_instances(self.lab):
            self.parts.append(
                'variable "ami_id" {\n'
                '  description = "An AMI of the Region for every instance (the default is a placeholder)"\n'
                f"  type        = string\n  default     = {string(plan.AMI_PLACEHOLDER)}\n}}"
            )

    def vpcs(self) -> None:
        for vpc in self.lab.vpcs.values():
            ipv6 = True if vpc.ipv6_cidr_blocks else None  # an Amazon /56, another one than the lab's
            self.add(
                "aws_vpc",
                self.n.tf(vpc),
                [("cidr_block", str(vpc.cidr)), ("assign_generated_ipv6_cidr_block", ipv6), ("tags", _tags(vpc))],
            )
            for cidr in vpc.cidrs[1:]:
                self.add(
                    "aws_vpc_ipv4_cidr_block_association",
                    "_".join([self.n.tf(vpc), *cidr_words(cidr)]),
                    [("vpc_id", self.vpc(vpc)), ("cidr_block", str(cidr))],
                )
        for subnet in self.lab.subnets.values():
            secondary = plan.in_secondary_cidr(subnet)
            after = None
            if secondary is not None:
                name = "_".join([self.n.tf(subnet.vpc), *cidr_words(secondary)])
                after = [Expr(f"aws_vpc_ipv4_cidr_block_association.{name}")]
            self.add(
                "aws_subnet",
                self.n.tf(subnet),
                [
                    ("vpc_id", self.vpc(subnet.vpc)),
                    ("cidr_block", str(subnet.cidr) if subnet.cidr is not None else None),
                    ("availability_zone", subnet.availability_zone),
                    ("map_public_ip_on_launch", subnet.map_public_ip_on_launch),
                    *self._subnet_ipv6(subnet),
                    ("tags", _tags(subnet)),
                    ("depends_on", after),
                ],
            )

    def _subnet_ipv6(self, subnet) -> list[tuple[str, object]]:
        number = plan.ipv6_subnet_number(subnet)
        if number is None:
            return []
        block = Expr(f"cidrsubnet(aws_vpc.{self.n.tf(subnet.vpc)}.ipv6_cidr_block, 8, {number})")
        native = subnet.ipv6_native or None  # an IPv6-only subnet: its instances always get an address
        return [
            ("ipv6_cidr_block", block),
            ("assign_ipv6_address_on_creation", subnet.assign_ipv6_address_on_creation or subnet.ipv6_native),
            ("ipv6_native", native),
            ("private_dns_hostname_type_on_launch", "resource-name" if native else None),  # required there
            ("enable_dns64", subnet.enable_dns64 or None),
        ]

    def ipv6_and_block_public_access(self) -> None:
        for line in plan.ipv6_left_out(self.lab):
            self.note(line)
        for gateway in self.lab.egress_only_internet_gateways.values():
            self.add(
                "aws_egress_only_internet_gateway",
                self.n.tf(gateway),
                [("vpc_id", self.vpc(gateway.vpc)), ("tags", _tags(gateway))],
            )
        mode = plan.block_public_access_mode(self.lab)
        if mode is not None:
            self.add(
                "aws_vpc_block_public_access_options",
                "region",
                [("internet_gateway_block_mode", mode)],
                "VPC Block Public Access for the whole Region of this account, above routes and security groups.",
            )
        for exclusion in self.lab.block_public_access_exclusions.values():
            where = (
                ("subnet_id", self.subnet(exclusion.subnet))
                if exclusion.subnet
                else ("vpc_id", self.vpc(exclusion.vpc))
            )
            self.add(
                "aws_vpc_block_public_access_exclusion",
                self.n.tf(exclusion),
                [where, ("internet_gateway_exclusion_mode", exclusion.mode.value), ("tags", _tags(exclusion))],
            )

    def gateways(self) -> None:
        for gateway in self.lab.internet_gateways.values():
            self.add("aws_internet_gateway", self.n.tf(gateway), [("tags", _tags(gateway))])
            if gateway.vpc is not None:
                self.add(
                    "aws_internet_gateway_attachment",
                    self.n.tf(gateway),
                    [
                        ("internet_gateway_id", Expr(f"aws_internet_gateway.{self.n.tf(gateway)}.id")),
                        ("vpc_id", self.vpc(gateway.vpc)),
                    ],
                )

    def route_tables(self) -> None:
        for table in self.lab.route_tables.values():
            vpc, name = table.vpc, self.n.tf(table)
            original = plan.original_main_table(self.lab, vpc)
            replaced = vpc.main_route_table is not original
            subnets = [a.subnet for a in table.associations if a.subnet is not None]
            if table is original:
                if not (plan.exported_routes(table) or subnets or table.name):
                    continue  # AWS's main table as it came: nothing to say
                source = (
                    f"aws_main_route_table_association.{self.n.tf(vpc)}.original_route_table_id"
                    if replaced
                    else f"aws_vpc.{self.n.tf(vpc)}.default_route_table_id"
                )
                self.add(
                    "aws_default_route_table",
                    name,
                    [("default_route_table_id", Expr(source)), ("tags", _tags(table))],
                    "The main route table the VPC was created with.",
                )
            else:
                self.add("aws_route_table", name, [("vpc_id", self.vpc(vpc)), ("tags", _tags(table))])
            if table is vpc.main_route_table and replaced:
                self.add(
                    "aws_main_route_table_association",
                    self.n.tf(vpc),
                    [("vpc_id", self.vpc(vpc)), ("route_table_id", self.table(table))],
                    "This table replaced the VPC's original main route table.",
                )
            for route in plan.exported_routes(table):
                target = route.target
                family = "destination_ipv6_cidr_block" if plan.is_ipv6(route.destination) else "destination_cidr_block"
                items = [("route_table_id", self.table(table)), (family, str(route.destination))]
                if isinstance(target, EgressOnlyInternetGateway):
                    items.append(
                        ("egress_only_gateway_id", Expr(f"aws_egress_only_internet_gateway.{self.n.tf(target)}.id"))
                    )
                elif isinstance(target, InternetGateway):
                    items += [
                        ("gateway_id", Expr(f"aws_internet_gateway.{self.n.tf(target)}.id")),
                        ("depends_on", [self.attachment(target)]),
                    ]
                elif isinstance(target, NatGateway):
                    items.append(("nat_gateway_id", Expr(f"aws_nat_gateway.{self.n.tf(target)}.id")))
                else:
                    ref = f"aws_instance.{self.n.tf(target)}.primary_network_interface_id"
                    items.append(("network_interface_id", Expr(ref)))
                self.add("aws_route", "_".join([name, *cidr_words(route.destination)]), items)
            for route, reason in plan.skipped_routes(table):
                self.note(
                    f"Left out: route {route.destination} -> {route.target_id} in {table.name or table.id}: {reason}."
                )
            for subnet in subnets:
                self.add(
                    "aws_route_table_association",
                    self.n.tf(subnet),
                    [("subnet_id", self.subnet(subnet)), ("route_table_id", self.table(table))],
                )

    def security_groups(self) -> None:
        for group in self.lab.security_groups.values():
            name = self.n.tf(group)
            if group.is_default:
                if plan.default_group_changed(group):
                    items = [("vpc_id", self.vpc(group.vpc))]
                    rules = sorted(group.rules, key=lambda r: r.egress)  # inbound first, then in the lab's order
                    items += [("egress" if r.egress else "ingress", self._inline_rule(group, r)) for r in rules]
                    self.add(
                        "aws_default_security_group",
                        name,
                        [*items, ("tags", _tags(group))],
                        "The VPC's default security group: Terraform replaces its rules with these.",
                    )
                continue
            if plan.group_text_note(group):
                self.note(plan.group_text_note(group))
            self.add(
                "aws_security_group",
                name,
                [
                    ("name", plan.group_name(group)),
                    ("description", plan.group_description(group)),
                    ("vpc_id", self.vpc(group.vpc)),
                    ("tags", _tags(group)),
                ],
                "Terraform removes AWS's allow-all egress rule from a new group; the rules below are all it has.",
            )
            counts = {False: 0, True: 0}
            for rule in group.rules:
                counts[rule.egress] += 1
                way = "out" if rule.egress else "in"
                kind = f"aws_vpc_security_group_{'egress' if rule.egress else 'ingress'}_rule"
                items = [("security_group_id", self.group(group)), ("ip_protocol", rule.protocol.value)]
                if rule.ports is not None:
                    items += [("from_port", rule.ports.first), ("to_port", rule.ports.last)]
                if rule.cidr is not None:
                    items.append(("cidr_ipv6" if plan.is_ipv6(rule.cidr) else "cidr_ipv4", str(rule.cidr)))
                else:
                    items.append(("referenced_security_group_id", self.group(self.lab.security_groups[rule.group_id])))
                self.add(kind, f"{name}_{way}_{counts[rule.egress]}", items)

    def _inline_rule(self, group, rule) -> Block:
        first, last = (0, 0) if rule.ports is None else (rule.ports.first, rule.ports.last)
        items = [("protocol", rule.protocol.value), ("from_port", first), ("to_port", last)]
        if rule.cidr is not None:
            items.append(("ipv6_cidr_blocks" if plan.is_ipv6(rule.cidr) else "cidr_blocks", [str(rule.cidr)]))
        elif rule.group_id == group.id:
            items.append(("self", True))
        else:
            items.append(("security_groups", [self.group(self.lab.security_groups[rule.group_id])]))
        return Block(items)

    def network_acls(self) -> None:
        for acl in self.lab.network_acls.values():
            name = self.n.tf(acl)
            users = [s for s in self.lab.subnets.values() if s.network_acl is acl]
            if acl.is_default:
                if plan.default_acl_changed(acl):
                    items = [("default_network_acl_id", Expr(f"aws_vpc.{self.n.tf(acl.vpc)}.default_network_acl_id"))]
                    items += [
                        ("egress" if e.egress else "ingress", self._inline_entry(e)) for e in plan.acl_entries(acl)
                    ]
                    items += [("subnet_ids", [self.subnet(s) for s in users]), ("tags", _tags(acl))]
                    self.add(
                        "aws_default_network_acl",
                        name,
                        items,
                        "The VPC's default network ACL: Terraform replaces its rules with these.",
                    )
                continue
            self.add("aws_network_acl", name, [("vpc_id", self.vpc(acl.vpc)), ("tags", _tags(acl))])
            for entry in plan.acl_entries(acl):
                items = [
                    ("network_acl_id", self.acl(acl)),
                    ("rule_number", entry.rule_number),
                    ("egress", entry.egress),
                    ("protocol", entry.protocol.value),
                    ("rule_action", entry.action.value),
                    ("ipv6_cidr_block" if plan.is_ipv6(entry.cidr) else "cidr_block", str(entry.cidr)),
                ]
                items += self._entry_ports(entry, "icmp_type", "icmp_code")
                way = "out" if entry.egress else "in"
                self.add("aws_network_acl_rule", f"{name}_{way}_{entry.rule_number}", items)
            for subnet in users:
                self.add(
                    "aws_network_acl_association",
                    self.n.tf(subnet),
                    [("network_acl_id", self.acl(acl)), ("subnet_id", self.subnet(subnet))],
                )

    @staticmethod
    def _entry_ports(entry, type_key: str, code_key: str) -> list[tuple[str, object]]:
        if entry.protocol is Protocol.ICMP:
            return [(type_key, entry.ports.first), (code_key, entry.ports.last)]
        if entry.ports is not None:
            return [("from_port", entry.ports.first), ("to_port", entry.ports.last)]
        return []

    def _inline_entry(self, entry) -> Block:
        items = [
            ("protocol", entry.protocol.value),
            ("rule_no", entry.rule_number),
            ("action", entry.action.value),
            ("ipv6_cidr_block" if plan.is_ipv6(entry.cidr) else "cidr_block", str(entry.cidr)),
        ]
        ports = self._entry_ports(entry, "icmp_type", "icmp_code")
        keys = {k for k, _ in ports}
        if "from_port" not in keys:
            ports += [("from_port", 0), ("to_port", 0)]  # required in the inline block, ignored for -1 and ICMP
        return Block(items + ports)

    def compute(self) -> None:
        for instance in plan.live_instances(self.lab):
            name = self.n.tf(instance)
            stopped = instance.state is InstanceState.STOPPED
            self.add(
                "aws_instance",
                name,
                [
                    ("ami", Expr("var.ami_id")),
                    ("instance_type", plan.INSTANCE_TYPE),
                    ("subnet_id", self.subnet(instance.subnet)),
                    ("private_ip", str(instance.private_ip) if instance.private_ip is not None else None),
                    ("vpc_security_group_ids", [self.group(g) for g in instance.security_groups]),
                    ("associate_public_ip_address", instance.auto_assign_public_ip),
                    ("ipv6_address_count", len(instance.ipv6_addresses) or None),
                    ("source_dest_check", False if instance in plan.routing_instances(self.lab) else None),
                    ("tags", _tags(instance)),
                ],
                "Stopped in the lab: aws_ec2_instance_state below stops it after launch." if stopped else None,
            )
            if stopped:
                self.add(
                    "aws_ec2_instance_state",
                    name,
                    [("instance_id", Expr(f"aws_instance.{name}.id")), ("state", "stopped")],
                )
        for instance in plan.gone_instances(self.lab):
            self.note(f"Left out: instance {instance.id} ({instance.name or 'no name'}): terminated.")
        for eip in self.lab.elastic_ips.values():
            name = self.n.tf(eip)
            idle = plan.eip_comment(eip)
            self.add("aws_eip", name, [("domain", "vpc"), ("tags", _tags(eip))], idle)
            if eip.instance is not None:
                gateway = eip.instance.vpc.internet_gateway
                self.add(
                    "aws_eip_association",
                    name,
                    [
                        ("allocation_id", Expr(f"aws_eip.{name}.id")),
                        ("instance_id", Expr(f"aws_instance.{self.n.tf(eip.instance)}.id")),
                        ("depends_on", [self.attachment(gateway)] if gateway else None),
                    ],
                )
        for nat in plan.live_nat_gateways(self.lab):
            gateway = nat.vpc.internet_gateway
            self.add(
                "aws_nat_gateway",
                self.n.tf(nat),
                [
                    ("connectivity_type", "public"),
                    ("allocation_id", Expr(f"aws_eip.{self.n.tf(nat.elastic_ip)}.id")),
                    ("subnet_id", self.subnet(nat.subnet)),
                    ("tags", _tags(nat)),
                    ("depends_on", [self.attachment(gateway)] if gateway else None),
                ],
            )
        for nat in plan.gone_nat_gateways(self.lab):
            self.note(f"Left out: NAT gateway {nat.id} ({nat.name or 'no name'}): {plan.nat_reason(nat)}.")


def to_terraform(lab, region: str | None = None) -> str:
    """The lab's current network as a Terraform configuration (one ``main.tf``).

    Args:
        region: for a lab imported from several Regions, the one to export (one file per Region);
            without it such a lab is refused with ``InvalidParameterValue``, naming its Regions.

    Returns:
        HCL text: the provider, a ``region`` and an ``ami_id`` variable, and one resource per VPC,
        CIDR association, subnet, gateway, route table, route, association, security group and
        rule, network ACL and rule, instance, Elastic IP and NAT gateway. What cannot be created
        (blackhole routes, deleted or failed NAT gateways, terminated instances) is a comment.
    """
    lab = plan.for_region(lab, region, "Terraform")
    writer = _Writer(lab)
    writer.header()
    writer.vpcs()
    writer.gateways()
    writer.ipv6_and_block_public_access()
    writer.security_groups()
    writer.network_acls()
    writer.compute()
    writer.route_tables()
    return "\n\n".join(writer.parts) + "\n"
