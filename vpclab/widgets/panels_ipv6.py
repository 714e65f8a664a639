"""The console's tools for IPv6, the egress-only internet gateway and VPC Block Public Access (fact sheet
§12-§14): controls only, each button hands a Lab verb to ``console.act`` like the other panels."""

from __future__ import annotations

import ipywidgets as widgets

from ..model.verbs_ipv6 import first_free_ipv6_subnet
from .panels import _LABEL_FITS, _WIDE, Panel

BLOCK_MODES = [("off", "off"), ("block-bidirectional", "block-bidirectional"), ("block-ingress", "block-ingress")]
EXCLUSION_MODES = [("allow-bidirectional", "allow-bidirectional"), ("allow-egress", "allow-egress")]


def free_ipv6_subnet(lab, subnet) -> str:
    """The first /64 of the subnet's VPC (or of a VPC given itself) that no subnet holds yet ("" when
    there is none to offer)."""
    vpc = getattr(subnet, "vpc", subnet)
    free = first_free_ipv6_subnet(lab, vpc) if vpc is not None else None
    return str(free) if free is not None else ""


class Ipv6Panel(Panel):
    """The VPC's Amazon /56, a subnet's /64 and its auto-assign setting, an instance's IPv6 addresses,
    the egress-only gateway."""

    def build(self):
        self._offered: set[str] = set()  # the /64 this panel filled in itself, replaced as the lab changes
        self.vpc = self.dropdown("console.vpc", self.vpcs)
        self.subnet = self.dropdown("console.subnet", self.subnets)
        self.ipv6_cidr = self.text("console.ipv6_cidr", "")
        self.instance = self.dropdown("console.instance", self.instances)
        self.gateway = self.dropdown(
            "console.egress_only_gateway", lambda: list(self.lab.egress_only_internet_gateways.values())
        )
        act, b = self.console.act, self.console.button
        return [
            self.vpc,
            self.row(
                b(
                    "console.add_ipv6_block",
                    lambda: act("associate_vpc_cidr_block", self.vpc.value, amazon_provided_ipv6=True),
                    "plus",
                ),
                b("console.create_eigw", lambda: act("create_egress_only_internet_gateway", self.vpc.value), "plus"),
            ),
            self.subnet,
            self.ipv6_cidr,
            self.row(
                b(
                    "console.associate_ipv6",
                    lambda: act("associate_subnet_cidr_block", self.subnet.value, self.ipv6_cidr.value.strip()),
                    "link",
                ),
                b(
                    "console.auto_ipv6",
                    lambda: act("modify_subnet_attribute", self.subnet.value, assign_ipv6_address_on_creation=True),
                    "magic",
                ),
            ),
            self.row(
                b("console.create_ipv6_only", self._create_ipv6_only, "plus"),
                b("console.toggle_dns64", self._toggle_dns64, "exchange"),
            ),
            self.instance,
            self.row(
                b(
                    "console.assign_ipv6",
                    lambda: act("assign_ipv6_addresses", self._instance(), ipv6_address_count=1),
                    "plus",
                ),
                b("console.unassign_ipv6", self._unassign, "minus"),
            ),
            self.gateway,
            self.row(
                b(
                    "console.delete_eigw",
                    lambda: act("delete_egress_only_internet_gateway", self.gateway.value),
                    "trash",
                )
            ),
        ]

    def _create_ipv6_only(self) -> None:
        """An IPv6-only subnet in the chosen VPC, of the /64 in the text box (no IPv4 block at all)."""
        self.console.act("create_subnet", self.vpc.value, ipv6_cidr=self.ipv6_cidr.value.strip(), ipv6_native=True)

    def _toggle_dns64(self) -> None:
        subnet = self.lab.subnets.get(self.subnet.value)
        turn_on = subnet is None or not subnet.enable_dns64  # an unknown subnet: the lab names the error
        self.console.act("modify_subnet_attribute", self.subnet.value, enable_dns64=turn_on)

    def _instance(self):
        # The object, not its id: the AWS CLI shown beside the call names the instance's network interface.
        return self.lab.instances.get(self.instance.value, self.instance.value)

    def _unassign(self) -> None:
        instance = self._instance()
        held = [str(a) for a in getattr(instance, "ipv6_addresses", ())]
        self.console.act("unassign_ipv6_addresses", instance, held)

    def refresh(self) -> None:
        super().refresh()
        # offer the next free /64 of the chosen subnet's VPC (or the chosen VPC); a learner's own text is kept
        subnet = self.lab.subnets.get(self.subnet.value) or self.lab.vpcs.get(self.vpc.value)
        if not self.ipv6_cidr.value.strip() or self.ipv6_cidr.value in self._offered:
            self.ipv6_cidr.value = free_ipv6_subnet(self.lab, subnet)
            self._offered = {self.ipv6_cidr.value}


class BlockPublicAccessPanel(Panel):
    """The Region's Block Public Access mode, and exclusions for one VPC or one subnet."""

    def build(self):
        self.mode = self.console.label(
            widgets.Dropdown(options=BLOCK_MODES, value="off", layout=_WIDE, style=_LABEL_FITS), "console.bpa_mode"
        )
        self.target = self.dropdown("console.exclusion_target", lambda: [*self.vpcs(), *self.subnets()])
        self.exclusion_mode = self.console.label(
            widgets.Dropdown(options=EXCLUSION_MODES, value="allow-bidirectional", layout=_WIDE, style=_LABEL_FITS),
            "console.exclusion_mode",
        )
        self.exclusion = self.dropdown(
            "console.exclusion", lambda: list(self.lab.block_public_access_exclusions.values())
        )
        act, b = self.console.act, self.console.button
        return [
            self.mode,
            self.row(
                b(
                    "console.set_bpa_mode",
                    lambda: act("modify_vpc_block_public_access_options", self.mode.value),
                    "lock",
                )
            ),
            self.target,
            self.exclusion_mode,
            self.row(b("console.create_exclusion", self._exclude, "unlock")),
            self.exclusion,
            self.row(
                b(
                    "console.delete_exclusion",
                    lambda: act("delete_vpc_block_public_access_exclusion", self.exclusion.value),
                    "trash",
                )
            ),
        ]

    def _exclude(self) -> None:
        kind = "subnet" if str(self.target.value).startswith("subnet-") else "vpc"
        self.console.act(
            "create_vpc_block_public_access_exclusion", **{kind: self.target.value, "mode": self.exclusion_mode.value}
        )

    def refresh(self) -> None:
        super().refresh()
        self.mode.value = self.lab.block_public_access.internet_gateway_block_mode.value  # undo shows the mode back
