"""What moto's CloudFormation leaves out, filled in so that an exported template deploys faithfully.

moto 5's in-process CloudFormation creates only some EC2 resource types and reads only some of their
properties. The round-trip test deploys vpclab's template as real CloudFormation would, so the gaps
are filled here with the public EC2 API (boto3 calls that moto's EC2 mock answers), one small
handler per resource type, following the CloudFormation resource reference:

- not implemented by moto: ``AWS::EC2::VPCCidrBlock``, ``NetworkAcl``, ``NetworkAclEntry``,
  ``SubnetNetworkAclAssociation``, ``EIPAssociation``, ``SecurityGroupEgress``;
- implemented, but properties ignored: ``Subnet.MapPublicIpOnLaunch``; ``Tags`` of ``RouteTable``,
  ``InternetGateway``, ``NatGateway`` and ``EIP``; ``SecurityGroup.SecurityGroupEgress``;
  ``Instance.NetworkInterfaces`` (and with it the groups, the private address and
  ``AssociatePublicIpAddress``; moto then shows the groups on the interface but not on the instance)
  and ``Instance.SourceDestCheck``;
- implemented, but without effect: ``SubnetRouteTableAssociation`` (describe-route-tables never shows it).

One more difference is not CloudFormation's: moto's default security group of a new VPC lacks AWS's
inbound rule "all traffic from this group" (fact sheet §5); ``add_default_group_self_rules`` adds it.

Call ``install()`` inside ``mock_aws`` before ``create_stack``.
"""

from __future__ import annotations

import boto3
import moto.ec2.models  # noqa: F401  (moto's own models must exist before ours, which override them)
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel


class Made:
    """What a handler returns: the physical id (``!Ref``) and the attributes ``!GetAtt`` may ask for."""

    def __init__(self, physical_id: str, attributes=None) -> None:
        self.physical_resource_id = physical_id
        self._attributes = attributes or (lambda name: None)

    def is_created(self) -> bool:
        return True

    def get_cfn_attribute(self, name: str):
        return self._attributes(name)


def _tags(properties) -> list[dict]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in properties.get("Tags", [])]


def _tag(ec2, resource_id: str, properties) -> None:
    if properties.get("Tags"):
        ec2.create_tags(Resources=[resource_id], Tags=_tags(properties))


def _permission(rule: dict, peer_key: str) -> dict:
    permission = {"IpProtocol": str(rule["IpProtocol"])}
    if "FromPort" in rule:
        permission.update(FromPort=int(rule["FromPort"]), ToPort=int(rule["ToPort"]))
    if "CidrIp" in rule:
        permission["IpRanges"] = [{"CidrIp": rule["CidrIp"]}]
    else:
        permission["UserIdGroupPairs"] = [{"GroupId": rule[peer_key]}]
    return permission


# ---- handlers: (ec2 client, properties, what moto's own handler made or None) -> resource ------------
def subnet(ec2, properties, made):
    if properties.get("MapPublicIpOnLaunch"):
        ec2.modify_subnet_attribute(SubnetId=made.id, MapPublicIpOnLaunch={"Value": True})
    return made


def tagged(ec2, properties, made):
    _tag(ec2, getattr(made, "allocation_id", None) or made.physical_resource_id, properties)
    return made


def security_group(ec2, properties, made):
    _tag(ec2, made.id, properties)
    if "SecurityGroupEgress" in properties:  # listing egress rules replaces AWS's allow-all one
        everything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ec2.revoke_security_group_egress(GroupId=made.id, IpPermissions=[everything])
        for rule in properties["SecurityGroupEgress"]:
            permission = _permission(rule, "DestinationSecurityGroupId")
            ec2.authorize_security_group_egress(GroupId=made.id, IpPermissions=[permission])
    return made


def security_group_egress(ec2, properties, made):
    ec2.authorize_security_group_egress(
        GroupId=properties["GroupId"], IpPermissions=[_permission(properties, "DestinationSecurityGroupId")]
    )
    return Made(f"{properties['GroupId']}-egress")


def instance(ec2, properties, made):
    interfaces = []
    for interface in properties.get("NetworkInterfaces", []):
        spec = {"DeviceIndex": int(interface["DeviceIndex"]), "SubnetId": interface["SubnetId"]}
        if "PrivateIpAddress" in interface:
            spec["PrivateIpAddress"] = interface["PrivateIpAddress"]
        if "GroupSet" in interface:
            spec["Groups"] = list(interface["GroupSet"])
        if "AssociatePublicIpAddress" in interface:
            spec["AssociatePublicIpAddress"] = bool(interface["AssociatePublicIpAddress"])
        interfaces.append(spec)
    request = {
        "ImageId": properties["ImageId"],
        "InstanceType": properties.get("InstanceType", "m1.small"),
        "MinCount": 1,
        "MaxCount": 1,
        "NetworkInterfaces": interfaces,
    }
    if properties.get("Tags"):
        request["TagSpecifications"] = [{"ResourceType": "instance", "Tags": _tags(properties)}]
    instance_id = ec2.run_instances(**request)["Instances"][0]["InstanceId"]
    if interfaces and interfaces[0].get("Groups"):
        # moto lists a NetworkInterfaces launch's groups on the interface only; AWS also shows them on the
        # instance. Setting the same groups again is a no-op in AWS and fills in moto's instance view.
        ec2.modify_instance_attribute(InstanceId=instance_id, Groups=interfaces[0]["Groups"])
    if properties.get("SourceDestCheck") is False:
        ec2.modify_instance_attribute(InstanceId=instance_id, SourceDestCheck={"Value": False})

    def attribute(name: str):
        described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        return {
            "PublicIp": described.get("PublicIpAddress"),
            "PrivateIp": described.get("PrivateIpAddress"),
            "PrimaryNetworkInterfaceId": described["NetworkInterfaces"][0]["NetworkInterfaceId"],
        }[name]

    return Made(instance_id, attribute)


