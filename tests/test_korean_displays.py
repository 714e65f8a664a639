"""What a Korean learner reads in analyses, hop tables, exposure reports and lab tables is Korean.

"No English" is defined on the ASCII words of the rendered text (HTML tags and styles removed). A word
may stay as it is only when a Korean reader of the AWS console would see it that way too:

* an AWS id (``igw-0fdef…``, ``i-0244…``) or a Region or zone name (``ap-northeast-2a``);
* a code in capitals: an explanation code (``NO_ROUTE_TO_DESTINATION``), an acronym (``TCP``, ``NAT``);
* a protocol as AWS writes it in rules and the CLI (``tcp``, ``udp``, ``icmp``);
* ``local``, the target of the VPC's own route, as the Korean console shows it;
* a call of the library's API in a fix hint (``lab.create_route``, ``allow_reassociation=True``);
* a name the lab's author gave a resource (``web``, ``lab-vpc``);
* a source's web address or the price file's path, in a cost report's notes.

Everything else, ``internet``, ``NetworkAclEntry``, ``running``, ``deny``, is raw English.
"""

from __future__ import annotations

import re

import pytest

from vpclab import scenarios
from vpclab.render.analysis import analysis_html, analysis_text
from vpclab.render.diagram import diagram_text
from vpclab.render.exposure import exposure_html
from vpclab.render.tables import lab_html, resource_html

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.:=/-]*")
AWS_ID = re.compile(r"^(?:[a-z]+-)+[0-9a-f]{8,17}$")
REGION = re.compile(r"^[a-z]{2}-[a-z]+-\d[a-z]?$")
CAPITALS = re.compile(r"^[A-Z][A-Z0-9_]*(?:v[46])?$")  # NO_ROUTE_TO_DESTINATION, TCP, IPv4
PROTOCOLS = {"tcp", "udp", "icmp"}
LOCAL = "local"  # the target of a VPC's own route, as AWS (and its Korean console) shows it
API_CALL = re.compile(r"^(?:lab\.)?[a-z]+(?:_[a-z0-9]+)+$|^lab\.[a-z_]+$|^[a-z_]+=[A-Za-z0-9]+$")


def _names(lab) -> set[str]:
    resources = [
        *lab.vpcs.values(),
        *lab.subnets.values(),
        *lab.internet_gateways.values(),
        *lab.route_tables.values(),
        *lab.security_groups.values(),
        *lab.network_acls.values(),
        *lab.elastic_ips.values(),
        *lab.instances.values(),
        *lab.nat_gateways.values(),
    ]
    names = {getattr(r, "name", None) for r in resources} | {g.group_name for g in lab.security_groups.values()}
    return {n for n in names if n}


def english_words(text: str, names: set[str]) -> set[str]:
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", text)  # HTML markup is not text
    text = re.sub(r"\b(?:vpclab|Reachability Analyzer)\b", " ", text)  # names of the tools
    text = re.sub(r"https?://\S+|[\w/]+\.json\b", " ", text)  # a source's address, the price file
    found = set()
    for word in WORD.findall(text):
        word = word.rstrip(".:/=-")
        if not word or word in names or word in PROTOCOLS or word == LOCAL:
            continue
        if AWS_ID.match(word) or REGION.match(word) or CAPITALS.match(word) or API_CALL.match(word):
            continue
        found.add(word)
    return found


def _scenarios():
    yield scenarios.classroom()
    yield scenarios.classroom(nat=False)
    for name in scenarios.BROKEN:
        yield scenarios.broken(name)


def _shown(lab) -> list[str]:
    shown = [exposure_html(lab.exposure(), "ko"), lab.exposure().to_text("ko"), lab_html(lab, "ko")]
    shown += [diagram_text(lab, "ko"), lab.cost(currency="KRW", nat_data_gb=10, data_out_gb=300).to_text("ko")]
    for instance in lab.instances.values():
        shown.append(resource_html(instance, "ko"))
        for analysis in (
            lab.analyze("internet", instance, port=80),
            lab.analyze(instance, "internet", port=443),
            lab.analyze("internet", instance, protocol="icmp", port=8),
        ):
            shown += [analysis_text(analysis, "ko"), analysis_html(analysis, "ko")]
    return shown


@pytest.mark.parametrize("scenario", list(_scenarios()), ids=lambda s: s.name)
def test_korean_analyses_exposures_and_tables_hold_no_english_words(scenario):
    names = _names(scenario.lab)
    shown = [*_shown(scenario.lab), scenario.describe("ko")]
    assert {word for text in shown for word in english_words(text, names)} == set()


def test_the_check_finds_the_english_it_is_meant_to_find():
    names = {"web"}
    assert english_words("internet 인터넷 NetworkAclEntry(*, ingress, -1, all, 0.0.0.0/0, deny)", names) >= {
        "internet",
        "ingress",
        "all",
        "deny",
    }
    kept = "igw-0fdef01050ee33cf1 web tcp SUBNET_ACL_RESTRICTION lab.create_route ap-northeast-2a IPv4 TCP"
    assert english_words(kept, names) == set()


def test_a_network_acl_rule_reads_as_a_rule_in_the_hop_table():
    s = scenarios.broken("network_acl")
    text = analysis_text(s.lab.analyze("internet", s.web, port=80), "ko")
    assert "0.0.0.0/0에서 오는 모든 트래픽 거부" in text and "NetworkAclEntry" not in text
    assert "네트워크 ACL 규칙이 거부 (SUBNET_ACL_RESTRICTION)" in text
    english = analysis_text(s.lab.analyze("internet", s.web, port=80), "en")
    assert "deny all traffic from 0.0.0.0/0" in english
    assert "network ACL rule denies it (SUBNET_ACL_RESTRICTION)" in english


def test_the_hop_table_names_the_internet_in_korean():
    s = scenarios.classroom()
    rows = analysis_text(s.lab.analyze("internet", s.web, port=80), "ko").splitlines()
    assert rows[2].split()[1] == "인터넷"


# ---- one register: 합니다체 ------------------------------------------------------------------------------
# A sentence of the library's Korean ends as 합니다체 does: "…니다." (statements), "…니까?" (questions),
# "…세요." (requests), or a soft question "…까요?"; labels and short phrases end in a noun. Plain style
# ("…한다.") and other polite endings ("…네요", "…나요?") are another register.
OTHER_REGISTER = re.compile(r"(?<!니)다[.!?]?$|네요[.!?]?$|나요[?]?$|어요[.!?]?$")


def test_the_library_speaks_korean_in_one_register():
    from vpclab.model.i18n import catalog

    assert all(OTHER_REGISTER.search(s) for s in ("게이트웨이를 분리했다.", "아쉽네요", "들어 있나요?"))
    assert not any(OTHER_REGISTER.search(s) for s in ("연결합니다.", "있습니까?", "추가하세요.", "무엇일까요?"))
    wrong = {}
    for key, text in catalog("ko").items():
        if key.startswith("quiz."):  # the lessons' quizzes keep the register of the lessons' prose
            continue
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
            if OTHER_REGISTER.search(sentence.strip().rstrip(")").strip()):
                wrong[key] = sentence
    assert wrong == {}
