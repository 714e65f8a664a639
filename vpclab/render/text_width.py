"""How wide a line of the diagram is in the font the browser draws it with, so that its box fits it.

Graphviz sizes each box from its own estimate of the text's width. The system ``dot`` (the static
picture) measures with the installed font, but Graphviz compiled to WebAssembly (the live diagram)
has no font files: it uses built-in Times metrics for ASCII and counts every byte of any other
character as a space, so a Hangul syllable (three bytes in UTF-8) comes out at about 0.75 em where
the font draws 0.92 em, and Latin text at about 80 % of its width. Lines then ran past the right
edge of their boxes, in Korean most of all. The diagram therefore tells Graphviz each label's width
(a table cell's ``WIDTH``, a minimum), measured here.

The widths are those of Noto Sans CJK KR (Debian's fonts-noto-cjk, which the project's setup
installs), the first family in the front end's CSS and the ``fontname`` of the DOT, as Chromium
draws it: the advance of each printable ASCII character and of a Hangul syllable, in thousandths of
an em, regular and bold. Other wide characters (East Asian width W or F) count as a full em, and so
does any other character not listed: a box a little too wide is better than words outside it.
Where the browser has to use another font (Malgun Gothic, Apple SD Gothic Neo), the front end's
last-resort squeeze still fits the difference.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Printable ASCII, space (32) to tilde (126).
_ASCII = {
    False: (
        224, 323, 474, 555, 555, 921, 680, 278, 338, 338, 467, 555, 278, 347, 278, 392,
        555, 555, 555, 555, 555, 555, 555, 555, 555, 555, 278, 278, 555, 555, 555, 474,
        946, 608, 657, 638, 688, 589, 552, 689, 728, 293, 535, 646, 543, 812, 723, 742,
        633, 742, 635, 596, 599, 721, 575, 878, 573, 531, 603, 338, 392, 338, 555, 559,
        606, 563, 618, 510, 620, 554, 325, 564, 607, 275, 275, 552, 284, 926, 610, 606,
        620, 620, 388, 468, 377, 607, 521, 802, 498, 521, 475, 338, 270, 338, 555,
    ),
    True: (
        227, 370, 574, 590, 590, 963, 740, 325, 378, 378, 507, 590, 325, 370, 325, 387,
        590, 590, 590, 590, 590, 590, 590, 590, 590, 590, 325, 325, 590, 590, 590, 514,
        1007, 641, 681, 656, 714, 615, 585, 717, 757, 330, 568, 686, 578, 853, 749, 770,
        667, 770, 682, 624, 625, 748, 619, 915, 627, 580, 613, 378, 387, 378, 590, 567,
        626, 591, 644, 527, 644, 581, 372, 597, 640, 304, 306, 604, 315, 964, 641, 626,
        644, 644, 436, 495, 421, 637, 576, 863, 562, 574, 511, 378, 296, 378, 590,
    ),
}  # fmt: skip
HANGUL = 920  # every precomposed syllable (U+AC00..U+D7A3) and jamo, regular and bold
# The narrower punctuation the diagram uses (regular, bold); the symbols (✔ ✘ ⬇ ⬆ → ⊘) count as 1 em.
_NARROW = {"·": (561, 592), "—": (894, 908), "–": (536, 544), "’": (278, 325), "“": (474, 574)}
FULL = 1000


def _advance(char: str, bold: bool) -> int:
    """One character's advance, in thousandths of an em."""
    code = ord(char)
    if 32 <= code < 127:
        return _ASCII[bold][code - 32]
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return HANGUL
    if char in _NARROW:
        return _NARROW[char][bold]
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0  # combining marks and invisible format characters add no width
    return FULL


@lru_cache(maxsize=8192)  # a console redraws the same lines after every click
def text_width(text: str, points: float, bold: bool = False) -> float:
    """The width of one line of ``text`` at ``points`` points, in points."""
    return sum(_advance(char, bold) for char in text) * points / 1000
