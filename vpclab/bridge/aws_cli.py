"""``to_aws_cli(lab)``: the lab as a bash script of ``aws ec2`` commands, in dependency order.

Each command is the one the console shows beside the same action (``render.commands``); the lab's
ids in it are replaced by shell variables that capture the new ids (``--query … --output text``),
so the script builds the same network in a real account. The VPC's main route table, default
network ACL and default security group are looked up with ``describe-*`` calls.
"""

from __future__ import annotations

import json
import re
import shlex

from ..model.resources import InstanceState
from ..render.commands import aws_cli
from . import plan
from .names import Names

_SHORTHAND_UNSAFE = re.compile(r"[,\[\]{}=\"'\\\s]")


class _Script:
    def __init__(self, lab) -> None:
        self.lab, self.n = lab, Names(lab)
        self.lines: list[str] = []
        self.vars: dict[str, str] = {}  # lab id -> shell variable
        self.summary: list[tuple[str, str]] = []  # (what, variable)
        self.pattern: re.Pattern | None = None

    # ---- writing commands -------------------------------------------------------------------------
    def section(self, title: str) -> None:
        self.lines += ["", f"# ---- {title} " + "-" * max(4, 90 - len(title))]

    def bind(self, lab_id: str, variable: str, what: str) -> None:
        self.vars[lab_id] = variable
        self.summary.append((what, variable))
        self.pattern = None

    def _shell(self, command: str) -> str:
        """Re-quote a command, putting ``"${VAR}"`` where a lab id (or the AMI placeholder) stood."""
        if self.pattern is None:
            keys = sorted([*self.vars, plan.AMI_PLACEHOLDER], key=len, reverse=True)
            self.pattern = re.compile("|".join(map(re.escape, keys)))
        out = []
        for word in shlex.split(command):
            pieces, last = [], 0
            for match in self.pattern.finditer(word):
                if match.start() > last:
                    pieces.append(shlex.quote(word[last : match.start()]))
                variable = "AMI_ID" if match.group() == plan.AMI_PLACEHOLDER else self.vars[match.group()]
                pieces.append(f'"${{{variable}}}"')
                last = match.end()
            if last < len(word) or not pieces:
                pieces.append(shlex.quote(word[last:]))
            out.append("".join(pieces))
        return " ".join(out)

    def run(self, action: str, *args, capture: str | None = None, query: str | None = None, extra=(), **kwargs):
        """One command from ``render.commands``; ``capture`` names the variable that keeps ``query``."""
        command = aws_cli(action, *args, **kwargs)
        text = self._shell(command + "".join(" " + shlex.quote(str(e)) for e in extra))
        self.raw(text, capture, query)

    def raw(self, text: str, capture: str | None = None, query: str | None = None) -> None:
        if capture:
            # A query that names a shell variable is double-quoted so that bash fills it in.
            quoted = f'"{query}"' if "${" in query else shlex.quote(query)
            self.lines.append(f'{capture}=$({text} --query {quoted} --output text --region "$REGION")')
        else:
            self.lines.append(f'{text} --region "$REGION" > /dev/null')

    @staticmethod
    def tags(kind: str, name: str | None) -> list[str]:
        if not name:
            return []
        if _SHORTHAND_UNSAFE.search(name) is None:
            return ["--tag-specifications", f"ResourceType={kind},Tags=[{{Key=Name,Value={name}}}]"]
        spec = [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]
        return ["--tag-specifications", json.dumps(spec, ensure_ascii=False)]

    # ---- sections -----------------------------------------------------------------------------
    def vpcs(self) -> None:
        self.section("VPCs, their CIDR blocks and subnets")
        for vpc in self.lab.vpcs.values():
            variable = self.n.var(vpc)
            self.run("create_vpc", str(vpc.cidr), capture=variable, query="Vpc.VpcId", extra=self.tags("vpc", vpc.name))
            self.bind(vpc.id, variable, f"VPC {vpc.name or vpc.id}")
            self.raw(f'aws ec2 wait vpc-available --vpc-ids "${{{variable}}}"')
            for cidr in vpc.cidrs[1:]:
                self.run("associate_vpc_cidr_block", vpc, str(cidr))
                # Subnets in the new CIDR can be created once its association is "associated".
                state = (
                    f'"$(aws ec2 describe-vpcs --vpc-ids "${{{variable}}}" --query '
                    f"\"Vpcs[0].CidrBlockAssociationSet[?CidrBlock=='{cidr}'].CidrBlockState.State | [0]\" "
                    '--output text --region "$REGION")"'
                )
                self.lines.append(f"until [ {state} = associated ]; do sleep 2; done")
            if vpc.ipv6_cidr_blocks:
                self._ipv6_block(vpc, variable)
            self._defaults(vpc)
        for subnet in self.lab.subnets.values():
            variable = self.n.var(subnet)
            if subnet.ipv6_native:
                self._ipv6_only_subnet(subnet, variable)
                continue
            self.run(
                "create_subnet",
                subnet.vpc,
                str(subnet.cidr),
                availability_zone=subnet.availability_zone,
                capture=variable,
                query="Subnet.SubnetId",
                extra=self.tags("subnet", subnet.name),
            )
            self.bind(subnet.id, variable, f"subnet {subnet.name or subnet.id}")
            if subnet.map_public_ip_on_launch:
                self.run("modify_subnet_attribute", subnet, True)
            number = plan.ipv6_subnet_number(subnet)
            if number is not None:  # the same /64 of the block the real VPC received
                block = f'$(subnet64 "${{{self.n.var(subnet.vpc)}_IPV6}}" {number})'
                self.raw(
                    f'aws ec2 associate-subnet-cidr-block --subnet-id "${{{variable}}}" --ipv6-cidr-block "{block}"'
                )
                if subnet.assign_ipv6_address_on_creation:
                    self.run("modify_subnet_attribute", subnet, assign_ipv6_address_on_creation=True)
                if subnet.enable_dns64:
                    self.run("modify_subnet_attribute", subnet, enable_dns64=True)
        for line in plan.ipv6_left_out(self.lab):
            self.lines.append(f"# {line}")

    def _ipv6_only_subnet(self, subnet, variable: str) -> None:
        """An IPv6-only subnet: its /64 (the same one of the real VPC's block) given at creation, no IPv4;
        its instances always get an address, as in the lab (and the console)."""
        block = f'$(subnet64 "${{{self.n.var(subnet.vpc)}_IPV6}}" {plan.ipv6_subnet_number(subnet)})'
        options = [
            "--vpc-id", f'"${{{self.n.var(subnet.vpc)}}}"', "--ipv6-native", "--ipv6-cidr-block", f'"{block}"',
            "--availability-zone", shlex.quote(subnet.availability_zone),
            "--private-dns-hostname-type-on-launch", "resource-name",
            *(shlex.quote(t) for t in self.tags("subnet", subnet.name)),
        ]  # fmt: skip
        self.raw("aws ec2 create-subnet " + " ".join(options), variable, "Subnet.SubnetId")
        self.bind(subnet.id, variable, f"subnet {subnet.name or subnet.id}")
        self.run("modify_subnet_attribute", subnet, assign_ipv6_address_on_creation=True)
        if subnet.enable_dns64:
            self.run("modify_subnet_attribute", subnet, enable_dns64=True)

    def _ipv6_block(self, vpc, variable: str) -> None:
        """Ask for an Amazon /56 (another one than the lab's) and keep it in ``<VPC>_IPV6`` once associated."""
        self.run("associate_vpc_cidr_block", vpc, amazon_provided_ipv6=True)
        query = f'aws ec2 describe-vpcs --vpc-ids "${{{variable}}}" --query "Vpcs[0].Ipv6CidrBlockAssociationSet[0]'
        state = f'"$({query}.Ipv6CidrBlockState.State" --output text --region "$REGION")"'
        self.lines.append(f"until [ {state} = associated ]; do sleep 2; done")
        self.raw(f'aws ec2 describe-vpcs --vpc-ids "${{{variable}}}"', f"{variable}_IPV6",
                 "Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock")  # fmt: skip

    def _defaults(self, vpc) -> None:
        """Variables for what AWS made with the VPC: its main route table, default ACL and default group."""
        ref = f"${{{self.n.var(vpc)}}}"
        table = plan.original_main_table(self.lab, vpc)
        lookups = [
            (
                table.id,
                self.n.var(table),
                "main route table",
                "describe-route-tables",
                f'"Name=vpc-id,Values={ref}" "Name=association.main,Values=true"',
                "RouteTables[0].RouteTableId",
            ),
            (
                vpc.default_network_acl.id,
                self.n.var(vpc.default_network_acl),
                "default network ACL",
                "describe-network-acls",
                f'"Name=vpc-id,Values={ref}" "Name=default,Values=true"',
                "NetworkAcls[0].NetworkAclId",
            ),
            (
                vpc.default_security_group.id,
                self.n.var(vpc.default_security_group),
                "default security group",
                "describe-security-groups",
                f'"Name=vpc-id,Values={ref}" "Name=group-name,Values=default"',
                "SecurityGroups[0].GroupId",
            ),
        ]
        for lab_id, variable, what, verb, filters, query in lookups:
            self.raw(f"aws ec2 {verb} --filters {filters}", variable, query)
            self.bind(lab_id, variable, f"{what} of {vpc.name or vpc.id}")

    def gateways(self) -> None:
        if not self.lab.internet_gateways:
            return
        self.section("Internet gateways")
        for gateway in self.lab.internet_gateways.values():
            variable = self.n.var(gateway)
            self.run(
                "create_internet_gateway",
                capture=variable,
                query="InternetGateway.InternetGatewayId",
                extra=self.tags("internet-gateway", gateway.name),
            )
            self.bind(gateway.id, variable, f"internet gateway {gateway.name or gateway.id}")
            if gateway.vpc is not None:
                self.run("attach_internet_gateway", gateway, gateway.vpc)

    def security_groups(self) -> None:
        self.section("Security groups (all groups first: rules may name each other)")
        for group in self.lab.security_groups.values():
            if group.is_default:
                continue
            variable = self.n.var(group)
            if plan.group_text_note(group):
                self.lines.append(f"# {plan.group_text_note(group)}")
            self.run(
                "create_security_group",
                group.vpc,
                plan.group_name(group),
                plan.group_description(group),
                capture=variable,
                query="GroupId",
                extra=self.tags("security-group", group.name),
            )
            self.bind(group.id, variable, f"security group {group.group_name}")
        for group in self.lab.security_groups.values():
            present = plan.default_sg_rule_keys(group) if group.is_default else plan.new_group_rule_keys(group)
            for key in present - {r.key for r in group.rules}:  # AWS's rules that the lab removed
                egress, protocol, _, cidr, group_id = key
                verb = "revoke_security_group_egress" if egress else "revoke_security_group_ingress"
                self.run(verb, group, protocol, None, str(cidr) if cidr else None, group_id)
            for rule in group.rules:
                if rule.key in present:
                    continue
                verb = "authorize_security_group_egress" if rule.egress else "authorize_security_group_ingress"
                self.run(verb, group, rule.protocol, rule.ports, str(rule.cidr) if rule.cidr else None, rule.group_id)

    def network_acls(self) -> None:
        self.section("Network ACLs")
        for acl in self.lab.network_acls.values():
            if acl.is_default:
                defaults = plan.default_acl_entries(acl.vpc)
                for key, entry in defaults.items():
                    if key not in acl.entries:
                        self.run("delete_network_acl_entry", acl, entry.rule_number, entry.egress)
                    elif acl.entries[key] != entry:
                        self._entry(acl, acl.entries[key], replace=True)
                entries = [e for e in plan.acl_entries(acl) if (e.egress, e.rule_number) not in defaults]
            else:
                variable = self.n.var(acl)
                self.run(
                    "create_network_acl",
                    acl.vpc,
                    capture=variable,
                    query="NetworkAcl.NetworkAclId",
                    extra=self.tags("network-acl", acl.name),
                )
                self.bind(acl.id, variable, f"network ACL {acl.name or acl.id}")
                entries = plan.acl_entries(acl)
            for entry in entries:
                self._entry(acl, entry)
        for subnet in self.lab.subnets.values():
            if subnet.network_acl.is_default:
                continue
            subnet_ref, association = f"${{{self.vars[subnet.id]}}}", self.n.var(subnet, "acl", "assoc")
            self.raw(
                f'aws ec2 describe-network-acls --filters "Name=association.subnet-id,Values={subnet_ref}"',
                association,
                f"NetworkAcls[0].Associations[?SubnetId=='{subnet_ref}'].NetworkAclAssociationId | [0]",
            )
            self.raw(
                f'aws ec2 replace-network-acl-association --association-id "${{{association}}}" '
                f'--network-acl-id "${{{self.vars[subnet.network_acl.id]}}}"'
            )

    def _entry(self, acl, entry, replace: bool = False) -> None:
        command = aws_cli(
            "create_network_acl_entry",
            acl,
            entry.rule_number,
            entry.egress,
            entry.protocol,
            entry.ports,
            str(entry.cidr),
            entry.action.value,
        )
        if plan.is_ipv6(entry.cidr):
            command = command.replace("--cidr-block", "--ipv6-cidr-block", 1)
        if replace:
            command = command.replace("create-network-acl-entry", "replace-network-acl-entry", 1)
        self.raw(self._shell(command))

    def route_tables(self) -> None:
        self.section("Route tables and subnet associations")
        for table in self.lab.route_tables.values():
            vpc = table.vpc
            if table is plan.original_main_table(self.lab, vpc):
                if table.name:
                    self.raw(
                        f'aws ec2 create-tags --resources "${{{self.vars[table.id]}}}" '
                        f"--tags {shlex.quote('Key=Name,Value=' + table.name)}"
                    )
            else:
                variable = self.n.var(table)
                self.run(
                    "create_route_table",
                    vpc,
                    capture=variable,
                    query="RouteTable.RouteTableId",
                    extra=self.tags("route-table", table.name),
                )
                self.bind(table.id, variable, f"route table {table.name or table.id}")
            if table is vpc.main_route_table and table is not plan.original_main_table(self.lab, vpc):
                association = self.n.var(vpc, "main", "assoc")
                original = self.vars[plan.original_main_table(self.lab, vpc).id]
                self.raw(
                    f'aws ec2 describe-route-tables --route-table-ids "${{{original}}}"',
                    association,
                    "RouteTables[0].Associations[?Main].RouteTableAssociationId | [0]",
                )
                self.raw(
                    f'aws ec2 replace-route-table-association --association-id "${{{association}}}" '
                    f'--route-table-id "${{{self.vars[table.id]}}}"'
                )
            for association in table.associations:
                if association.subnet is not None:
                    self.run("associate_route_table", table, association.subnet)

    def compute(self) -> None:
        instances = plan.live_instances(self.lab)
        if instances:
            self.section("Instances (AMI_ID: an AMI of the Region)")
        for instance in instances:
            variable = self.n.var(instance)
            self.run(
                "run_instance",
                instance.subnet,
                private_ip=str(instance.private_ip) if instance.private_ip is not None else None,
                associate_public_ip=instance.auto_assign_public_ip,
                security_groups=instance.security_groups,
                capture=variable,
                query="Instances[0].InstanceId",
                extra=[*self.tags("instance", instance.name), *self._ipv6_count(instance)],
            )
            self.bind(instance.id, variable, f"instance {instance.name or instance.id}")
        if instances:
            ids = " ".join(f'"${{{self.vars[i.id]}}}"' for i in instances)
            self.raw(f"aws ec2 wait instance-running --instance-ids {ids}")
        for instance in plan.routing_instances(self.lab):
            self.lines.append(f"# {instance.name or instance.id} forwards other hosts' traffic (a route points at it):")
            self.raw(
                f'aws ec2 modify-instance-attribute --instance-id "${{{self.vars[instance.id]}}}" '
                "--no-source-dest-check"
            )
        for instance in plan.gone_instances(self.lab):
            self.lines.append(f"# Left out: instance {instance.id} ({instance.name or 'no name'}): terminated.")
        if self.lab.elastic_ips:
            self.section("Elastic IPs (each one is billed while allocated, in use or not)")
        for eip in self.lab.elastic_ips.values():
            variable = self.n.var(eip)
            self.run(
                "allocate_address", capture=variable, query="AllocationId", extra=self.tags("elastic-ip", eip.name)
            )
            self.bind(eip.id, variable, f"Elastic IP {eip.name or eip.public_ip}")
            if eip.instance is not None:
                self.run("associate_address", eip, eip.instance)
            elif eip.network_interface is not None:
                self.lines.append(f"# {plan.eip_comment(eip)}")
        stopped = [i for i in instances if i.state is InstanceState.STOPPED]
        if stopped:
            ids = " ".join(f'"${{{self.vars[i.id]}}}"' for i in stopped)
            self.lines.append("# Stopped in the lab:")
            self.raw(f"aws ec2 stop-instances --instance-ids {ids}")
            self.raw(f"aws ec2 wait instance-stopped --instance-ids {ids}")
        nats = plan.live_nat_gateways(self.lab)
        if nats or plan.gone_nat_gateways(self.lab):
            self.section("NAT gateways (billed per hour and per GB)")
        for nat in nats:
            variable = self.n.var(nat)
            self.run(
                "create_nat_gateway",
                nat.subnet,
                nat.elastic_ip,
                capture=variable,
                query="NatGateway.NatGatewayId",
                extra=self.tags("natgateway", nat.name),
            )
            self.bind(nat.id, variable, f"NAT gateway {nat.name or nat.id}")
        if nats:
            ids = " ".join(f'"${{{self.vars[n.id]}}}"' for n in nats)
            self.raw(f"aws ec2 wait nat-gateway-available --nat-gateway-ids {ids}")
        for nat in plan.gone_nat_gateways(self.lab):
            self.lines.append(f"# Left out: NAT gateway {nat.id} ({nat.name or 'no name'}): {plan.nat_reason(nat)}.")

    @staticmethod
    def _ipv6_count(instance) -> list[str]:
        return ["--ipv6-address-count", str(len(instance.ipv6_addresses))] if instance.ipv6_addresses else []

    def ipv6_and_block_public_access(self) -> None:
        gateways = list(self.lab.egress_only_internet_gateways.values())
        mode = plan.block_public_access_mode(self.lab)
        exclusions = list(self.lab.block_public_access_exclusions.values())
        if not (gateways or mode or exclusions):
            return
        self.section("Egress-only internet gateways and VPC Block Public Access")
        for gateway in gateways:
            variable = self.n.var(gateway)
            self.run(
                "create_egress_only_internet_gateway",
                gateway.vpc,
                capture=variable,
                query="EgressOnlyInternetGateway.EgressOnlyInternetGatewayId",
                extra=self.tags("egress-only-internet-gateway", gateway.name),
            )
            self.bind(gateway.id, variable, f"egress-only internet gateway {gateway.name or gateway.id}")
        for exclusion in exclusions:  # made before the mode is set, so that nothing excluded is ever cut off
            kind = "subnet" if exclusion.subnet is not None else "vpc"
            self.run(
                "create_vpc_block_public_access_exclusion",
                **{kind: exclusion.subnet or exclusion.vpc, "mode": exclusion.mode.value},
                capture=self.n.var(exclusion),
                query="VpcBlockPublicAccessExclusion.ExclusionId",
            )
            self.bind(exclusion.id, self.n.var(exclusion), f"Block Public Access exclusion {exclusion.id}")
        if mode is not None:
            self.lines.append("# VPC Block Public Access for the whole Region of this account: set it last.")
            self.run("modify_vpc_block_public_access_options", mode)

    def routes(self) -> None:
        self.section("Routes (after their targets exist)")
        for table in self.lab.route_tables.values():
            for route in plan.exported_routes(table):
                self.run("create_route", table, str(route.destination), route.target)
            for route, reason in plan.skipped_routes(table):
                self.lines.append(
                    f"# Left out: route {route.destination} -> {route.target_id} in {table.name or table.id}: {reason}."
                )

    def finish(self) -> str:
        self.lines += ["", 'echo "Created in ${REGION}:"']
        for what, variable in self.summary:
            self.lines.append(f'echo {shlex.quote("  " + what + ": ")}"${{{variable}}}"')
        head = [
            "#!/usr/bin/env bash",
            *(f"# {line}" for line in plan.header_lines(self.lab, "AWS CLI script")),
            "# Run it with credentials for a test account: bash lab.sh",
            "set -euo pipefail",
            "",
            f'REGION="${{REGION:-{self.lab.region}}}"',
            'export AWS_PAGER=""  # no pager between commands',
        ]
        if any(v.ipv6_cidr_blocks for v in self.lab.vpcs.values()):
            head += [
                "# subnet64 BLOCK N: the N-th /64 of an Amazon /56 (its last 8 prefix bits are 0)",
                'subnet64() { local head="${1%/56}"; head="${head%::}"; local -a h; IFS=: read -ra h <<< "$head"',
                '  while [ "${#h[@]}" -lt 4 ]; do h+=(0); done',
                '  printf \'%s:%s:%s:%x::/64\' "${h[0]}" "${h[1]}" "${h[2]}" $((0x${h[3]} + $2)); }',
            ]
        if plan.live_instances(self.lab):
            head.append(f'AMI_ID="${{AMI_ID:-{plan.AMI_PLACEHOLDER}}}"  # a placeholder: set AMI_ID to a real AMI')
        return "\n".join(head + self.lines) + "\n"


def to_aws_cli(lab, region: str | None = None) -> str:
    """The lab's current network as a bash script of AWS CLI v2 commands.

    Args:
        region: for a lab imported from several Regions, the one to export (one file per Region);
            without it such a lab is refused with ``InvalidParameterValue``, naming its Regions.

    Returns:
        A script (``#!/usr/bin/env bash``, ``set -euo pipefail``, a ``REGION`` variable) that creates
        the VPCs, CIDR blocks, subnets, gateways, security groups and rules, network ACLs and
        entries, route tables and associations, instances, Elastic IPs, NAT gateways and routes, in
        that order, keeping each new id in a variable, and prints the ids at the end.
    """
    lab = plan.for_region(lab, region, "AWS CLI")
    script = _Script(lab)
    script.vpcs()
    script.gateways()
    script.security_groups()
    script.network_acls()
    script.route_tables()
    script.compute()
    script.ipv6_and_block_public_access()
    script.routes()
    return script.finish()
