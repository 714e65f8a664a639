"""Ids that two Regions of one snapshot use for different resources (an anonymised snapshot, such as
cloudmapper's demo account, gives every Region's default VPC the id ``vpc-12345678``).

AWS ids name one resource in a Region; the lab keeps every resource by id, so such a snapshot could not
load. Each Region after the first that reuses an id for a different resource has that id, and every
reference to it in the Region's files, suffixed with the Region's name (``vpc-12345678useast2``), and
the renaming is kept in ``lab.renamed_ids``. Only regional resources are renamed (VPCs and what they hold,
instances, addresses): a record repeated in two Regions' files of another kind (a peering connection,
which both of its Regions list) is one resource and is left as it is.
"""

from __future__ import annotations

import copy
import re

# describe key -> (the key of each item's own id, the item path below the describe key)
_OWN_IDS = {
    "Vpcs": "VpcId",
    "Subnets": "SubnetId",
    "SecurityGroups": "GroupId",
    "RouteTables": "RouteTableId",
    "NetworkAcls": "NetworkAclId",
    "InternetGateways": "InternetGatewayId",
    "NetworkInterfaces": "NetworkInterfaceId",
    "NatGateways": "NatGatewayId",
    "Addresses": "AllocationId",
    "EgressOnlyInternetGateways": "EgressOnlyInternetGatewayId",
    "VpcBlockPublicAccessExclusions": "ExclusionId",
}


def _owned(bucket) -> dict[str, object]:
    """id -> record, for the resources a bucket describes (instances inside their reservations)."""
    found = {}
    for key, id_key in _OWN_IDS.items():
        for item, _ in bucket.items.get(key, []):
            if isinstance(item, dict) and isinstance(item.get(id_key), str):
                found.setdefault(item[id_key], item)
    for reservation, _ in bucket.items.get("Reservations", []):
        for item in reservation.get("Instances", []) if isinstance(reservation, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("InstanceId"), str):
                found.setdefault(item["InstanceId"], item)
    return found


# Prefixes of regional ids that the model keeps (resources and their associations).
_REGIONAL = re.compile(
    r"(vpc|subnet|sg|sgr|rtb|rtbassoc|acl|aclassoc|igw|eigw|i|eni|eni-attach|nat|eipalloc|eipassoc|vpc-cidr-assoc"
    r"|subnet-cidr-assoc|vpcbpa-exclude)"
    r"-[0-9A-Za-z]{1,60}"
)


def _regional_ids(value, found: set[str]) -> set[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _REGIONAL.fullmatch(item):
                found.add(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found


def _rename(value, renames: dict[str, str]):
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_rename(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: _rename(v, renames) for k, v in value.items()}
    return value


def separate_regions(buckets) -> list[tuple[str, str, str]]:
    """Rename, in place, the ids a later Region reuses for other resources; (old id, new id, Region) each."""
    owners: dict[str, str] = {}  # a resource's id -> the Region whose files describe it first
    used: dict[str, str] = {}  # any regional id -> the Region whose files use it first
    renamed = []
    for bucket in buckets:
        clash = [i for i in _owned(bucket) if owners.get(i, bucket.region) != bucket.region]
        mine = set()
        for entries in bucket.items.values():
            for item, _ in entries:
                _regional_ids(item, mine)
        if clash:  # VPCs and what they hold are regional: one id in two Regions is two resources
            suffix = bucket.region.replace("-", "")
            renames = {i: i + suffix for i in sorted(mine) if used.get(i, bucket.region) != bucket.region}
            for key, entries in bucket.items.items():
                bucket.items[key] = [(_rename(copy.deepcopy(item), renames), where) for item, where in entries]
            renamed += [(old, new, bucket.region) for old, new in renames.items() if old in clash]
            mine = {renames.get(i, i) for i in mine}
        for item_id in _owned(bucket):
            owners.setdefault(item_id, bucket.region)
        for item_id in mine:
            used.setdefault(item_id, bucket.region)
    return renamed
