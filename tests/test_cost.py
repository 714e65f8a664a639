"""``lab.cost()``: every public IPv4 address, NAT gateway and GB sent out billed at the lab's Region's prices
from the price file (fact sheet §4.5, §16.3)."""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal
from types import SimpleNamespace

import pytest

import vpclab
from vpclab.bridge import cost as cost_module
from vpclab.bridge.cost import PRICES_FILE, load_prices
from vpclab.model.regions import REGIONS

SEOUL = load_prices()["regions"]["ap-northeast-2"]
HOUR_PRICE = SEOUL["public_ipv4"]["usd_per_hour"]


def lines(report, kind: str) -> list:
    return [line for line in report if line.kind == kind]


@pytest.fixture
def gateway_vpc(lab):
    """A VPC with an attached gateway and a public subnet (auto-assigned IPs on) routed to it."""
    vpc = lab.create_vpc("10.0.0.0/16", name="lab-vpc")
    igw = lab.create_internet_gateway(name="igw")
    lab.attach_internet_gateway(igw, vpc)
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public", map_public_ip_on_launch=True)
    table = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(table, "0.0.0.0/0", igw)
    lab.associate_route_table(table, public)
    return SimpleNamespace(lab=lab, vpc=vpc, igw=igw, public=public)


def test_the_price_file_gives_seoul_its_own_prices_with_their_sources():
    data = json.loads(PRICES_FILE.read_text(encoding="utf-8"))
    seoul, virginia, rate = data["regions"]["ap-northeast-2"], data["regions"]["us-east-1"], data["exchange_rate"]
    assert data["public_ipv4"]["effective_since"] == "2024-02-01"
    assert seoul["public_ipv4"]["usd_per_hour"] == virginia["public_ipv4"]["usd_per_hour"] == 0.005
    assert (seoul["nat_gateway"]["usd_per_hour"], seoul["nat_gateway"]["usd_per_gb_processed"]) == (0.059, 0.059)
    assert (virginia["nat_gateway"]["usd_per_hour"], virginia["nat_gateway"]["usd_per_gb_processed"]) == (0.045, 0.045)
    assert (seoul["data_transfer_out"]["usd_per_gb"], virginia["data_transfer_out"]["usd_per_gb"]) == (0.126, 0.09)
    assert seoul["data_transfer_out"]["free_gb_per_month"] == 100
    for region in data["regions"].values():  # every figure says where it comes from and as of when
        assert region["as_of"] and all(
            region[item]["sources"] for item in ("public_ipv4", "nat_gateway", "data_transfer_out")
        )
    assert "APN2-NatGateway-Hours" in " ".join(s["title"] for s in seoul["nat_gateway"]["sources"])
    assert data["fallback_region"] in data["regions"]
    assert data["vat"]["korea_rate"] == 0.1 and data["vat"]["sources"]
    assert rate["krw_per_usd"] > 0 and rate["source"]["url"].startswith("https://") and rate["reported_on"]


def test_an_empty_lab_costs_nothing(lab):
    report = lab.cost()
    assert report.total == 0 and list(report) == []


def test_an_idle_elastic_ip_is_billed_730_hours_at_half_a_cent(lab):
    eip = lab.allocate_address(name="spare")
    report = lab.cost()
    (line,) = lines(report, "eip_idle")
    assert line.resource_ids == (eip.id,) and line.name == "spare"
    assert (line.quantity, line.unit, line.unit_price) == (730, "ip_hour", Decimal("0.005"))
    assert line.amount == Decimal("3.65") and report.total == Decimal("3.65")


def test_a_running_instance_with_an_auto_assigned_ip_is_billed(gateway_vpc):
    lab = gateway_vpc.lab
    web = lab.run_instance(gateway_vpc.public, name="web")
    private = lab.run_instance(gateway_vpc.public, name="private", associate_public_ip=False)
    (line,) = lines(lab.cost(hours=24), "auto_ip")
    assert line.resource_ids == (web.id,) and str(web.public_ip) in line.detail
    assert line.amount == 24 * HOUR_PRICE
    assert all(private.id not in line.resource_ids for line in lab.cost())


