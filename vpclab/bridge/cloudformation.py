"""``to_cloudformation(lab)``: the lab as an AWS CloudFormation template (YAML).

Resources refer to each other with ``!Ref`` and ``!GetAtt``; logical ids come from the Name tags
(``PublicSubnet``, ``WebSg``). Two things a template cannot do are done another way, with a comment:
CloudFormation cannot name a VPC's main route table or change its default network ACL's rules, so
where the lab changed them the template creates a table (or an ACL) with the same routes (or rules)
and associates every subnet that used the original explicitly. Routing and filtering stay the same.
Zones are written relative to the Region (``!Sub "${AWS::Region}a"``).

The YAML comes from ``yaml_text`` (no YAML library needed at run time); the tests run cfn-lint on it.
"""

from __future__ import annotations

from ..model.addressing import Protocol
from ..model.resources import EgressOnlyInternetGateway, InstanceState, InternetGateway, NatGateway
from . import plan
from .names import Names, cidr_words
from .yaml_text import Comment, GetAtt, Ref, Sub, to_yaml


def _tags(resource) -> list | None:
    return [{"Key": "Name", "Value": resource.name}] if resource.name else None


def _ports(ports) -> dict:
    """``FromPort`` / ``ToPort`` of a security group rule (none for ``-1``; ICMP type and code)."""
    return {} if ports is None else {"FromPort": ports.first, "ToPort": ports.last}


