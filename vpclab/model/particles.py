"""Korean particles that agree with the word before them, the way a Korean reader says that word.

A Korean particle has two shapes, chosen by the last sound of the word it follows: 이/가, 을/를,
은/는, 과/와 after a consonant/vowel, and 으로/로, where a final ㄹ counts as a vowel. The catalogs
write the undecided form right after a placeholder (``'{id}'이(가) 없습니다``), and
:func:`attach_particles` replaces it once the value is known, so a reader sees ``igw-…1이`` (일) and
``web이`` (웹), never ``이(가)``.

The last sound of a non-Hangul word is how a Korean reader pronounces it:

* numbers in Sino-Korean (``80`` 팔십, ``100`` 백, ``0.0.0.0/0`` …영); a run of digits glued to
  letters, as in an id's hex tail, is read digit by digit (``igw-…1`` 일);
* single letters and acronyms by the letters' names (``vpc-…a`` 에이, ``ACL`` 엘, ``TCP`` 피);
* English words as their Korean loanword ends (``web`` 웹, ``server`` 서버, ``local`` 로컬,
  ``internet`` 인터넷, ``route`` 라우트), by the spelling rules in :func:`_english_final`;
* a few technical words Korean readers say as words, not letters (``NAT`` 낫, ``all`` 올); ``CIDR``
  is said by its letters (…알), as the catalogs' own ``CIDR을`` reads it.
"""

from __future__ import annotations

import re
from typing import Literal

Final = Literal["vowel", "rieul", "consonant"]