def test_a_stopped_instance_is_not_billed_for_its_released_ip_but_is_for_its_elastic_ip(gateway_vpc):
    lab = gateway_vpc.lab
    auto = lab.run_instance(gateway_vpc.public, name="auto")
    elastic = lab.run_instance(gateway_vpc.public, name="elastic")
    eip = lab.allocate_address(name="elastic-eip")
    lab.associate_address(eip, elastic)
    lab.stop_instance(auto)
    lab.stop_instance(elastic)
    report = lab.cost()
    assert lines(report, "auto_ip") == []
    (released,) = lines(report, "released_ip")
    assert released.resource_ids == (auto.id,) and released.amount == 0
    (kept,) = lines(report, "eip_stopped")
    assert kept.resource_ids == (eip.id,) and kept.amount == Decimal("3.65")
    assert report.total == Decimal("3.65")


def test_an_elastic_ip_in_use_on_a_running_instance_is_billed_like_an_idle_one(gateway_vpc):
    lab = gateway_vpc.lab
    web = lab.run_instance(gateway_vpc.public, name="web")
    eip = lab.allocate_address()
    lab.associate_address(eip, web)
    report = lab.cost()
    assert [line.kind for line in report if not line.free] == ["eip_instance"]  # the auto IP went away
    assert report.total == Decimal("3.65")


def test_a_nat_gateway_is_billed_for_its_hours_its_data_and_its_elastic_ip(gateway_vpc):
    lab = gateway_vpc.lab
    nat_eip = lab.allocate_address(name="nat-eip")
    nat = lab.create_nat_gateway(gateway_vpc.public, nat_eip, name="nat")
    report = lab.cost(hours=730, nat_data_gb=100)
    (hours,) = lines(report, "nat_hours")
    (data,) = lines(report, "nat_data")
    (address,) = lines(report, "eip_nat")
    assert hours.resource_ids == data.resource_ids == (nat.id,) and address.resource_ids == (nat_eip.id,)
    # Seoul: $0.059 an hour and per GB (fact sheet §16.3)
    assert hours.amount == Decimal("43.070") and data.amount == Decimal("5.900") and address.amount == Decimal("3.65")
    assert report.total == Decimal("52.62")


def test_a_lab_in_another_region_uses_that_regions_prices():
    lab = vpclab.Lab(region="us-east-1")
    vpc = lab.create_vpc("10.0.0.0/16")
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    lab.create_nat_gateway(lab.create_subnet(vpc, "10.0.1.0/24"), lab.allocate_address())
    report = lab.cost(hours=730, nat_data_gb=100)
    assert report.total == Decimal("41.00")  # $0.045 an hour and per GB in N. Virginia
    assert "us-east-1" in report.to_text("en") and "may differ" not in report.to_text("en")


def test_a_region_without_figures_uses_the_fallback_and_says_so():
    region = next(r for r in REGIONS if r not in load_prices()["regions"])
    lab = vpclab.Lab(region=region)
    lab.allocate_address()
    text = lab.cost().to_text("en")
    assert f"no figures for {region}" in text and load_prices()["fallback_region"] in text


def test_data_sent_out_to_the_internet_is_billed_per_gb_after_the_free_allowance(gateway_vpc):
    lab = gateway_vpc.lab
    assert lines(lab.cost(), "data_out") == []  # nothing sent, nothing billed
    (line,) = lines(lab.cost(data_out_gb=300), "data_out")
    assert line.resource_ids == (gateway_vpc.igw.id,) and line.quantity == 200  # the first 100 GB are free
    assert line.unit == "gb" and line.unit_price == Decimal("0.126") and line.amount == Decimal("25.200")
    assert lines(lab.cost(data_out_gb=80), "data_out")[0].amount == 0
    assert "0.126" in lab.cost().to_text("en")  # the note names the price even when nothing is sent


def test_failed_and_deleted_nat_gateways_cost_nothing_but_their_elastic_ips_still_do(lab):
    vpc = lab.create_vpc("10.0.0.0/16")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    failed = lab.create_nat_gateway(subnet, lab.allocate_address())  # no internet gateway: failed
    assert failed.state.value == "failed"
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    deleted = lab.create_nat_gateway(subnet, lab.allocate_address())
    lab.delete_nat_gateway(deleted)
    report = lab.cost(nat_data_gb=50)
    assert lines(report, "nat_hours") == lines(report, "nat_data") == []
    assert len(lines(report, "eip_idle")) == 2 and report.total == Decimal("7.30")


def test_free_resources_are_listed_as_free(gateway_vpc):
    report = gateway_vpc.lab.cost()
    free = {line.kind: line.quantity for line in report if line.free}
    assert free == {
        "vpc": 1,
        "subnet": 1,
        "internet_gateway": 1,
        "route_table": 2,
        "security_group": 1,
        "network_acl": 1,
    }
    assert all(line.amount == 0 for line in report if line.free)


