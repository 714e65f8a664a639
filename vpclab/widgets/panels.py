"""The console's tool panels: controls only. Each button hands a Lab verb and its arguments to the
console (``console.act``), which runs it, reports it and redraws."""

from __future__ import annotations

import ipywidgets as widgets

from ..model.errors import InvalidParameterError
from ..model.i18n import tr
from ..model.resources import InstanceState, NatGatewayState

TOOLS = (
    "internet_gateway",
    "route_table",
    "elastic_ip",
    "instance",
    "security_group",
    "network_acl",
    "nat_gateway",
    "ipv6",
    "block_public_access",
    "tester",
)
PROTOCOLS = [("TCP", "tcp"), ("UDP", "udp"), ("ICMP", "icmp"), ("console.opt.all_protocols", "-1")]
FAMILIES = [("IPv4", 4), ("IPv6", 6)]  # which addresses the tester asks about (IPv6: fact sheet §12)
DIRECTIONS = [("console.opt.in", False), ("console.opt.out", True)]
_WIDE = widgets.Layout(width="98%")
# Every label as wide as its words: the default label width cuts longer ones ("Block Public Access
# mode", "퍼블릭 액세스 차단 모드") to a few letters and an ellipsis.
_LABEL_FITS = {"description_width": "initial"}


def parse_port(text: str):
    """ "" → None (all), "80" → 80, "1024-65535" → (1024, 65535)."""
    text = (text or "").strip()
    try:
        if not text:
            return None
        if "-" in text.lstrip("-"):
            low, high = text.split("-", 1) if not text.startswith("-") else ("-1", text[3:])
            return int(low), int(high)
        return int(text)
    except ValueError:
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:port", value=text) from None


def _named(resource) -> str:
    return f"{resource.name} ({resource.id})" if getattr(resource, "name", None) else resource.id


class Panel:
    """One tab: a VBox of controls; ``refresh`` re-reads the lab's resources into the dropdowns."""

    def __init__(self, console) -> None:
        self.console, self.lab = console, console.lab
        self.choices: list[tuple[widgets.Dropdown, object]] = []
        self.box = widgets.VBox(self.build())

    def build(self) -> list:
        raise NotImplementedError

    def dropdown(self, key: str, options_of) -> widgets.Dropdown:
        control = widgets.Dropdown(layout=_WIDE, style=_LABEL_FITS)
        self.console.label(control, key)
        self.choices.append((control, options_of))
        return control

    def text(self, key: str, value: str = "") -> widgets.Text:
        return self.console.label(widgets.Text(value=value, layout=_WIDE, style=_LABEL_FITS), key)

    def refresh(self) -> None:
        for control, options_of in self.choices:
            options = [(_named(r), r.id) if hasattr(r, "id") else r for r in options_of()]
            current = control.value
            control.options = options
            values = [v for _, v in options]
            control.value = current if current in values else (values[0] if values else None)

    def row(self, *buttons) -> widgets.HBox:
        return widgets.HBox(list(buttons), layout=widgets.Layout(flex_flow="row wrap"))

    # resource lists, in creation order
    def vpcs(self):
        return list(self.lab.vpcs.values())

    def subnets(self):
        return list(self.lab.subnets.values())

    def instances(self):
        return [i for i in self.lab.instances.values() if i.state is not InstanceState.TERMINATED]


class GatewayPanel(Panel):
    def build(self):
        self.vpc = self.dropdown("console.vpc", self.vpcs)
        self.gateway = self.dropdown("console.internet_gateway", lambda: list(self.lab.internet_gateways.values()))
        act = self.console.act
        return [
            self.vpc,
            self.gateway,
            self.row(
                self.console.button("console.create_gateway", lambda: act("create_internet_gateway"), "plus"),
                self.console.button(
                    "console.attach", lambda: act("attach_internet_gateway", self.gateway.value, self.vpc.value), "link"
                ),
                self.console.button(
                    "console.detach",
                    lambda: act("detach_internet_gateway", self.gateway.value, self.vpc.value),
                    "unlink",
                ),
                self.console.button(
                    "console.delete", lambda: act("delete_internet_gateway", self.gateway.value), "trash"
                ),
            ),
        ]


