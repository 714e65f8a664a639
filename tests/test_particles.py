"""Korean particles chosen for the word before them, as a Korean reader says it, in every catalog text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vpclab.model.i18n import catalog, code_phrase, placeholders, tr
from vpclab.model.particles import PLACEHOLDER_PARTICLES, attach_particles, final_sound, particle_for

# word → how a Korean reader says its end (the reading in the comment)
SOUNDS = {
    # Hangul: by the final consonant; ㄹ apart
    "서브넷": "consonant",
    "게이트웨이": "vowel",
    "서울": "rieul",
    "인스턴스": "vowel",
    "종료됨": "consonant",
    "규칙": "consonant",
    # ids: the hex tail said character by character
    "igw-0a1b2c3d4e5f60001": "rieul",  # 일
    "vpc-0a1b2c3d4e5f6000a": "vowel",  # 에이
    "subnet-0000000000000002": "vowel",  # 이
    "rtb-0000000000000003": "consonant",  # 삼
    "sg-0000000000000006": "consonant",  # 육
    "i-0000000000000008": "rieul",  # 팔
    "eipalloc-000000000000000f": "vowel",  # 에프
    "acl-000000000000000c": "vowel",  # 씨
    "nat-0000000000000010": "consonant",  # 영 (공)
    # numbers in Sino-Korean
    "80": "consonant",  # 팔십
    "443": "consonant",  # 사백사십삼
    "22": "vowel",  # 이십이
    "100": "consonant",  # 백
    "1000": "consonant",  # 천
    "32766": "consonant",  # …육
    "65535": "vowel",  # …오
    "1": "rieul",  # 일
    "-1": "rieul",  # 마이너스 일
    "1,000,000": "consonant",  # 백만
    "0": "consonant",  # 영
    "0.045": "vowel",  # 영점영사오
    "10%": "vowel",  # 퍼센트
    # addresses
    "0.0.0.0/0": "consonant",  # 영
    "10.0.0.0/16": "consonant",  # 십육
    "10.0.1.0/24": "vowel",  # 이십사
    "203.0.113.10/32": "vowel",  # 삼십이
    "10.0.1.7": "rieul",  # 칠
    "198.51.100.25": "vowel",  # 이십오
    # letters and acronyms by the letters' names
    "VPC": "vowel",  # 씨
    "ACL": "rieul",  # 엘
    "TCP": "vowel",  # 피
    "CIDR": "rieul",  # 알
    "IGW": "vowel",  # 더블유
    "ICMP": "vowel",  # 피
    "IPv4": "vowel",  # 사
    "IPv6": "consonant",  # 육
    "db": "vowel",  # 디비
    "NAT": "consonant",  # 낫
    # English words as their Korean loanwords end
    "web": "consonant",  # 웹
    "app": "consonant",  # 앱
    "internet": "consonant",  # 인터넷
    "public": "consonant",  # 퍼블릭
    "bastion": "consonant",  # 배스천
    "running": "consonant",  # 러닝
    "local": "rieul",  # 로컬
    "all": "rieul",  # 올
    "blackhole": "rieul",  # 블랙홀
    "table": "rieul",  # 테이블
    "server": "vowel",  # 서버
    "gateway": "vowel",  # 게이트웨이
    "route": "vowel",  # 라우트
    "default": "vowel",  # 디폴트
    "test": "vowel",  # 테스트
    "stopped": "vowel",  # 스톱트
    "allow": "vowel",  # 얼라우
    "deny": "vowel",  # 디나이
    "ingress": "vowel",  # 인그레스
    "zone": "consonant",  # 존
    "name": "consonant",  # 네임
    "NO_ROUTE_TO_DESTINATION": "consonant",  # 데스티네이션
    "NOTHING_CUT": "consonant",  # 컷
    "app.public_ip": "vowel",  # 아이피
}


@pytest.mark.parametrize(("word", "sound"), SOUNDS.items())
def test_a_word_ends_as_a_korean_reader_says_it(word, sound):
    assert final_sound(word) == sound


@pytest.mark.parametrize(
    ("word", "particles"),
    [
        ("igw-0a1b2c3d4e5f60001", {"이(가)": "이", "을(를)": "을", "은(는)": "은", "과(와)": "과", "(으)로": "로"}),
        ("80", {"이(가)": "이", "을(를)": "을", "(으)로": "으로"}),
        ("web", {"이(가)": "이", "와(과)": "과", "(으)로": "으로"}),
        ("0.0.0.0/0", {"이(가)": "이", "(으)로": "으로"}),
        ("서울", {"이(가)": "이", "(으)로": "로", "는(은)": "은"}),
        ("서버", {"이(가)": "가", "을(를)": "를", "은(는)": "는", "과(와)": "와", "(으)로": "로", "(이)": ""}),
        ("subnet", {"(이)": "이", "를(을)": "을"}),
    ],
)
def test_each_undecided_particle_takes_its_shape_from_the_word(word, particles):
    assert {particle: particle_for(word, particle) for particle in particles} == particles


def test_quotes_and_a_parenthetical_after_the_word_are_looked_through():
    assert attach_particles("'web'이(가) 없습니다") == "'web'이 없습니다"
    # the word outside the parentheses decides (서브넷, not 24)
    assert attach_particles("서브넷 subnet-1(10.0.1.0/24)과(와) 겹칩니다") == "서브넷 subnet-1(10.0.1.0/24)과 겹칩니다"
    assert attach_particles("(web)을(를) 고릅니다") == "(web)을 고릅니다"  # nothing outside: the inside decides


def test_text_without_an_undecided_particle_is_left_as_it_is():
    text = "규칙(100)은 거부합니다 (이미 있음)"
    assert attach_particles(text) == text


# ---- every catalog text --------------------------------------------------------------------------------------
KO = catalog("ko")
FIXED_AFTER_PLACEHOLDER = re.compile(r"\{\w+\}['\"]?(?:이|가|을|를|은|는|과|와|으로|로)(?!\()")
UNDECIDED = re.compile("|".join(re.escape(p) for p in PLACEHOLDER_PARTICLES))
SAMPLES = ["igw-0a1b2c3d4e5f60001", "vpc-0a1b2c3d4e5f6000a", "80", "22", "0.0.0.0/0", "web", "server", "서울", "규칙"]


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_korean_catalog_text_with_sample_values_keeps_no_undecided_particle(sample):
    left = {}
    for key, text in KO.items():
        shown = tr(key, "ko", **dict.fromkeys(placeholders(text), sample))
        if UNDECIDED.search(shown):
            left[key] = shown
    assert left == {}


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_particle_after_each_placeholder_agrees_with_the_sample_value(sample):
    sound = final_sound(sample)
    wrong = []
    checked = 0
    for key, text in KO.items():
        for match in re.finditer(r"\{(\w+)\}(['\"]?)(" + UNDECIDED.pattern + ")", text):
            name, quote, particle = match.groups()
            values = dict.fromkeys(placeholders(text), "값") | {name: sample}
            shown = tr(key, "ko", **values)
            if sample + quote + particle_for(sample, particle) not in shown:
                wrong.append((key, shown))
            checked += 1
    assert wrong == [] and checked >= 100, sound


def test_no_korean_text_fixes_a_particle_right_after_a_placeholder():
    """The value is not known when the text is written: the particle must be the undecided form."""
    assert {key: text for key, text in KO.items() if FIXED_AFTER_PLACEHOLDER.search(text)} == {}


def test_english_texts_are_left_as_they_are():
    assert tr("InvalidVpcID.NotFound", "en", id="vpc-1") == catalog("en")["InvalidVpcID.NotFound"].format(id="vpc-1")


def test_an_error_message_reads_naturally_in_korean():
    igw = "igw-0a1b2c3d4e5f60001"
    assert f"'{igw}'이 없습니다" in tr("InvalidInternetGatewayID.NotFound", "ko", id=igw)
    assert "'vpc-0a'가 이 실습 환경에 없습니다" in tr("InvalidVpcID.NotFound", "ko", id="vpc-0a")


def test_a_code_phrase_in_each_language_and_an_unknown_code_shown_as_is():
    assert code_phrase("NO_ROUTE_TO_DESTINATION", "en") == "no route to the destination"
    assert code_phrase("NO_ROUTE_TO_DESTINATION", "ko") == "목적지로 가는 라우팅 없음"
    assert code_phrase("SOMETHING_NEW", "ko") == "SOMETHING_NEW"


# ---- the lessons ---------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
KOREAN_LESSONS = sorted((ROOT / "notebooks" / "ko").glob("*.ipynb"))
# The lessons' executed copies (what nbval runs and compares), when the project keeps them.
KOREAN_RUNS = sorted((ROOT / "tests" / "notebooks" / "executed" / "ko").glob("*.ipynb"))


def _texts(notebook: Path):
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            yield "".join(cell["source"])
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for text in (output.get("text"), data.get("text/plain"), data.get("text/html")):
                if text:
                    yield "".join(text)


@pytest.mark.parametrize("notebook", KOREAN_LESSONS + KOREAN_RUNS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_no_korean_lesson_shows_an_undecided_particle(notebook):
    assert [text for text in _texts(notebook) if UNDECIDED.search(text)] == []


def test_the_korean_lessons_are_there_to_be_read():
    assert len(KOREAN_LESSONS) >= 8