def test_krw_uses_the_callers_exchange_rate(lab):
    lab.allocate_address()
    report = lab.cost(currency="KRW", krw_per_usd=1400)
    (line,) = lines(report, "eip_idle")
    assert line.unit_price == Decimal("7.000") and report.total == Decimal("5110.000")
    assert report.money(report.total) == "₩5,110"


def test_krw_without_a_rate_uses_the_one_in_the_price_file(lab):
    lab.allocate_address()
    rate = load_prices()["exchange_rate"]["krw_per_usd"]
    report = lab.cost(currency="krw")
    assert report.currency == "KRW" and report.total == Decimal("3.65") * rate
    assert str(rate) in report.to_text("en").replace(",", "")


def test_prices_come_from_the_data_file(lab, monkeypatch):
    lab.allocate_address()
    doubled = copy.deepcopy(load_prices())
    doubled["regions"]["ap-northeast-2"]["public_ipv4"]["usd_per_hour"] = Decimal("0.010")
    monkeypatch.setattr(cost_module, "load_prices", lambda: doubled)
    assert lab.cost().total == Decimal("7.30")


def test_the_bill_reads_in_english_and_in_korean(gateway_vpc):
    lab = gateway_vpc.lab
    lab.run_instance(gateway_vpc.public, name="web")
    lab.allocate_address(name="spare")
    lab.create_nat_gateway(gateway_vpc.public, lab.allocate_address(name="nat-eip"), name="nat")
    english, korean = lab.cost().to_text("en"), lab.cost(currency="KRW").to_text("ko")
    assert "Public IPv4 address (idle Elastic IP" in english and "Total: $54.02" in english
    assert "NAT gateway hours" in english and "Seoul" not in english and "ap-northeast-2" in english
    assert "퍼블릭 IPv4 주소" in korean and "탄력적 IP" in korean and "NAT 게이트웨이" in korean
    assert "인터넷 게이트웨이" in korean and "무료" in korean and "합계(부가가치세 별도): ₩" in korean
    html = lab.cost()._repr_html_()
    assert html.startswith('<div class="vpclab-cost">') and "<table" in html and "$54.02" in html


def test_krw_amounts_say_that_they_exclude_vat_and_show_the_total_with_it(lab):
    lab.allocate_address()
    report = lab.cost(currency="KRW", krw_per_usd=1400)
    assert report.total == Decimal("5110.000") and report.total_with_vat == Decimal("5621.0000")
    korean, english = report.to_text("ko"), report.to_text("en")
    assert "합계(부가가치세 별도): ₩5,110" in korean and "합계(부가가치세 10% 포함): ₩5,621" in korean
    assert "Total (VAT not included): ₩5,110" in english and "Total with 10% VAT: ₩5,621" in english
    assert "VAT" not in lab.cost().to_text("en")  # USD list prices: no Korean tax line
    assert report.to_data()["total_with_vat"] == pytest.approx(5621)


def test_the_bill_as_data_is_plain_json(gateway_vpc):
    lab = gateway_vpc.lab
    lab.run_instance(gateway_vpc.public, name="web")
    data = json.loads(json.dumps(lab.cost(hours=10).to_data()))
    assert data["hours"] == 10 and data["currency"] == "USD" and data["total"] == pytest.approx(0.05)
    assert data["lines"][0]["kind"] == "auto_ip"


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        ({"hours": -1}, "cost_hours"),
        ({"hours": "730"}, "cost_hours"),
        ({"hours": True}, "cost_hours"),
        ({"hours": math.nan}, "cost_hours"),
        ({"hours": math.inf}, "cost_hours"),
        ({"currency": "EUR"}, "cost_currency"),
        ({"currency": None}, "cost_currency"),
        ({"nat_data_gb": -0.5}, "cost_nat_data"),
        ({"data_out_gb": -1}, "cost_data_out"),
        ({"data_out_gb": "10"}, "cost_data_out"),
        ({"krw_per_usd": 0, "currency": "KRW"}, "cost_rate"),
        ({"krw_per_usd": -1300}, "cost_rate"),
    ],
)
def test_bad_arguments_are_refused_with_invalid_parameter_value(lab, arguments, key):
    with pytest.raises(vpclab.VpcLabError) as caught:
        lab.cost(**arguments)
    error = caught.value
    assert error.code == "InvalidParameterValue" and error.key == f"InvalidParameterValue:{key}"
    assert isinstance(error, ValueError)
    english, korean = error.message("en"), error.message("ko")
    assert english != error.key and korean != error.key and english != korean
