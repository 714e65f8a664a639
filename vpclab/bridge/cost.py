"""``lab.cost()``: what the lab's network would cost in a real account, line by line.

Since 1 February 2024 AWS bills every public IPv4 address by the hour, in use or idle (fact sheet
§4.5): the auto-assigned address of a running instance, every Elastic IP (associated or not, on a
running or a stopped instance) and a NAT gateway's address. A NAT gateway also costs per hour and per
gigabyte it processes, and data sent out to the internet is billed per gigabyte (through an internet
gateway or a NAT gateway alike), after a free 100 GB a month. VPCs, subnets, internet gateways, route
tables, security groups and network ACLs are free, and the report lists them so that learners see it.

Prices follow the lab's Region (fact sheet §16.3: a Seoul lab uses Seoul prices); a Region the price
file has no figures for uses its fallback Region's, and the report says so. Prices, their sources and
dates live in ``vpclab/data/prices.json``; amounts are exact decimals. KRW amounts are shown without
Korean VAT (10 %), with a total that includes it beside them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from html import escape
from ipaddress import IPv4Address
from pathlib import Path

from ..model.addressing import is_internet_address
from ..model.errors import InvalidParameterError
from ..model.i18n import check_language, tr
from ..model.resources import InstanceState, NatGatewayState
from ..render.tables import table

PRICES_FILE = Path(__file__).resolve().parent.parent / "data" / "prices.json"
CURRENCIES = ("USD", "KRW")


@cache
def load_prices() -> dict:
    """The price data file, numbers as ``Decimal``."""
    return json.loads(PRICES_FILE.read_text(encoding="utf-8"), parse_float=Decimal)


@dataclass(frozen=True)
class CostLine:
    """One line of the bill. ``kind`` names it in the catalogs (``cost.kind.<kind>``)."""

    kind: str
    resource_ids: tuple[str, ...]
    name: str | None
    detail: str
    quantity: Decimal
    unit: str  # "ip_hour", "hour", "gb" or "" (free items: quantity is how many)
    unit_price: Decimal  # in the report's currency
    amount: Decimal

    @property
    def free(self) -> bool:
        """A resource AWS does not charge for (a zero amount of something billable is not free)."""
        return self.unit_price == 0


def _number(value, key: str, positive: bool = False) -> Decimal:
    ok = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    number = Decimal(str(value)) if ok else None
    if number is None or not number.is_finite() or number < 0 or (positive and number == 0):
        raise InvalidParameterError("InvalidParameterValue", f"InvalidParameterValue:{key}", value=repr(value))
    return number


def region_prices(region: str) -> tuple[str, dict]:
    """The Region whose figures apply to ``region`` (itself, or the file's fallback) and those figures."""
    prices = load_prices()
    used = region if region in prices["regions"] else prices["fallback_region"]
    return used, prices["regions"][used]


def cost(lab, hours=730, currency: str = "USD", nat_data_gb=0.0, krw_per_usd=None, data_out_gb=0.0) -> CostReport:
    """See ``Lab.cost``."""
    hours = _number(hours, "cost_hours")
    nat_data = _number(nat_data_gb, "cost_nat_data")
    data_out = _number(data_out_gb, "cost_data_out")
    if not isinstance(currency, str) or currency.strip().upper() not in CURRENCIES:
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:cost_currency", value=repr(currency)
        )
    currency = currency.strip().upper()
    prices = load_prices()
    rate_given = krw_per_usd is not None
    rate = _number(krw_per_usd, "cost_rate", positive=True) if rate_given else prices["exchange_rate"]["krw_per_usd"]
    factor = rate if currency == "KRW" else Decimal(1)
    _, regional = region_prices(lab.region)
    ipv4 = regional["public_ipv4"]["usd_per_hour"] * factor
    nat_hour = regional["nat_gateway"]["usd_per_hour"] * factor
    nat_gb = regional["nat_gateway"]["usd_per_gb_processed"] * factor
    out_gb = regional["data_transfer_out"]["usd_per_gb"] * factor
    free_gb = regional["data_transfer_out"]["free_gb_per_month"]

    lines: list[CostLine] = []

    def bill(kind, resources, detail, quantity, unit, price) -> None:
        ids = tuple(r.id for r in resources)
        name = ", ".join(r.name for r in resources if r.name) or None
        lines.append(CostLine(kind, ids, name, detail, quantity, unit, price, quantity * price))

    for instance in lab.instances.values():
        if instance.state is InstanceState.RUNNING and instance.auto_public_ip is not None:
            bill("auto_ip", [instance], str(instance.auto_public_ip), hours, "ip_hour", ipv4)
    for interface in lab.network_interfaces.values():  # an imported instance's secondary interfaces
        if interface.instance.state is InstanceState.RUNNING and interface.auto_public_ip is not None:
            bill("auto_ip", [interface], str(interface.auto_public_ip), hours, "ip_hour", ipv4)
    for eip in lab.elastic_ips.values():
        owner = eip.instance or (eip.network_interface.instance if eip.network_interface is not None else None)
        if eip.nat_gateway is not None:
            kind, user = "eip_nat", eip.nat_gateway
        elif owner is not None:  # on the instance or on a secondary interface of it: in use, not idle
            kind = "eip_instance" if owner.state is InstanceState.RUNNING else "eip_stopped"
            user = eip.instance or eip.network_interface
        else:
            kind, user = "eip_idle", None
        detail = str(eip.public_ip) + (f" → {user.name or user.id}" if user is not None else "")
        bill(kind, [eip], detail, hours, "ip_hour", ipv4)
    nats = [n for n in lab.nat_gateways.values() if n.state is NatGatewayState.AVAILABLE]
    for nat in nats:
        bill("nat_hours", [nat], str(nat.subnet.cidr), hours, "hour", nat_hour)
    if nats:
        bill("nat_data", nats, "", nat_data, "gb", nat_gb)
    gateways = [g for g in lab.internet_gateways.values() if g.vpc is not None]
    if data_out and gateways:
        # The free allowance is per month and per account: counted once here, as for a lab alone.
        billed = max(data_out - free_gb, Decimal(0))
        bill("data_out", gateways, f"{_plain(data_out)} GB − {free_gb} GB", billed, "gb", out_gb)
    for instance in lab.instances.values():
        if instance.state is InstanceState.STOPPED and instance.auto_assign_public_ip and instance.elastic_ip is None:
            bill("released_ip", [instance], "", Decimal(0), "ip_hour", ipv4)
    for holder, address in _service_addresses(lab):
        bill("service_ip", [holder], address, hours, "ip_hour", ipv4)
    free = {
        "vpc": lab.vpcs,
        "subnet": lab.subnets,
        "internet_gateway": lab.internet_gateways,
        "route_table": lab.route_tables,
        "security_group": lab.security_groups,
        "network_acl": lab.network_acls,
        "egress_only_gateway": lab.egress_only_internet_gateways,  # no hourly charge (fact sheet §12.6)
    }
    for kind, resources in free.items():
        if resources:
            lines.append(
                CostLine(kind, tuple(resources), None, "", Decimal(len(resources)), "", Decimal(0), Decimal(0))
            )
    report = CostReport(lab.region, hours, currency, rate, rate_given, nat_data, lines)
    report.ipv6_movable, report.ipv6_saving = _ipv6_saving(lab, lines)
    return report


