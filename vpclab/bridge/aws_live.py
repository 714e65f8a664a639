"""``Lab.from_boto3``: the describe calls of one Region, read live through boto3 (an optional extra).

The answers are gathered into the combined structure a snapshot file holds (``{region: {"Vpcs": [...],
...}}``) and fed to the same loader as ``Lab.from_aws``, so both read the same way. Every page of every
call is read. The calls for resources outside the model are optional: an account (or an emulator)
that refuses one simply has none listed.
"""

from __future__ import annotations

# describe call -> top-level key of its answer; the model's first (each must succeed).
MODEL_CALLS = {
    "describe_vpcs": "Vpcs",
    "describe_subnets": "Subnets",
    "describe_internet_gateways": "InternetGateways",
    "describe_network_acls": "NetworkAcls",
    "describe_security_groups": "SecurityGroups",
    "describe_route_tables": "RouteTables",
    "describe_instances": "Reservations",
    "describe_network_interfaces": "NetworkInterfaces",
    "describe_nat_gateways": "NatGateways",
    "describe_addresses": "Addresses",
}
OTHER_CALLS = {
    "describe_prefix_lists": "PrefixLists",
    "describe_vpc_peering_connections": "VpcPeeringConnections",
    "describe_transit_gateways": "TransitGateways",
    "describe_vpn_gateways": "VpnGateways",
    "describe_vpn_connections": "VpnConnections",
    "describe_vpc_endpoints": "VpcEndpoints",
    "describe_egress_only_internet_gateways": "EgressOnlyInternetGateways",
    "describe_carrier_gateways": "CarrierGateways",
    "describe_vpc_block_public_access_exclusions": "VpcBlockPublicAccessExclusions",
}
# A call whose answer is one object, not a list (the Region's Block Public Access setting).
SINGLE_CALLS = {"describe_vpc_block_public_access_options": "VpcBlockPublicAccessOptions"}


def _all_pages(client, call: str, key: str) -> list:
    if client.can_paginate(call):
        return [item for page in client.get_paginator(call).paginate() for item in page.get(key, [])]
    return list(getattr(client, call)().get(key, []))


def read_live(client) -> dict:
    """``{region: {describe key: items}}`` from a boto3 EC2 client."""
    region = client.meta.region_name
    answers = {key: _all_pages(client, call, key) for call, key in MODEL_CALLS.items()}
    for call, key in OTHER_CALLS.items():
        try:
            answers[key] = _all_pages(client, call, key)
        except Exception:  # not allowed, not in this partition, not emulated: none listed
            continue
    for call, key in SINGLE_CALLS.items():
        try:
            answer = getattr(client, call)().get(key)
        except Exception:  # not allowed or not emulated (moto): listed as not collected by the importer
            continue
        if isinstance(answer, dict):
            answers[key] = answer
    # describe-prefix-lists gives the AWS-managed lists with their CIDRs (for gateway-endpoint routes).
    return {region: answers}