class RoutePanel(Panel):
    def build(self):
        self.vpc = self.dropdown("console.vpc", self.vpcs)
        self.table = self.dropdown("console.route_table", lambda: list(self.lab.route_tables.values()))
        self.destination = self.text("console.destination", "0.0.0.0/0")
        self.target = self.dropdown("console.target", self._targets)
        self.subnet = self.dropdown("console.subnet", self.subnets)
        act, b = self.console.act, self.console.button
        return [
            self.vpc,
            self.table,
            self.destination,
            self.target,
            self.row(
                b("console.create_route_table", lambda: act("create_route_table", self.vpc.value), "plus"),
                b(
                    "console.add_route",
                    lambda: act("create_route", self.table.value, self.destination.value, self.target.value),
                    "plus",
                ),
                b(
                    "console.replace_route",
                    lambda: act("replace_route", self.table.value, self.destination.value, self.target.value),
                    "exchange",
                ),
                b(
                    "console.delete_route",
                    lambda: act("delete_route", self.table.value, self.destination.value),
                    "trash",
                ),
            ),
            self.subnet,
            self.row(
                b(
                    "console.associate",
                    lambda: act("associate_route_table", self.table.value, self.subnet.value),
                    "link",
                ),
                b("console.disassociate", self._disassociate, "unlink"),
            ),
        ]

    def _targets(self):
        return [
            *self.lab.internet_gateways.values(),
            *self.lab.egress_only_internet_gateways.values(),
            *(n for n in self.lab.nat_gateways.values() if n.state is not NatGatewayState.DELETED),
            *self.instances(),
        ]

    def _disassociate(self):
        subnet = self.lab.subnets.get(self.subnet.value)
        association = subnet.route_table_association if subnet else None
        self.console.act("disassociate_route_table", association.id if association else str(self.subnet.value))


class AddressPanel(Panel):
    def build(self):
        self.address = self.dropdown(
            "console.elastic_ip", lambda: [(f"{e.public_ip} ({e.id})", e.id) for e in self.lab.elastic_ips.values()]
        )
        self.instance = self.dropdown("console.instance", self.instances)
        self.reassociate = self.console.label(
            widgets.Checkbox(value=False, style=_LABEL_FITS), "console.allow_reassociation"
        )
        act, b = self.console.act, self.console.button
        return [
            self.address,
            self.instance,
            self.reassociate,
            self.row(
                b("console.allocate", lambda: act("allocate_address"), "plus"),
                b(
                    "console.associate",
                    lambda: act(
                        "associate_address",
                        self.address.value,
                        self.instance.value,
                        allow_reassociation=self.reassociate.value,
                    ),
                    "link",
                ),
                b("console.disassociate", self._disassociate, "unlink"),
                b("console.release", lambda: act("release_address", self.address.value), "trash"),
            ),
        ]

    def _disassociate(self):
        # by its association id, as the AWS CLI does (disassociate-address --association-id eipassoc-…)
        eip = self.lab.elastic_ips.get(self.address.value)
        association = eip.association_id if eip is not None else None
        self.console.act("disassociate_address", association or self.address.value)


class InstancePanel(Panel):
    def build(self):
        self.subnet = self.dropdown("console.subnet", self.subnets)
        self.name = self.text("console.name", "")
        self.public = self.console.label(
            self.console.choices(
                widgets.Dropdown(options=[("", None)], layout=_WIDE, style=_LABEL_FITS),
                [("console.opt.subnet_default", None), ("console.opt.yes", True), ("console.opt.no", False)],
            ),
            "console.public_ip",
        )
        self.instance = self.dropdown("console.instance", self.instances)
        act, b = self.console.act, self.console.button
        return [
            self.subnet,
            self.name,
            self.public,
            self.row(
                b(
                    "console.launch",
                    lambda: act(
                        "run_instance",
                        self.subnet.value,
                        name=self.name.value or None,
                        associate_public_ip=self.public.value,
                    ),
                    "rocket",
                ),
            ),
            self.instance,
            self.row(
                b("console.stop", lambda: act("stop_instance", self.instance.value), "stop"),
                b("console.start", lambda: act("start_instance", self.instance.value), "play"),
                b("console.terminate", lambda: act("terminate_instance", self.instance.value), "trash"),
            ),
        ]


class SecurityGroupPanel(Panel):
    def build(self):
        self.group = self.dropdown(
            "console.security_group",
            lambda: [(f"{g.group_name} ({g.id})", g.id) for g in self.lab.security_groups.values()],
        )
        self.direction = self.console.label(
            self.console.choices(widgets.ToggleButtons(options=[("", False)], style=_LABEL_FITS), DIRECTIONS),
            "console.direction",
        )
        self.protocol = self.console.label(
            self.console.choices(widgets.Dropdown(options=[("", "tcp")], layout=_WIDE, style=_LABEL_FITS), PROTOCOLS),
            "console.protocol",
        )
        self.port = self.text("console.port", "80")
        self.cidr = self.text("console.cidr", "0.0.0.0/0")
        b = self.console.button
        return [
            self.group,
            self.direction,
            self.protocol,
            self.port,
            self.cidr,
            self.row(
                b("console.add_rule", lambda: self._rule("authorize"), "plus"),
                b("console.remove_rule", lambda: self._rule("revoke"), "minus"),
            ),
        ]

    def _rule(self, verb: str) -> None:
        way = "egress" if self.direction.value else "ingress"
        self.console.act(
            f"{verb}_security_group_{way}",
            self.group.value,
            self.protocol.value,
            parse_port(self.port.value),
            cidr=self.cidr.value.strip(),
        )