def _ipv6_saving(lab, lines: list[CostLine]) -> tuple[tuple[str, ...], Decimal]:
    """Instances that already have an IPv6 address and still pay for a public IPv4 one, and what
    serving them over IPv6 only would save: IPv6 addresses carry no charge (fact sheet §12.6)."""
    movable = {i.id for i in lab.instances.values() if i.ipv6_addresses and i.public_ip is not None}
    saving = Decimal(0)
    for line in lines:
        if line.kind == "eip_instance":
            holder = lab.elastic_ips[line.resource_ids[0]].instance  # None: held by another interface
            user = holder.id if holder is not None else None
        else:
            user = line.resource_ids[0] if line.kind == "auto_ip" else None
        if user in movable:
            saving += line.amount
    return tuple(sorted(movable)), saving


@dataclass(frozen=True)
class _Holder:
    id: str
    name: str


def _service_addresses(lab) -> list[tuple[_Holder, str]]:
    """Public IPv4 addresses that an imported account's load balancers and other services hold (each
    billed like any other): from the balancers' interfaces, then the other services' interfaces and the
    Elastic IPs they hold, each address once."""
    found: dict[str, _Holder] = {}
    for balancer in getattr(lab, "load_balancers", ()):
        for address in balancer.public_ips:
            found.setdefault(address, _Holder(balancer.name, f"{balancer.kind} load balancer"))
    for item in lab.unsupported:
        if item.why in ("other_service", "held_address"):
            for address in item.addresses:
                if ":" not in address and is_internet_address(IPv4Address(address)):  # IPv6 is not charged
                    found.setdefault(address, _Holder(item.id, (item.detail or item.kind)[:60]))
    return sorted(((holder, address) for address, holder in found.items()), key=lambda pair: pair[1])


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


