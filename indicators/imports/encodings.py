"""Recognising Vietnamese text typed in the legacy 8-bit encodings, before anything is read.

Before Unicode, Vietnamese was typed in fonts that drew Vietnamese letters over Latin-1 code
points: TCVN3 (ABC, the ".Vn" fonts such as .VnTime) and VNI (VNI-Times). Excel stores what was
typed, so a cell shows "X· §¾k Ang" (TCVN3) or "Xaõ Ñaék Ang" (VNI) for "Xã Đắk Ang". Such a
file would match no header and no commune. TCVN3 is converted to Unicode (its table is a
one-to-one map of code points); VNI, which spreads a letter over two characters, is refused with
a message naming the encoding.
"""

import re
from collections.abc import Iterable, Iterator

# TCVN3 puts à ả ã á ạ ă â ê ô ơ ư đ and their capitals in U+00A1–U+00BF, where Unicode
# Vietnamese has no letter at all; almost every Vietnamese word has one of them. Inside a word
# only: a "·" or "©" between spaces is a symbol.
_TCVN3_MARK = "[\u00a1-\u00a9\u00ab\u00ac\u00ad\u00ae\u00b5-\u00b9\u00bb-\u00be]"
_TCVN3 = re.compile(f"[A-Za-z]{_TCVN3_MARK}|{_TCVN3_MARK}[A-Za-z]")
# VNI writes a letter followed by a mark character; these marks are no Vietnamese letter.
_VNI = re.compile("[A-Za-z][\u00e4\u00e5\u00e6\u00eb\u00ef\u00f6\u00f8\u00fb\u00fc]|[\u00d1\u00f1]")
# Cells that must look legacy before a file is refused: a stray symbol is not an encoding.
MIN_CELLS = 2

TCVN3 = ("TCVN3 (ABC)", ".VnTime, .VnArial")
VNI = ("VNI", "VNI-Times")


def legacy_encoding(rows: Iterable[tuple[int, list]]) -> tuple[str, str] | None:
    """(encoding, its fonts) when the rows' text is in TCVN3 or VNI, else None."""
    tcvn3 = vni = 0
    for _number, values in rows:
        for value in values:
            if not isinstance(value, str):
                continue
            if _TCVN3.search(value):
                tcvn3 += 1
            elif _VNI.search(value):
                vni += 1
    if tcvn3 >= MIN_CELLS and tcvn3 >= vni:
        return TCVN3
    if vni >= MIN_CELLS:
        return VNI
    return None


# TCVN 5712:1993 (VN3, "ABC"): the code points of .VnTime and the letters they draw. Capitals
# other than Ă Â Đ Ê Ô Ơ Ư are drawn by the capital fonts (.VnTimeH) with the small letters'
# codes, so they come out in small letters, which name matching ignores.
_TCVN3_CODES = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_LETTERS = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_FROM_TCVN3 = str.maketrans(_TCVN3_CODES, _TCVN3_LETTERS)


def from_tcvn3(text: str) -> str:
    """A TCVN3 cell in Unicode; a cell already in Unicode (a letter past U+00FF) is kept."""
    if any(ord(char) > 0xFF for char in text):
        return text
    return text.translate(_FROM_TCVN3)


def rows_from_tcvn3(rows: Iterable[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The rows with every text cell converted from TCVN3."""
    for number, values in rows:
        yield number, [from_tcvn3(v) if isinstance(v, str) else v for v in values]