class AclPanel(Panel):
    def build(self):
        self.acl = self.dropdown("console.network_acl", lambda: list(self.lab.network_acls.values()))
        self.number = self.console.label(
            widgets.BoundedIntText(value=100, min=1, max=32766, layout=_WIDE, style=_LABEL_FITS), "console.rule_number"
        )
        self.direction = self.console.label(
            self.console.choices(widgets.ToggleButtons(options=[("", False)], style=_LABEL_FITS), DIRECTIONS),
            "console.direction",
        )
        self.protocol = self.console.label(
            self.console.choices(widgets.Dropdown(options=[("", "tcp")], layout=_WIDE, style=_LABEL_FITS), PROTOCOLS),
            "console.protocol",
        )
        self.port = self.text("console.port", "")
        self.cidr = self.text("console.cidr", "0.0.0.0/0")
        self.action = self.console.label(
            self.console.choices(
                widgets.ToggleButtons(options=[("", "allow")], style=_LABEL_FITS),
                [("console.opt.allow", "allow"), ("console.opt.deny", "deny")],
            ),
            "console.action",
        )
        act, b = self.console.act, self.console.button
        return [
            self.acl,
            self.number,
            self.direction,
            self.protocol,
            self.port,
            self.cidr,
            self.action,
            self.row(
                b(
                    "console.add_entry",
                    lambda: act(
                        "create_network_acl_entry",
                        self.acl.value,
                        self.number.value,
                        self.direction.value,
                        self.protocol.value,
                        parse_port(self.port.value),
                        self.cidr.value.strip(),
                        self.action.value,
                    ),
                    "plus",
                ),
                b(
                    "console.delete_entry",
                    lambda: act("delete_network_acl_entry", self.acl.value, self.number.value, self.direction.value),
                    "trash",
                ),
            ),
        ]


class NatPanel(Panel):
    def build(self):
        self.subnet = self.dropdown("console.subnet", self.subnets)
        self.address = self.dropdown(
            "console.elastic_ip", lambda: [(f"{e.public_ip} ({e.id})", e.id) for e in self.lab.elastic_ips.values()]
        )
        self.nat = self.dropdown(
            "console.nat_gateway",
            lambda: [n for n in self.lab.nat_gateways.values() if n.state is not NatGatewayState.DELETED],
        )
        act, b = self.console.act, self.console.button
        return [
            self.subnet,
            self.address,
            self.row(
                b(
                    "console.create_nat",
                    lambda: act("create_nat_gateway", self.subnet.value, self.address.value),
                    "plus",
                ),
            ),
            self.nat,
            self.row(b("console.delete", lambda: act("delete_nat_gateway", self.nat.value), "trash")),
        ]


class TesterPanel(Panel):
    def build(self):
        internet = lambda: (tr("console.opt.internet", self.console.lang), "internet")  # noqa: E731
        self.source = self.dropdown("console.source", lambda: [internet(), *self.instances()])
        self.destination = self.dropdown("console.destination_end", lambda: [*self.instances(), internet()])
        self.protocol = self.console.label(
            self.console.choices(widgets.Dropdown(options=[("", "tcp")], layout=_WIDE, style=_LABEL_FITS), PROTOCOLS),
            "console.protocol",
        )
        self.port = self.text("console.port", "80")
        self.family = self.console.label(
            self.console.choices(widgets.Dropdown(options=[("", 4)], layout=_WIDE, style=_LABEL_FITS), FAMILIES),
            "console.ip_version",
        )
        self.result = widgets.HTML()

        def run() -> None:
            self.console.test(
                self.source.value,
                self.destination.value,
                self.protocol.value,
                parse_port(self.port.value),
                ip_version=self.family.value,
            )

        return [
            self.source,
            self.destination,
            self.protocol,
            self.port,
            self.family,
            self.row(self.console.button("console.test", run, "search", "primary")),
            self.result,
        ]


_PANELS = {
    "internet_gateway": GatewayPanel,
    "route_table": RoutePanel,
    "elastic_ip": AddressPanel,
    "instance": InstancePanel,
    "security_group": SecurityGroupPanel,
    "network_acl": AclPanel,
    "nat_gateway": NatPanel,
    "tester": TesterPanel,
}


def build_panel(name: str, console) -> Panel:
    if name in ("ipv6", "block_public_access"):  # their own module, which imports this one
        from .panels_ipv6 import BlockPublicAccessPanel, Ipv6Panel

        return {"ipv6": Ipv6Panel, "block_public_access": BlockPublicAccessPanel}[name](console)
    return _PANELS[name](console)
