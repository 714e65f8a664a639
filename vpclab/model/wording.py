"""Rules, traffic and states in words, for messages and tables in either language.

A learner reads "0.0.0.0/0에서 오는 모든 트래픽 거부" / "deny all traffic from 0.0.0.0/0", never
``NetworkAclEntry(*, ingress, -1, all, 0.0.0.0/0, deny)``. Each function returns a
:class:`~vpclab.model.i18n.Localized` value, which takes the language of the message it fills.
"""

from __future__ import annotations

from .addressing import PortRange, Protocol
from .i18n import Localized
from .resources import NetworkAclEntry, SecurityGroupRule


def traffic(protocol: Protocol, ports: PortRange | None) -> Localized:
    """What a rule matches: all traffic, a protocol's ports, an ICMP type."""
    if protocol is Protocol.ALL:
        return Localized("rule.traffic_all")
    name = protocol.value.upper()
    if protocol is Protocol.ICMP:
        if ports is None or ports.first == -1:
            return Localized("rule.traffic_icmp_all")
        if ports.last == -1:
            return Localized("rule.traffic_icmp_type", type=ports.first)
        return Localized("rule.traffic_icmp_type_code", type=ports.first, code=ports.last)
    if ports is None or (ports.first, ports.last) == (0, 65535):
        return Localized("rule.traffic_all_ports", protocol=name)
    return Localized("rule.traffic_ports", protocol=name, ports=str(ports))


def packet_traffic(protocol: Protocol, port: int) -> Localized:
    """What one packet is: ``TCP port 80``, ``ICMP type 8`` (an ICMP packet's "port" is its type)."""
    return traffic(protocol, PortRange(port, -1) if protocol is Protocol.ICMP else PortRange(port, port))


def rule(entry: NetworkAclEntry | SecurityGroupRule) -> Localized:
    """A network ACL entry (without its number, which messages show apart) or a security group rule."""
    what = traffic(entry.protocol, entry.ports)
    if isinstance(entry, NetworkAclEntry):
        action = Localized("ui.allow" if entry.action.value == "allow" else "ui.deny")
        key = "rule.acl_out" if entry.egress else "rule.acl_in"
        return Localized(key, traffic=what, cidr=str(entry.cidr), action=action)
    peer = str(entry.cidr) if entry.cidr is not None else entry.group_id
    return Localized("rule.sg_out" if entry.egress else "rule.sg_in", traffic=what, peer=peer)


def state(value: str) -> Localized | str:
    """An instance state (``running``, ``stopped``, ``terminated``) as the console says it."""
    for known in ("running", "stopped", "terminated"):
        if value == known:
            return Localized(f"ui.state_{known}")
    return value  # a state this vpclab has no words for: shown as AWS spells it
