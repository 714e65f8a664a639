"""Writing a lab file: the lab as plain JSON data, in creation order (docs/lab-format.md)."""

from __future__ import annotations

from .addressing import PortRange
from .imported import UnsupportedTarget

FORMAT, VERSION = "vpclab-lab", 2


def _ports(ports: PortRange | None):
    return None if ports is None else [ports.first, ports.last]


def dump(lab) -> dict:
    """The lab as plain JSON data, in creation order."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "region": lab.region,
        "counters": dict(lab.counters),
        "public_ip_counter": lab.public_ip_counter,
        "ipv6_block_counter": lab.ipv6_block_counter,
        "block_public_access": {"internet_gateway_block_mode": lab.block_public_access.mode},
        "vpcs": [
            {
                "id": v.id,
                "name": v.name,
                "cidrs": [str(c) for c in v.cidrs],
                "cidr_association_ids": list(v.cidr_association_ids),
                "ipv6_cidrs": [str(c) for c in v.ipv6_cidr_blocks],
                "ipv6_cidr_association_ids": list(v.ipv6_cidr_association_ids),
                **({"region": v.region} if v.region else {}),
            }
            for v in lab.vpcs.values()
        ],
        "internet_gateways": [
            {"id": g.id, "name": g.name, "vpc": g.vpc.id if g.vpc else None} for g in lab.internet_gateways.values()
        ],
        "egress_only_internet_gateways": [
            {"id": g.id, "name": g.name, "vpc": g.vpc.id} for g in lab.egress_only_internet_gateways.values()
        ],
        "network_acls": [
            {
                "id": a.id,
                "vpc": a.vpc.id,
                "name": a.name,
                "is_default": a.is_default,
                "entries": [
                    {
                        "rule_number": e.rule_number,
                        "egress": e.egress,
                        "protocol": e.protocol.value,
                        "ports": _ports(e.ports),
                        "cidr": str(e.cidr),
                        "action": e.action.value,
                    }
                    for e in a.entries.values()
                ],
            }
            for a in lab.network_acls.values()
        ],
        "security_groups": [
            {
                "id": g.id,
                "vpc": g.vpc.id,
                "group_name": g.group_name,
                "description": g.description,
                "name": g.name,
                "rules": [
                    {
                        "id": r.rule_id,
                        "egress": r.egress,
                        "protocol": r.protocol.value,
                        "ports": _ports(r.ports),
                        "cidr": str(r.cidr) if r.cidr else None,
                        "group": r.group_id,
                    }
                    for r in g.rules
                ],
            }
            for g in lab.security_groups.values()
        ],
        "subnets": [
            {
                "id": s.id,
                "vpc": s.vpc.id,
                "cidr": str(s.cidr),
                "availability_zone": s.availability_zone,
                "name": s.name,
                "map_public_ip_on_launch": s.map_public_ip_on_launch,
                "network_acl": s.network_acl.id,
                "network_acl_association_id": s.network_acl_association_id,
                "ipv6_cidr": str(s.ipv6_cidr_block) if s.ipv6_cidr_block else None,
                "ipv6_cidr_association_id": s.ipv6_cidr_association_id,
                "assign_ipv6_address_on_creation": s.assign_ipv6_address_on_creation,
            }
            for s in lab.subnets.values()
        ],
        "route_tables": [
            {
                "id": t.id,
                "vpc": t.vpc.id,
                "name": t.name,
                "routes": [
                    {
                        "destination": str(r.destination),
                        "target": r.target_id,
                        "origin": r.origin,
                        **({"state": r.target.state} if isinstance(r.target, UnsupportedTarget) else {}),
                    }
                    for r in t.routes.values()
                ],
                "associations": [{"id": a.id, "subnet": a.subnet.id if a.subnet else None} for a in t.associations],
            }
            for t in lab.route_tables.values()
        ],
        "instances": [
            {
                "id": i.id,
                "name": i.name,
                "subnet": i.subnet.id,
                "private_ip": str(i.private_ip),
                "network_interface_id": i.network_interface_id,
                "security_groups": [g.id for g in i.security_groups],
                "state": i.state.value,
                "auto_assign_public_ip": i.auto_assign_public_ip,
                "auto_public_ip": str(i.auto_public_ip) if i.auto_public_ip else None,
                "ipv6_addresses": [str(a) for a in i.ipv6_addresses],
            }
            for i in lab.instances.values()
        ],
        "nat_gateways": [
            {
                "id": n.id,
                "name": n.name,
                "subnet": n.subnet.id,
                "private_ip": str(n.private_ip) if n.private_ip else None,
                "network_interface_id": n.network_interface_id,
                "allocation_id": n.allocation_id,
                "state": n.state.value,
                "failure_code": n.failure_code,
            }
            for n in lab.nat_gateways.values()
        ],
        "elastic_ips": [
            {
                "id": e.id,
                "name": e.name,
                "public_ip": str(e.public_ip),
                "association_id": e.association_id,
                "instance": e.instance.id if e.instance else None,
                "nat_gateway": e.nat_gateway.id if e.nat_gateway else None,
                **({"network_interface": e.network_interface.id} if e.network_interface else {}),
            }
            for e in lab.elastic_ips.values()
        ],
        "block_public_access_exclusions": [
            {
                "id": x.id,
                "name": x.name,
                "vpc": x.vpc.id if x.vpc else None,
                "subnet": x.subnet.id if x.subnet else None,
                "mode": x.mode.value,
            }
            for x in lab.block_public_access_exclusions.values()
        ],
        "history": lab.history,
    }
    # What only a lab imported from a real account has, written only when there is some, so that a
    # classroom lab's file stays as it was (docs/lab-format.md, "Imported labs").
    if lab.network_interfaces:
        data["network_interfaces"] = [
            {
                "id": n.id,
                "name": n.name,
                "instance": n.instance.id,
                "device_index": n.device_index,
                "subnet": n.subnet.id,
                "private_ip": str(n.private_ip),
                "security_groups": [g.id for g in n.security_groups],
                "auto_public_ip": str(n.auto_public_ip) if n.auto_public_ip else None,
                **({"ipv6_addresses": [str(a) for a in n.ipv6_addresses]} if n.ipv6_addresses else {}),
            }
            for n in lab.network_interfaces.values()
        ]
    if lab.block_public_access_regions:  # a lab imported from several Regions: each Region's own setting
        data["block_public_access_regions"] = {
            region: {"internet_gateway_block_mode": options.mode}
            for region, options in lab.block_public_access_regions.items()
        }
    if lab.unsupported:
        data["unsupported"] = [
            {
                "kind": u.kind,
                "id": u.id,
                "where": u.where,
                "why": u.why,
                "detail": u.detail,
                "addresses": list(u.addresses),
            }
            for u in lab.unsupported
        ]
    return data