class CostReport:
    """The bill for ``hours`` of the lab as it is now: iterate its lines, read ``total``, or display it
    (``to_text(lang)``, a Jupyter table, ``to_data()``)."""

    def __init__(self, region, hours, currency, krw_per_usd, rate_given, nat_data_gb, lines) -> None:
        self.region, self.hours, self.currency = region, hours, currency
        self.krw_per_usd, self.rate_given, self.nat_data_gb = krw_per_usd, rate_given, nat_data_gb
        self.lines: list[CostLine] = lines
        self.ipv6_movable: tuple[str, ...] = ()  # instances with IPv6 that still pay for public IPv4
        self.ipv6_saving = Decimal(0)  # what serving them over IPv6 only would save

    @property
    def total(self) -> Decimal:
        """The sum of the lines, without tax (AWS list prices exclude it)."""
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def total_with_vat(self) -> Decimal:
        """``total`` with Korean VAT (10 %), as an account in Korea is charged."""
        return self.total * (1 + load_prices()["vat"]["korea_rate"])

    def __iter__(self):
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def __repr__(self) -> str:
        return f"CostReport(hours={self.hours}, currency={self.currency!r}, total={self.money(self.total)!r})"

    # ---- numbers as text ----------------------------------------------------------------------
    def money(self, amount: Decimal, unit_price: bool = False) -> str:
        if self.currency == "KRW":
            places = Decimal("0.01") if unit_price else Decimal(1)
            return "₩" + f"{amount.quantize(places, ROUND_HALF_UP):,}"
        places = Decimal("0.001") if unit_price else Decimal("0.01")
        return "$" + f"{amount.quantize(places, ROUND_HALF_UP):,}"

    _quantity = staticmethod(_plain)

    def rows(self, lang: str) -> list[list[str]]:
        rows = []
        for line in self.lines:
            what = tr(f"cost.kind.{line.kind}", lang)
            resource = ", ".join(line.resource_ids[:3]) + (" …" if len(line.resource_ids) > 3 else "")
            if line.name:
                resource += f" ({line.name})"
            if line.detail:
                resource += f" {line.detail}"
            unit = f" {tr(f'cost.unit.{line.unit}', lang)}" if line.unit else ""
            quantity = self._quantity(line.quantity) + unit
            if line.kind in ("vpc", "subnet", "internet_gateway", "route_table", "security_group", "network_acl"):
                resource = ""
            price = self.money(line.unit_price, unit_price=True) if line.unit else ""
            amount = tr("cost.free", lang) if line.free else self.money(line.amount)
            rows.append([what, resource, quantity, price, amount])
        return rows

    def notes(self, lang: str) -> list[str]:
        prices = load_prices()
        used, regional = region_prices(self.region)
        out = regional["data_transfer_out"]
        notes = [
            tr(
                "cost.note.prices",
                lang,
                region=used,
                date=regional["as_of"],
                ipv4=regional["public_ipv4"]["usd_per_hour"],
                since=prices["public_ipv4"]["effective_since"],
                nat_hour=regional["nat_gateway"]["usd_per_hour"],
                nat_gb=regional["nat_gateway"]["usd_per_gb_processed"],
                out_gb=out["usd_per_gb"],
                free_gb=out["free_gb_per_month"],
            ),
        ]
        if used != self.region:
            notes.append(tr("cost.note.nat_region", lang, regions=used, region=self.region))
        if self.currency == "KRW":
            if self.rate_given:
                notes.append(tr("cost.note.rate_given", lang, rate=f"{self.krw_per_usd:,}"))
            else:
                rate = prices["exchange_rate"]
                notes.append(
                    tr(
                        "cost.note.rate",
                        lang,
                        rate=f"{self.krw_per_usd:,}",
                        period=rate["period"],
                        source=rate["source"]["url"],
                        reported_on=rate["reported_on"],
                    )
                )
        if self.ipv6_movable:
            notes.append(
                tr(
                    "cost.note.ipv6_saving",
                    lang,
                    instances=", ".join(self.ipv6_movable),
                    amount=self.money(self.ipv6_saving),
                )
            )
        if self.currency == "KRW":
            notes.append(tr("cost.note.vat", lang, total=self.money(self.total_with_vat)))
        notes.append(tr("cost.note.excluded", lang))
        return notes

    def _total_rows(self, lang: str) -> list[tuple[str, str]]:
        """The total, and for KRW whether VAT is in it: without, then with."""
        if self.currency != "KRW":
            return [(tr("cost.total", lang), self.money(self.total))]
        return [
            (tr("cost.total_without_vat", lang), self.money(self.total)),
            (tr("cost.total_with_vat", lang), self.money(self.total_with_vat)),
        ]

    def _headers(self, lang: str) -> list[str]:
        return [tr(f"cost.{h}", lang) for h in ("item", "resource", "quantity", "unit_price", "amount")]

    def title(self, lang: str) -> str:
        return tr("cost.title", lang, hours=self._quantity(self.hours), currency=self.currency, region=self.region)

    def to_text(self, lang: str | None = None) -> str:
        lang = check_language(lang)
        headers, rows = self._headers(lang), self.rows(lang)
        widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
        line = lambda cells: "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))  # noqa: E731
        body = [self.title(lang), line(headers), line(["-" * w for w in widths]), *map(line, rows)]
        body += [f"{label}: {amount}" for label, amount in self._total_rows(lang)]
        body += [f"* {note}" for note in self.notes(lang)]
        return "\n".join(text.rstrip() for text in body)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self, lang: str | None = None) -> str:
        lang = check_language(lang)
        rows = [*self.rows(lang), *([label, "", "", "", amount] for label, amount in self._total_rows(lang))]
        notes = "".join(f"<li>{escape(note)}</li>" for note in self.notes(lang))
        return (
            f'<div class="vpclab-cost">{table(self._headers(lang), rows, self.title(lang))}'
            f"<ul style='font-size:90%'>{notes}</ul></div>"
        )

    def to_data(self) -> dict:
        """JSON-ready: amounts as numbers in the report's currency."""
        return {
            "region": self.region,
            "hours": float(self.hours),
            "currency": self.currency,
            "krw_per_usd": float(self.krw_per_usd) if self.currency == "KRW" else None,
            "nat_data_gb": float(self.nat_data_gb),
            "lines": [
                {
                    "kind": line.kind,
                    "resource_ids": list(line.resource_ids),
                    "name": line.name,
                    "detail": line.detail,
                    "quantity": float(line.quantity),
                    "unit": line.unit,
                    "unit_price": float(line.unit_price),
                    "amount": float(line.amount),
                    "free": line.free,
                }
                for line in self.lines
            ],
            "total": float(self.total),
            "total_with_vat": float(self.total_with_vat) if self.currency == "KRW" else None,
            "prices_region": region_prices(self.region)[0],
            **({"ipv6_saving": float(self.ipv6_saving)} if self.ipv6_movable else {}),
            "prices_file": "vpclab/data/prices.json",
        }


def _width(text: str) -> int:
    # Hangul and other wide characters take two columns in a terminal.
    return sum(2 if "\u1100" <= ch <= "\uffdc" and not "\u2000" <= ch <= "\u27ff" else 1 for ch in text)