def vpc_cidr_block(ec2, properties, made):
    answer = ec2.associate_vpc_cidr_block(VpcId=properties["VpcId"], CidrBlock=properties["CidrBlock"])
    return Made(answer["CidrBlockAssociation"]["AssociationId"])


def network_acl(ec2, properties, made):
    request = {"VpcId": properties["VpcId"]}
    if properties.get("Tags"):
        request["TagSpecifications"] = [{"ResourceType": "network-acl", "Tags": _tags(properties)}]
    return Made(ec2.create_network_acl(**request)["NetworkAcl"]["NetworkAclId"])


def network_acl_entry(ec2, properties, made):
    request = {
        "NetworkAclId": properties["NetworkAclId"],
        "RuleNumber": int(properties["RuleNumber"]),
        "Protocol": str(properties["Protocol"]),
        "RuleAction": properties["RuleAction"],
        "Egress": bool(properties.get("Egress", False)),
        "CidrBlock": properties["CidrBlock"],
    }
    if "PortRange" in properties:
        request["PortRange"] = {"From": int(properties["PortRange"]["From"]), "To": int(properties["PortRange"]["To"])}
    if "Icmp" in properties:
        request["IcmpTypeCode"] = {"Type": int(properties["Icmp"]["Type"]), "Code": int(properties["Icmp"]["Code"])}
    ec2.create_network_acl_entry(**request)
    return Made(f"{properties['NetworkAclId']}-{request['RuleNumber']}-{request['Egress']}")


def subnet_network_acl_association(ec2, properties, made):
    subnet_id = properties["SubnetId"]
    acls = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    current = next(
        a["NetworkAclAssociationId"]
        for acl in acls["NetworkAcls"]
        for a in acl["Associations"]
        if a["SubnetId"] == subnet_id
    )
    answer = ec2.replace_network_acl_association(AssociationId=current, NetworkAclId=properties["NetworkAclId"])
    return Made(answer["NewAssociationId"])


def subnet_route_table_association(ec2, properties, made):
    answer = ec2.associate_route_table(RouteTableId=properties["RouteTableId"], SubnetId=properties["SubnetId"])
    return Made(answer["AssociationId"])


def eip_association(ec2, properties, made):
    answer = ec2.associate_address(AllocationId=properties["AllocationId"], InstanceId=properties["InstanceId"])
    return Made(answer["AssociationId"])


HANDLERS = {
    "AWS::EC2::Subnet": subnet,
    "AWS::EC2::RouteTable": tagged,
    "AWS::EC2::InternetGateway": tagged,
    "AWS::EC2::NatGateway": tagged,
    "AWS::EC2::EIP": tagged,
    "AWS::EC2::SecurityGroup": security_group,
    "AWS::EC2::SecurityGroupEgress": security_group_egress,
    "AWS::EC2::Instance": instance,
    "AWS::EC2::VPCCidrBlock": vpc_cidr_block,
    "AWS::EC2::NetworkAcl": network_acl,
    "AWS::EC2::NetworkAclEntry": network_acl_entry,
    "AWS::EC2::SubnetNetworkAclAssociation": subnet_network_acl_association,
    "AWS::EC2::EIPAssociation": eip_association,
    "AWS::EC2::SubnetRouteTableAssociation": subnet_route_table_association,
}
# moto's own handler is not called for these: it would launch a second, wrong instance, or record an
# association that describe-route-tables never shows.
_REPLACED = {"AWS::EC2::Instance", "AWS::EC2::SubnetRouteTableAssociation"}
_installed: dict[str, type] = {}


def _model(kind: str, handler, original):
    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        made = None
        if original is not None and kind not in _REPLACED:
            made = original.create_from_cloudformation_json(
                resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        return handler(boto3.client("ec2", region_name=region_name), properties, made)

    def nothing(cls, *args, **kwargs):
        return None

    name_type = original.cloudformation_name_type() if original is not None else ""
    return type(
        "Supplement" + kind.rsplit(":", 1)[-1],
        (CloudFormationModel,),
        {
            "cloudformation_type": staticmethod(lambda: kind),
            "cloudformation_name_type": staticmethod(lambda: name_type),
            "has_cfn_attr": classmethod(lambda cls, attribute: True),
            "create_from_cloudformation_json": classmethod(create),
            "update_from_cloudformation_json": classmethod(nothing),
            "delete_from_cloudformation_json": classmethod(nothing),
        },
    )


def install() -> None:
    """Register the handlers with moto's CloudFormation (once per test session)."""
    if not _installed:
        originals = dict(parsing.get_model_map())
        for kind, handler in HANDLERS.items():
            _installed[kind] = _model(kind, handler, originals.get(kind))
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    # Later in CloudFormationModel.__subclasses__() wins in moto's map: check ours did.
    assert all(parsing.get_model_map()[kind] is model for kind, model in _installed.items())


def add_default_group_self_rules(ec2) -> None:
    """Give each default security group (outside the default VPC) the self-referencing inbound rule
    AWS creates with it and moto leaves out, unless it has it already."""
    default_vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")}
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    for group in groups:
        pairs = [p for rule in group["IpPermissions"] if rule["IpProtocol"] == "-1" for p in rule["UserIdGroupPairs"]]
        if group["VpcId"] in default_vpcs or any(p["GroupId"] == group["GroupId"] for p in pairs):
            continue
        rule = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group["GroupId"]}]}
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[rule])