class _Template:
    def __init__(self, lab) -> None:
        self.lab, self.n = lab, Names(lab)
        self.resources: dict = {}
        self.outputs: dict = {}

    def add(self, logical_id: str, kind: str, properties: dict, depends_on=None, comment: str | None = None):
        if comment:
            self.resources[Comment(comment)] = None
        body: dict = {"Type": kind}
        if depends_on:
            body["DependsOn"] = depends_on
        body["Properties"] = {k: v for k, v in properties.items() if v is not None}
        self.resources[logical_id] = body

    def note(self, text: str) -> None:
        self.resources[Comment(text)] = None

    # ---- references ---------------------------------------------------------------------------
    def group(self, group):
        if group.is_default:
            return GetAtt(f"{self.n.cfn(group.vpc)}.DefaultSecurityGroup")
        return GetAtt(f"{self.n.cfn(group)}.GroupId")

    def attachment(self, gateway) -> str:
        return self.n.cfn(gateway, "attachment")

    # ---- sections -----------------------------------------------------------------------------
    def vpcs(self) -> None:
        for vpc in self.lab.vpcs.values():
            self.add(self.n.cfn(vpc), "AWS::EC2::VPC", {"CidrBlock": str(vpc.cidr), "Tags": _tags(vpc)})
            self.outputs[self.n.cfn(vpc, "id")] = {
                "Description": f"VPC {vpc.name or vpc.id}",
                "Value": Ref(self.n.cfn(vpc)),
            }
            for cidr in vpc.cidrs[1:]:
                self.add(
                    self.n.cfn(vpc, "cidr", *cidr_words(cidr)),
                    "AWS::EC2::VPCCidrBlock",
                    {"VpcId": Ref(self.n.cfn(vpc)), "CidrBlock": str(cidr)},
                )
            if vpc.ipv6_cidr_blocks:  # an Amazon /56: a real account gets another one than the lab's
                self.add(
                    self.n.cfn(vpc, "ipv6", "block"),
                    "AWS::EC2::VPCCidrBlock",
                    {"VpcId": Ref(self.n.cfn(vpc)), "AmazonProvidedIpv6CidrBlock": True},
                )
        for subnet in self.lab.subnets.values():
            secondary = plan.in_secondary_cidr(subnet)
            after = [self.n.cfn(subnet.vpc, "cidr", *cidr_words(secondary))] if secondary else None
            number = plan.ipv6_subnet_number(subnet)
            if number is not None:
                after = [*(after or []), self.n.cfn(subnet.vpc, "ipv6", "block")]
            zone = subnet.availability_zone.removeprefix(self.lab.region)
            self.add(
                self.n.cfn(subnet),
                "AWS::EC2::Subnet",
                {
                    "VpcId": Ref(self.n.cfn(subnet.vpc)),
                    **({"CidrBlock": str(subnet.cidr)} if subnet.cidr is not None else {}),
                    "AvailabilityZone": Sub("${AWS::Region}" + zone),
                    "MapPublicIpOnLaunch": subnet.map_public_ip_on_launch,
                    **self._subnet_ipv6(subnet, number),
                    "Tags": _tags(subnet),
                },
                after,
            )

    def _subnet_ipv6(self, subnet, number) -> dict:
        if number is None:
            return {}
        # the n-th /64 of the VPC's block: !Select [n, !Cidr [!Select [0, !GetAtt Vpc.Ipv6CidrBlocks], 256, 64]]
        block = {"Fn::Select": [0, GetAtt(f"{self.n.cfn(subnet.vpc)}.Ipv6CidrBlocks")]}
        only = {  # an IPv6-only subnet: its instances always get an address; hostnames by resource name
            "Ipv6Native": True,
            "PrivateDnsNameOptionsOnLaunch": {"HostnameType": "resource-name"},
        }
        return {
            "Ipv6CidrBlock": {"Fn::Select": [number, {"Fn::Cidr": [block, 256, 64]}]},
            "AssignIpv6AddressOnCreation": subnet.assign_ipv6_address_on_creation or subnet.ipv6_native,
            **(only if subnet.ipv6_native else {}),
            **({"EnableDns64": True} if subnet.enable_dns64 else {}),
        }

    def ipv6_and_block_public_access(self) -> None:
        for line in plan.ipv6_left_out(self.lab):
            self.note(line)
        for gateway in self.lab.egress_only_internet_gateways.values():
            self.add(
                self.n.cfn(gateway), "AWS::EC2::EgressOnlyInternetGateway", {"VpcId": Ref(self.n.cfn(gateway.vpc))}
            )
        mode = plan.block_public_access_mode(self.lab)
        if mode is not None:
            self.add(
                "BlockPublicAccessOptions",
                "AWS::EC2::VPCBlockPublicAccessOptions",
                {"InternetGatewayBlockMode": mode},
                comment="VPC Block Public Access for the whole Region of this account, above routes and groups.",
            )
        for exclusion in self.lab.block_public_access_exclusions.values():
            where = (
                {"SubnetId": Ref(self.n.cfn(exclusion.subnet))}
                if exclusion.subnet
                else {"VpcId": Ref(self.n.cfn(exclusion.vpc))}
            )
            self.add(
                self.n.cfn(exclusion),
                "AWS::EC2::VPCBlockPublicAccessExclusion",
                {**where, "InternetGatewayExclusionMode": exclusion.mode.value, "Tags": _tags(exclusion)},
            )

    def gateways(self) -> None:
        for gateway in self.lab.internet_gateways.values():
            self.add(self.n.cfn(gateway), "AWS::EC2::InternetGateway", {"Tags": _tags(gateway)})
            if gateway.vpc is not None:
                self.add(
                    self.attachment(gateway),
                    "AWS::EC2::VPCGatewayAttachment",
                    {"VpcId": Ref(self.n.cfn(gateway.vpc)), "InternetGatewayId": Ref(self.n.cfn(gateway))},
                )

    def security_groups(self) -> None:
        for group in self.lab.security_groups.values():
            lid = self.n.cfn(group)
            if group.is_default:
                defaults = plan.default_sg_rule_keys(group)
                rules = [r for r in group.rules if r.key not in defaults]
                missing = defaults - {r.key for r in group.rules}
                if missing:
                    self.note(
                        f"Not possible in CloudFormation: removing AWS's default rules from {group.id} "
                        f"(default group of {group.vpc.name or group.vpc.id}); remove them after deploying."
                    )
            else:
                egress = [r for r in group.egress if r.cidr is not None]
                if plan.group_text_note(group):
                    self.note(plan.group_text_note(group))
                properties = {
                    "GroupName": plan.group_name(group),
                    "GroupDescription": plan.group_description(group),
                    "VpcId": Ref(self.n.cfn(group.vpc)),
                }
                comment = None
                if not (len(group.egress) == 1 and plan.allows_all_out(group)):
                    # Listing egress rules replaces AWS's allow-all one; with none to list, a rule that
                    # matches no packet does it (an ICMP type/code pair that does not exist).
                    listed = [self._rule_properties(r, for_group=False) for r in egress]
                    if not listed:
                        listed = [{"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86, "CidrIp": "255.255.255.255/32"}]
                        comment = "This group allows no outbound traffic: its one egress rule matches no packet."
                    properties["SecurityGroupEgress"] = listed
                properties["Tags"] = _tags(group)
                self.add(lid, "AWS::EC2::SecurityGroup", properties, comment=comment)
                rules = [r for r in group.rules if not r.egress or r.cidr is None]
            counts = {False: 0, True: 0}
            for rule in rules:
                counts[rule.egress] += 1
                way = "out" if rule.egress else "in"
                kind = "AWS::EC2::SecurityGroupEgress" if rule.egress else "AWS::EC2::SecurityGroupIngress"
                self.add(
                    self.n.cfn(group, way, str(counts[rule.egress])),
                    kind,
                    {"GroupId": self.group(group), **self._rule_properties(rule, for_group=True)},
                )

    def _rule_properties(self, rule, for_group: bool) -> dict:
        properties = {"IpProtocol": rule.protocol.value, **_ports(rule.ports)}
        if rule.cidr is not None:
            properties["CidrIpv6" if plan.is_ipv6(rule.cidr) else "CidrIp"] = str(rule.cidr)
        else:
            peer = self.group(self.lab.security_groups[rule.group_id])
            properties["DestinationSecurityGroupId" if rule.egress else "SourceSecurityGroupId"] = peer
        return properties

    def network_acls(self) -> None:
        for acl in self.lab.network_acls.values():
            if acl.is_default and not plan.default_acl_changed(acl):
                continue
            lid = self.n.cfn(acl)
            comment = None
            if acl.is_default:
                comment = (
                    f"The lab changed the default network ACL of {acl.vpc.name or acl.vpc.id}. CloudFormation "
                    "cannot, so this ACL has the same rules and its subnets are associated with it."
                )
            self.add(
                lid, "AWS::EC2::NetworkAcl", {"VpcId": Ref(self.n.cfn(acl.vpc)), "Tags": _tags(acl)}, comment=comment
            )
            for entry in plan.acl_entries(acl):
                properties = {
                    "NetworkAclId": Ref(lid),
                    "RuleNumber": entry.rule_number,
                    "Protocol": int(entry.protocol.number),
                    "RuleAction": entry.action.value,
                    "Egress": entry.egress,
                    "Ipv6CidrBlock" if plan.is_ipv6(entry.cidr) else "CidrBlock": str(entry.cidr),
                }
                if entry.protocol is Protocol.ICMP:
                    properties["Icmp"] = {"Type": entry.ports.first, "Code": entry.ports.last}
                elif entry.ports is not None:
                    properties["PortRange"] = {"From": entry.ports.first, "To": entry.ports.last}
                way = "out" if entry.egress else "in"
                self.add(self.n.cfn(acl, way, str(entry.rule_number)), "AWS::EC2::NetworkAclEntry", properties)
            for subnet in (s for s in self.lab.subnets.values() if s.network_acl is acl):
                self.add(
                    self.n.cfn(subnet, "acl", "association"),
                    "AWS::EC2::SubnetNetworkAclAssociation",
                    {"SubnetId": Ref(self.n.cfn(subnet)), "NetworkAclId": Ref(lid)},
                )

    def route_tables(self) -> None:
        for table in self.lab.route_tables.values():
            lid, vpc = self.n.cfn(table), table.vpc
            routes = plan.exported_routes(table)
            if table is vpc.main_route_table:
                # Subnets that use the main table keep using it implicitly, unless it has routes: then a
                # table with those routes, associated with each of them (CloudFormation cannot name it).
                subnets = [s for s in self.lab.subnets.values() if s.vpc is vpc and self.lab.route_table_of(s) is table]
                if not routes:
                    continue
                self.add(
                    lid,
                    "AWS::EC2::RouteTable",
                    {"VpcId": Ref(self.n.cfn(vpc)), "Tags": _tags(table)},
                    comment=f"The main route table of {vpc.name or vpc.id}: CloudFormation cannot add routes to "
                    "it, so its subnets are associated with this copy.",
                )
            else:
                subnets = [a.subnet for a in table.associations if a.subnet is not None]
                self.add(lid, "AWS::EC2::RouteTable", {"VpcId": Ref(self.n.cfn(vpc)), "Tags": _tags(table)})
            for route in routes:
                family = "DestinationIpv6CidrBlock" if plan.is_ipv6(route.destination) else "DestinationCidrBlock"
                properties = {"RouteTableId": Ref(lid), family: str(route.destination)}
                after = None
                if isinstance(route.target, EgressOnlyInternetGateway):
                    properties["EgressOnlyInternetGatewayId"] = Ref(self.n.cfn(route.target))
                elif isinstance(route.target, InternetGateway):
                    properties["GatewayId"] = Ref(self.n.cfn(route.target))
                    after = [self.attachment(route.target)]  # a route to a gateway needs it attached
                elif isinstance(route.target, NatGateway):
                    properties["NatGatewayId"] = Ref(self.n.cfn(route.target))
                else:
                    properties["InstanceId"] = Ref(self.n.cfn(route.target))
                self.add(
                    self.n.cfn(table, "route", *cidr_words(route.destination)), "AWS::EC2::Route", properties, after
                )
            for route, reason in plan.skipped_routes(table):
                self.note(
                    f"Left out: route {route.destination} -> {route.target_id} in {table.name or table.id}: {reason}."
                )
            for subnet in subnets:
                self.add(
                    self.n.cfn(subnet, "route", "table", "association"),
                    "AWS::EC2::SubnetRouteTableAssociation",
                    {"SubnetId": Ref(self.n.cfn(subnet)), "RouteTableId": Ref(lid)},
                )

    def compute(self) -> None:
        for instance in plan.live_instances(self.lab):
            lid = self.n.cfn(instance)
            comment = None
            if instance.state is InstanceState.STOPPED:
                comment = (
                    f"Stopped in the lab: CloudFormation starts every instance; stop {instance.name or lid} "
                    "after deploying (aws ec2 stop-instances)."
                )
            interface = {
                "DeviceIndex": "0",
                "SubnetId": Ref(self.n.cfn(instance.subnet)),
                "PrivateIpAddress": str(instance.private_ip) if instance.private_ip is not None else None,
                "GroupSet": [self.group(g) for g in instance.security_groups],
                "AssociatePublicIpAddress": instance.auto_assign_public_ip,
                "Ipv6AddressCount": len(instance.ipv6_addresses) or None,
            }
            interface = {k: v for k, v in interface.items() if v is not None}
            self.add(
                lid,
                "AWS::EC2::Instance",
                {
                    "ImageId": Ref("AmiId"),
                    "InstanceType": plan.INSTANCE_TYPE,
                    "NetworkInterfaces": [interface],
                    "SourceDestCheck": False if instance in plan.routing_instances(self.lab) else None,
                    "Tags": _tags(instance),
                },
                comment=comment,
            )
            self.outputs[self.n.cfn(instance, "id")] = {
                "Description": f"Instance {instance.name or instance.id}",
                "Value": Ref(lid),
            }
            if instance.elastic_ip is not None:
                public = Ref(self.n.cfn(instance.elastic_ip))
            elif instance.auto_assign_public_ip:
                public = GetAtt(f"{lid}.PublicIp")  # only while it runs (a stopped instance releases it)
            else:
                continue
            self.outputs[self.n.cfn(instance, "public", "ip")] = {
                "Description": f"Public IPv4 address of {instance.name or instance.id}",
                "Value": public,
            }
        for instance in plan.gone_instances(self.lab):
            self.note(f"Left out: instance {instance.id} ({instance.name or 'no name'}): terminated.")
        for eip in self.lab.elastic_ips.values():
            lid = self.n.cfn(eip)
            idle = plan.eip_comment(eip)
            self.add(lid, "AWS::EC2::EIP", {"Domain": "vpc", "Tags": _tags(eip)}, comment=idle)
            if eip.instance is not None:
                gateway = eip.instance.vpc.internet_gateway
                self.add(
                    self.n.cfn(eip, "association"),
                    "AWS::EC2::EIPAssociation",
                    {"AllocationId": GetAtt(f"{lid}.AllocationId"), "InstanceId": Ref(self.n.cfn(eip.instance))},
                    [self.attachment(gateway)] if gateway else None,
                )
        for nat in plan.live_nat_gateways(self.lab):
            gateway = nat.vpc.internet_gateway
            self.add(
                self.n.cfn(nat),
                "AWS::EC2::NatGateway",
                {
                    "AllocationId": GetAtt(f"{self.n.cfn(nat.elastic_ip)}.AllocationId"),
                    "SubnetId": Ref(self.n.cfn(nat.subnet)),
                    "ConnectivityType": "public",
                    "Tags": _tags(nat),
                },
                [self.attachment(gateway)] if gateway else None,
            )
            self.outputs[self.n.cfn(nat, "public", "ip")] = {
                "Description": f"Public IPv4 address of {nat.name or nat.id}",
                "Value": Ref(self.n.cfn(nat.elastic_ip)),
            }
        for nat in plan.gone_nat_gateways(self.lab):
            self.note(f"Left out: NAT gateway {nat.id} ({nat.name or 'no name'}): {plan.nat_reason(nat)}.")


def to_cloudformation(lab, region: str | None = None) -> str:
    """The lab's current network as a CloudFormation template in YAML.

    Args:
        region: for a lab imported from several Regions, the one to export (one file per Region);
            without it such a lab is refused with ``InvalidParameterValue``, naming its Regions.

    Returns:
        A template with ``AWSTemplateFormatVersion: "2010-09-09"``, an ``AmiId`` parameter when the
        lab has instances, one resource per VPC, CIDR block, subnet, gateway and attachment, route
        table, route, association, security group and rule, network ACL and entry, instance, Elastic
        IP and association, NAT gateway, and outputs for the VPC and instance ids and public IPs.
    """
    lab = plan.for_region(lab, region, "CloudFormation")
    template = _Template(lab)
    template.vpcs()
    template.gateways()
    template.ipv6_and_block_public_access()
    template.security_groups()
    template.network_acls()
    template.compute()
    template.route_tables()
    document: dict = {"AWSTemplateFormatVersion": "2010-09-09"}
    for line in plan.header_lines(lab, "CloudFormation template"):
        document[Comment(line)] = None
    document["Description"] = f"vpclab lab exported from Region {lab.region}"
    if plan.live_instances(lab):
        document["Parameters"] = {
            "AmiId": {
                "Type": "AWS::EC2::Image::Id",
                "Default": plan.AMI_PLACEHOLDER,
                "Description": "An AMI of the Region for every instance (the default is a placeholder: replace it)",
            }
        }
    document["Resources"] = template.resources
    if template.outputs:
        document["Outputs"] = template.outputs
    return to_yaml(document)
