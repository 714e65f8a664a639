"""The importer's load balancers: elbv2 (application, network, gateway) and classic, as plain values for the
exposure audit (``vpclab.engine.load_balancers``), and the owner account of each VPC and instance.

Read when present, under the top-level keys of ``aws elbv2 describe-load-balancers`` (``LoadBalancers``),
``describe-listeners`` (``Listeners``; Batfish's collector writes ``LoadBalancerListeners``, one entry per
balancer), ``describe-target-groups`` (``TargetGroups``), ``describe-target-health`` (Batfish's
``LoadBalancerTargetHealth``, one entry per target group) and ``aws elb describe-load-balancers``
(``LoadBalancerDescriptions``, listeners and instances inline). A balancer's own addresses come from its
network interfaces (description ``ELB app/<name>/<id>``, ``ELB net/...``, or ``ELB <name>`` for a classic
one). A describe call that is missing leaves the matching field ``None``, which the audit reports as
unknown, naming the call; a Region without ``describe-load-balancers`` at all is listed as not collected.
"""

from __future__ import annotations

from ..engine.load_balancers import Listener, LoadBalancer, Target, TargetGroup
from .aws_nodes import Node

ELBV2_KEY, CLASSIC_KEY = "LoadBalancers", "LoadBalancerDescriptions"


def build(imp) -> None:
    lab = imp.lab
    groups = _target_groups(imp)
    listeners = _listeners(imp, groups)
    addresses = _balancer_addresses(imp)
    found = []
    for node, region in imp.of(ELBV2_KEY):
        arn = node.text("LoadBalancerArn")
        state = node.child("State")
        listened = listeners.get(arn)
        if listened is None and _has_listeners(imp, region):
            listened = ()
        found.append(
            LoadBalancer(
                node.text("LoadBalancerName"),
                arn,
                node.text("Type", optional=True) or "application",
                node.text("Scheme", optional=True) or "internet-facing",
                state.text("Code", optional=True) if state is not None else None,
                node.text("VpcId", optional=True) or "",
                region,
                tuple(z.text("SubnetId") for z in node.items("AvailabilityZones") if z.has("SubnetId")),
                tuple(g.value for g in node.items("SecurityGroups") if isinstance(g.value, str)) or None,
                listened,
                *addresses.get(arn.split(":loadbalancer/", 1)[-1], ((), ())),
            )
        )
    for node, region in imp.of(CLASSIC_KEY):
        name = node.text("LoadBalancerName")
        targets = tuple(Target(i.text("InstanceId"), 0) for i in node.items("Instances"))
        classic_listeners = []
        for description in node.items("ListenerDescriptions"):
            listener = description.child("Listener")
            if listener is None:
                continue
            port = listener.number("InstancePort")
            group = TargetGroup(
                name,
                name,
                "instance",
                listener.text("InstanceProtocol", optional=True) or listener.text("Protocol"),
                port,
                tuple(Target(t.id, port) for t in targets),
                None,
            )
            classic_listeners.append(Listener(listener.number("LoadBalancerPort"), listener.text("Protocol"), (group,)))
        found.append(
            LoadBalancer(
                name,
                name,
                "classic",
                node.text("Scheme", optional=True) or "internet-facing",
                None,
                node.text("VPCId", optional=True) or "",
                region,
                tuple(s.value for s in node.items("Subnets") if isinstance(s.value, str)),
                tuple(g.value for g in node.items("SecurityGroups") if isinstance(g.value, str)) or None,
                tuple(classic_listeners),
                *addresses.get(name, ((), ())),
            )
        )
    lab.load_balancers = found
    for balancer in found:  # listed (and saved): analyze() does not follow them, and a saved lab has no paths
        if balancer.state not in ("failed", "deleted"):
            where = balancer.vpc_id or balancer.region
            imp.note(
                "load-balancer", balancer.name, where, "outside_model", detail=f"{balancer.kind} {balancer.scheme}"
            )
    for region in sorted({v.region or lab.region for v in lab.vpcs.values()}):
        for key in (ELBV2_KEY, CLASSIC_KEY):
            if not imp.was_collected(region, key):
                imp.note("load-balancer", f"{key} {region}", region, "not_collected", detail=f"{key} ({region})")
    lab.owners = _owners(imp)