# The undecided particle → (after a consonant, after a vowel or ㄹ-where-it-matters).
# (으)로 is the one particle for which a final ㄹ behaves like a vowel (서울로, not 서울으로).
_PAIRS = {
    "이(가)": ("이", "가"),
    "가(이)": ("이", "가"),
    "을(를)": ("을", "를"),
    "를(을)": ("을", "를"),
    "은(는)": ("은", "는"),
    "는(은)": ("은", "는"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"),
    "(이)": ("이", ""),
}
PLACEHOLDER_PARTICLES = tuple(_PAIRS)
_PARTICLE = re.compile("|".join(re.escape(p) for p in sorted(_PAIRS, key=len, reverse=True)))

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL_INDEX = 8  # ㄹ among the 28 final-consonant slots (0 = none)

# Digits read one by one (id tails, decimals): 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT = ("consonant", "rieul", "vowel", "consonant", "vowel", "vowel", "consonant", "rieul", "rieul", "vowel")
# Sino-Korean units after trailing zeros: 십 백 천 만 (십만 백만 천만) 억 (…) 조.
_UNIT_BY_ZEROS = {1: "consonant", 2: "consonant", 3: "consonant", 4: "consonant", 8: "consonant", 12: "vowel"}

# Letter names: 에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 엑스 와이 지.
_LETTER_FINAL = {letter: "vowel" for letter in "abcdefghijkopqstuvwxyz"} | {
    "l": "rieul",
    "r": "rieul",
    "m": "consonant",
    "n": "consonant",
}

# Words a Korean reader says as a word (or a known loanword), not as letters or by the spelling rule.
_KNOWN_WORDS: dict[str, Final] = {
    "nat": "consonant",  # 낫
    "all": "rieul",  # 올
    "json": "consonant",  # 제이슨
    "yaml": "rieul",  # 야믈
    "aws": "vowel",  # 에이더블유에스
    "ipv": "vowel",  # 아이피브이 (IPv4/IPv6 read their digit)
    "id": "vowel",  # 아이디
    "ip": "vowel",  # 아이피 (app.public_ip)
    "ids": "vowel",  # 아이디스? readers say 아이디들; a vowel either way
    "eni": "vowel",  # 이엔아이
    "blackhole": "rieul",  # 블랙홀
    "none": "consonant",  # 논
    "true": "vowel",  # 트루
    "false": "vowel",  # 폴스
    "ok": "vowel",  # 오케이
    "out": "consonant",  # 아웃
    "about": "consonant",  # 어바웃
}

_QUOTES_AND_MARKS = "'\"`’”»*_ "
_CLOSING = {")": "(", "]": "[", "}": "{", "」": "「", "』": "『"}
_WORD_BREAK = re.compile(r"[\s,;:!?<>=|\"'`(\[{]")
_VOWEL_LETTERS = set("aeiou")


def final_sound(word: str) -> Final:
    """How ``word`` ends when a Korean reader says it: ``"vowel"``, ``"rieul"`` (ㄹ) or ``"consonant"``."""
    word = word.rstrip(_QUOTES_AND_MARKS)
    if not word:
        return "consonant"
    last = word[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        final = (ord(last) - _HANGUL_FIRST) % 28
        return "vowel" if final == 0 else "rieul" if final == _RIEUL_INDEX else "consonant"
    if last.isascii() and last.isdigit():
        return _number_final(word)
    if last.isascii() and last.isalpha():
        return _letters_final(word)
    if last == "%":
        return "vowel"  # 퍼센트
    if last in "…." and len(word) > 1:
        return final_sound(word.rstrip("….") or word)
    return "consonant"


def _number_final(word: str) -> Final:
    match = re.search(r"[0-9][0-9,]*(\.[0-9]+)?$", word)
    run = match.group(0) if match else word[-1]
    glued_to_letters = match is not None and match.start() > 0 and word[match.start() - 1].isalpha()
    if "." in run or glued_to_letters or (len(run) > 1 and run.startswith("0")):
        return _DIGIT[int(run[-1])]  # read digit by digit: 영점오, igw-…1 (일), 007 (공공칠)
    digits = run.replace(",", "")
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == len(digits):
        return "consonant"  # 영
    if zeros == 0:
        return _DIGIT[int(digits[-1])]
    return _UNIT_BY_ZEROS.get(zeros, _UNIT_BY_ZEROS[max(z for z in _UNIT_BY_ZEROS if z <= zeros)])


def _letters_final(word: str) -> Final:
    run = re.search(r"[A-Za-z]+$", word).group(0)
    start = len(word) - len(run)
    lower = run.lower()
    if lower in _KNOWN_WORDS:
        return _KNOWN_WORDS[lower]
    glued_to_digits = start > 0 and word[start - 1].isdigit()
    code_word = start > 0 and word[start - 1] == "_" and len(run) >= 3  # NO_ROUTE, NOTHING_CUT: said as words
    spelled = len(run) == 1 or glued_to_digits or (run.isupper() and not code_word)
    spelled = spelled or not (_VOWEL_LETTERS & set(lower))
    if spelled:
        return _LETTER_FINAL[lower[-1]]  # an id's hex tail, an acronym: said letter by letter
    return _english_final(lower)


def _english_final(word: str) -> Final:
    """The last sound of an English word in its Korean loanword shape (a reasonable spelling rule)."""
    if word.endswith("ng"):
        return "consonant"  # 핑, 라우팅
    if word.endswith(("ee", "ie")) or word[-1] in "aiouwy":
        return "vowel"  # 트리, 데이터, 게이트웨이, 얼라우
    if word.endswith("e"):  # silent e: the consonant before it decides, after a long vowel
        stem = word[:-1]
        if stem.endswith(("m", "n")):
            return "consonant"  # 네임, 존
        if stem.endswith("l"):
            return "rieul"  # 테이블, 블랙홀
        return "vowel"  # 라우트, 스토어, 코드, 레인지
    if word[-1] in "mn":
        return "consonant"  # 스트림, 오픈
    if word[-1] == "l":
        return "rieul"  # 툴, 로컬
    if word[-1] == "r":
        return "vowel"  # 서버, 라우터
    if word[-1] in "ptkbgc":
        # After one short vowel letter the stop becomes a final consonant (웹, 앱, 넷, 빅, 퍼블릭);
        # after a consonant or a long vowel Korean adds 으 (테스트, 호스트, 부트). -ck, -pp: one sound.
        core = word[:-2] if word.endswith("ck") or word[-1] == word[-2:-1] else word[:-1]
        short_vowel = core[-1:] in _VOWEL_LETTERS and core[-2:-1] not in _VOWEL_LETTERS
        return "consonant" if short_vowel else "vowel"
    return "vowel"  # -d 드, -s 스, -x 엑스, -f 프, -v 브, -z 즈, -th 스, -sh 시, -ch 치


def _word_before(text: str) -> str:
    """The word a particle at the end of ``text`` agrees with (a parenthetical after it is skipped)."""
    text = text.rstrip(_QUOTES_AND_MARKS)
    if text and text[-1] in _CLOSING:
        opening, closing, depth = _CLOSING[text[-1]], text[-1], 0
        for index in range(len(text) - 1, -1, -1):
            depth += (text[index] == closing) - (text[index] == opening)
            if depth == 0:
                outside = text[:index].rstrip(_QUOTES_AND_MARKS)
                # 규칙(100)을: the word outside the parentheses decides; a bare "(…)" decides itself.
                if outside and not outside[-1].isspace() and not _WORD_BREAK.match(outside[-1]):
                    return _word_before(outside)
                return _word_before(text[index + 1 : -1])
        return ""
    match = re.search(r"[^\s,;:!?<>=|\"'`(\[{]+$", text)
    return match.group(0) if match else ""


def attach_particles(text: str) -> str:
    """``text`` with every undecided particle (``이(가)``, ``(으)로``, …) chosen for the word before it."""
    if "(" not in text:
        return text
    pieces, done = [], 0
    for match in _PARTICLE.finditer(text):
        before = text[: match.start()]
        word = _word_before(before)
        if not word:
            continue  # nothing to agree with (the undecided form as a word of its own)
        after_consonant, after_vowel = _PAIRS[match.group(0)]
        sound = final_sound(word)
        if match.group(0) == "(으)로":
            chosen = after_consonant if sound == "consonant" else after_vowel
        else:
            chosen = after_vowel if sound == "vowel" else after_consonant
        pieces.append(text[done : match.start()] + chosen)
        done = match.end()
    return "".join(pieces) + text[done:]


def particle_for(word: str, particle: str) -> str:
    """``word`` followed by ``particle`` (one of the undecided forms) in its right shape."""
    return attach_particles(word + particle)[len(word) :]