def _has_listeners(imp, region: str) -> bool:
    return imp.was_collected(region, "Listeners") or imp.was_collected(region, "LoadBalancerListeners")


def _target_groups(imp) -> dict[str, TargetGroup]:
    health: dict[str, list[Target]] = {}
    for node, _ in imp.of("LoadBalancerTargetHealth"):
        arn = node.text("TargetGroupArn")
        for description in node.items("TargetHealthDescriptions"):
            target = description.child("Target")
            if target is None:
                continue
            state = description.child("TargetHealth")
            health.setdefault(arn, []).append(
                Target(
                    target.text("Id"),
                    target.number("Port", optional=True) or 0,
                    state.text("State", optional=True) if state is not None else None,
                )
            )
    groups = {}
    for node, region in imp.of("TargetGroups"):
        arn = node.text("TargetGroupArn")
        port = node.number("Port", optional=True)
        targets = health.get(arn)
        if targets is None and imp.was_collected(region, "LoadBalancerTargetHealth"):
            targets = []
        if targets is not None:  # a target registered without a port takes the group's
            targets = [Target(t.id, t.port or port or 0, t.health) for t in targets]
        groups[arn] = TargetGroup(
            arn,
            node.text("TargetGroupName", optional=True) or arn,
            node.text("TargetType", optional=True) or "instance",
            node.text("Protocol", optional=True) or "TCP",
            port,
            tuple(targets) if targets is not None else None,
            _preserve_client_ip(node),
        )
    return groups


def _preserve_client_ip(node: Node) -> bool | None:
    for attribute in node.items("Attributes"):
        if attribute.text("Key", optional=True) == "preserve_client_ip.enabled":
            return attribute.text("Value", optional=True) == "true"
    return None


def _listeners(imp, groups: dict[str, TargetGroup]) -> dict[str, tuple[Listener, ...]]:
    found: dict[str, list[Listener]] = {}
    nodes = [n for n, _ in imp.of("Listeners")]
    for entry, _ in imp.of("LoadBalancerListeners"):
        nodes += entry.items("Listeners")
    for node in nodes:
        forwarded = []
        for action in node.items("DefaultActions"):
            arns = [action.text("TargetGroupArn")] if action.has("TargetGroupArn") else []
            config = action.child("ForwardConfig")
            if config is not None:
                arns += [g.text("TargetGroupArn") for g in config.items("TargetGroups")]
            for arn in dict.fromkeys(arns):
                group = groups.get(arn)
                if group is None:  # describe-target-groups missing: its targets are unknown
                    group = TargetGroup(
                        arn, arn.rsplit("/", 2)[-2] if "/" in arn else arn, "instance", "TCP", None, None, None
                    )
                forwarded.append(group)
        listener = Listener(node.number("Port"), node.text("Protocol", optional=True) or "TCP", tuple(forwarded))
        found.setdefault(node.text("LoadBalancerArn"), []).append(listener)
    return {arn: tuple(items) for arn, items in found.items()}


def _balancer_addresses(imp) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """(public, private) addresses per balancer, keyed ``app/<name>/<id>`` (elbv2) or ``<name>`` (classic)."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for node in imp.enis.values():
        description = node.text("Description", optional=True) or ""
        if not description.startswith("ELB "):
            continue
        public, private = found.setdefault(description[4:], ([], []))
        for entry in node.items("PrivateIpAddresses"):
            private.append(str(entry.ip("PrivateIpAddress")))
            association = entry.child("Association")
            if association is not None and association.has("PublicIp"):
                public.append(str(association.ip("PublicIp")))
    return {key: (tuple(p), tuple(q)) for key, (p, q) in found.items()}


def _owners(imp) -> dict[str, str]:
    """The account that owns each VPC and instance (``OwnerId``), for the report's account column."""
    owners = {}
    for node, _ in imp.of("Vpcs"):
        if node.has("OwnerId") and node.has("VpcId"):
            owners.setdefault(node.text("VpcId"), node.text("OwnerId"))
    for reservation, _ in imp.of("Reservations"):
        owner = reservation.text("OwnerId", optional=True)
        for instance in reservation.items("Instances"):
            if owner and instance.has("InstanceId"):
                owners.setdefault(instance.text("InstanceId"), owner)
    return owners
