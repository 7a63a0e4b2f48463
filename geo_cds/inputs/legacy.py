"""Legacy Vietnamese 8-bit encodings: TCVN3 (ABC) and VNI-Windows to Unicode NFC.

Old ``.dbf`` files and spreadsheets exported before Unicode became common store Vietnamese in
font encodings. GDAL does not know them, so it hands their bytes over as Latin-1 characters
("Qu¶ng Ng·i", "Quaûng Ngaõi"). :func:`decode_legacy` turns such text (or raw bytes) into
Unicode NFC; :func:`detect_legacy` tells which encoding, if any, a set of strings is in.

* **TCVN3** (TCVN 5712:1993, the "ABC" fonts ``.VnTime``): one byte per precomposed letter.
  The table below is the TCVN 5712 VN1 table (it includes VN3, which ABC fonts use). The ABC
  capital fonts (``.VnTimeH``) store capitals in the lowercase positions; that information is
  not in the data and cannot be recovered.
* **VNI-Windows**: a base letter followed by a mark byte (``"aù"`` = á, ``"oâ"`` = ô,
  ``"ôù"`` = ớ); a few letters are single bytes (``"ñ"`` = đ, ``"ô"`` = ơ, ``"ö"`` = ư,
  ``"í"`` = í, ``"æ"`` = ỉ, ``"ó"`` = ĩ, ``"ò"`` = ị, ``"î"`` = ỵ).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

LEGACY_ENCODINGS = ("tcvn3", "vni")

# TCVN 5712 byte -> Unicode (bytes not listed decode as Latin-1, i.e. to themselves).
_TCVN3_TABLE = (
    "01Ú 02Ụ 04Ừ 05Ử 06Ữ 11Ứ 12Ự 13Ỳ 14Ỷ 15Ỹ 16Ý 17Ỵ "
    "80À 81Ả 82Ã 83Á 84Ạ 85Ặ 86Ậ 87È 88Ẻ 89Ẽ 8AÉ 8BẸ 8CỆ 8DÌ 8EỈ 8FĨ "
    "90Í 91Ị 92Ò 93Ỏ 94Õ 95Ó 96Ọ 97Ộ 98Ờ 99Ở 9AỠ 9BỚ 9CỢ 9DÙ 9EỦ 9FŨ "
    "A1Ă A2Â A3Ê A4Ô A5Ơ A6Ư A7Đ A8ă A9â AAê ABô ACơ ADư AEđ AFẰ "
    "B0\u0300 B1\u0309 B2\u0303 B3\u0301 B4\u0323 B5à B6ả B7ã B8á B9ạ BAẲ BBằ BCẳ BDẵ BEắ BFẴ "
    "C0Ắ C1Ầ C2Ẩ C3Ẫ C4Ấ C5Ề C6ặ C7ầ C8ẩ C9ẫ CAấ CBậ CCè CDỂ CEẻ CFẽ "
    "D0é D1ẹ D2ề D3ể D4ễ D5ế D6ệ D7ì D8ỉ D9Ễ DAẾ DBỒ DCĩ DDí DEị DFò "
    "E0Ổ E1ỏ E2õ E3ó E4ọ E5ồ E6ổ E7ỗ E8ố E9ộ EAờ EBở ECỡ EDớ EEợ EFù "
    "F0Ỗ F1ủ F2ũ F3ú F4ụ F5ừ F6ử F7ữ F8ứ F9ự FAỳ FBỷ FCỹ FDý FEỵ FFỐ"
)
TCVN3_TO_UNICODE: dict[str, str] = {
    chr(int(item[:2], 16)): item[2:] for item in _TCVN3_TABLE.split(" ")
}
_TCVN3_TRANS = str.maketrans(TCVN3_TO_UNICODE)

# VNI-Windows: tone marks and vowel modifiers written as a byte after the base letter
# (lowercase byte / uppercase byte -> combining character).
_VNI_TONES = {  # after a, e, o, u, y and after ô (= ơ) / ö (= ư)
    "ù": "\u0301",
    "Ù": "\u0301",  # sắc
    "ø": "\u0300",
    "Ø": "\u0300",  # huyền
    "û": "\u0309",
    "Û": "\u0309",  # hỏi
    "õ": "\u0303",
    "Õ": "\u0303",  # ngã
    "ï": "\u0323",
    "Ï": "\u0323",  # nặng
}
# After a / e / o: circumflex (â, ê, ô) with its tone; after a: breve (ă) with its tone.
_VNI_CIRCUMFLEX = {
    "â": "",
    "Â": "",
    "á": "\u0301",
    "Á": "\u0301",
    "à": "\u0300",
    "À": "\u0300",
    "å": "\u0309",
    "Å": "\u0309",
    "ã": "\u0303",
    "Ã": "\u0303",
    "ä": "\u0323",
    "Ä": "\u0323",
}
_VNI_BREVE = {
    "ê": "",
    "Ê": "",
    "é": "\u0301",
    "É": "\u0301",
    "è": "\u0300",
    "È": "\u0300",
    "ú": "\u0309",
    "Ú": "\u0309",
    "ü": "\u0303",
    "Ü": "\u0303",
    "ë": "\u0323",
    "Ë": "\u0323",
}
_VNI_SINGLE = {  # one byte, one letter
    "ñ": "đ",
    "Ñ": "Đ",
    "ô": "ơ",
    "Ô": "Ơ",
    "ö": "ư",
    "Ö": "Ư",
    "í": "í",
    "Í": "Í",
    "ì": "ì",
    "Ì": "Ì",
    "æ": "ỉ",
    "Æ": "Ỉ",
    "ó": "ĩ",
    "Ó": "Ĩ",
    "ò": "ị",
    "Ò": "Ị",
    "î": "ỵ",
    "Î": "Ỵ",
}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for base in "aAeEoOuUyY":
        for mark, comb in _VNI_TONES.items():
            table[base + mark] = unicodedata.normalize("NFC", base + comb)
    for base in "aAeEoO":
        for mark, comb in _VNI_CIRCUMFLEX.items():
            table[base + mark] = unicodedata.normalize("NFC", base + "\u0302" + comb)
    for base in "aA":
        for mark, comb in _VNI_BREVE.items():
            table[base + mark] = unicodedata.normalize("NFC", base + "\u0306" + comb)
    for horn_byte, horn in (("ô", "ơ"), ("Ô", "Ơ"), ("ö", "ư"), ("Ö", "Ư")):
        for mark, comb in _VNI_TONES.items():
            table[horn_byte + mark] = unicodedata.normalize("NFC", horn + comb)
    table.update(_VNI_SINGLE)
    return table


VNI_TO_UNICODE = _vni_table()
# Longest sequences first so "ôù" wins over "ô".
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(VNI_TO_UNICODE, key=len, reverse=True)))


def _as_latin1(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def decode_tcvn3(value: str | bytes) -> str:
    """Decode TCVN3 (ABC) text to Unicode NFC.

    Parameters
    ----------
    value : str or bytes
        Raw bytes, or a string whose characters are the bytes read as Latin-1 (what GDAL
        returns for a ``.dbf`` without a code page).

    Returns
    -------
    str
        The text in Unicode NFC.

    Examples
    --------
    >>> decode_tcvn3("Qu¶ng Ng·i")
    'Quảng Ngãi'
    """
    return unicodedata.normalize("NFC", _as_latin1(value).translate(_TCVN3_TRANS))


def decode_vni(value: str | bytes) -> str:
    """Decode VNI-Windows text to Unicode NFC.

    >>> decode_vni("Quaûng Ngaõi")
    'Quảng Ngãi'
    """
    text = _VNI_RE.sub(lambda m: VNI_TO_UNICODE[m.group(0)], _as_latin1(value))
    return unicodedata.normalize("NFC", text)


def decode_legacy(value: str | bytes, encoding: str) -> str:
    """Decode ``value`` from ``encoding`` (``"tcvn3"`` or ``"vni"``) to Unicode NFC."""
    enc = normalise_encoding_name(encoding)
    if enc == "tcvn3":
        return decode_tcvn3(value)
    if enc == "vni":
        return decode_vni(value)
    raise ValueError(f"unknown legacy encoding {encoding!r}; known: {LEGACY_ENCODINGS}")


def normalise_encoding_name(encoding: str | None) -> str | None:
    """Map the many spellings of the legacy encodings to ``"tcvn3"`` / ``"vni"``.

    Other encodings are returned lowercased (``"cp1258"``, ``"utf-8"``…); ``None`` stays None.
    """
    if encoding is None:
        return None
    key = re.sub(r"[^a-z0-9]", "", encoding.lower())
    if key in ("tcvn3", "tcvn", "abc", "tcvn5712", "vn3", "tcvn57121", "vntime"):
        return "tcvn3"
    if key in ("vni", "vniwindows", "vniwin", "vnitimes"):
        return "vni"
    return encoding.lower()


_EXTRA_WORDS = (
    "thôn xóm bản làng tổ dân phố ấp khu buôn plei sóc xã phường thị trấn huyện tỉnh thành "
    "có không đạt chưa số hộ mã tên cáp quang phủ sóng di động băng rộng công nghệ đội chợ "
    "tuyến đường quốc lộ trạm điện lưới nghèo khó khăn đặc biệt ngày ghi chú"
)


@functools.lru_cache(maxsize=1)
def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str, str | None]:
    """Decode a text file's bytes: the given encoding, else UTF-8, else a detected legacy one.

    Returns
    -------
    (text, how, encoding)
        ``how`` is ``"given"``, ``"utf-8"``, ``"detected"`` (a legacy Vietnamese encoding
        recognised from the text) or ``"fallback"`` (Windows-1258, the last resort); callers
        warn about the last two.
    """
    enc = normalise_encoding_name(encoding)
    if enc in LEGACY_ENCODINGS:
        return decode_legacy(data, enc), "given", enc
    if enc:
        return data.decode(enc), "given", enc
    try:
        return data.decode("utf-8-sig"), "utf-8", "utf-8"
    except UnicodeDecodeError:
        found = detect_legacy(data.decode("latin-1").splitlines()[:2000])
        if found:
            return decode_legacy(data, found), "detected", found
        return data.decode("cp1258", errors="replace"), "fallback", "cp1258"


def vietnamese_syllables() -> frozenset[str]:
    """Lowercase syllables of every official unit name (both vintages) plus common words.

    Used to recognise which decoding of a legacy-encoded text gives real Vietnamese.
    """
    import pandas as pd

    data = Path(__file__).resolve().parent.parent / "data"
    words: set[str] = set(_EXTRA_WORDS.split())
    for name, cols in (
        ("units_2025.csv", ["province", "ward"]),
        ("units_pre2025.csv", ["province", "district", "ward"]),
    ):
        frame = pd.read_csv(data / name, dtype=str, usecols=cols)
        for col in cols:
            for value in frame[col].dropna().unique():
                words.update(unicodedata.normalize("NFC", value).lower().split())
    return frozenset(w for w in words if any(ord(c) > 127 for c in w))


def _hits(texts: Iterable[str], vocabulary: frozenset[str]) -> int:
    """Number of non-ASCII words found in ``vocabulary``."""
    n = 0
    for t in texts:
        for word in re.findall(r"\w+", t.lower()):
            if word in vocabulary:
                n += 1
    return n


def detect_legacy(texts: Iterable[str]) -> str | None:
    """Tell whether Latin-1-decoded strings are really TCVN3 or VNI text.

    Returns ``"tcvn3"``, ``"vni"`` or ``None`` (the text is plain Unicode or ASCII). Text with
    any character beyond U+00FF is Unicode already. Otherwise each decoding is scored by how
    many of its words are Vietnamese syllables (from the official unit names and common words);
    a legacy decoding is chosen only when it finds more than the text as it is.

    Examples
    --------
    >>> detect_legacy(["Th«n V¨n Hµ"]), detect_legacy(["Thoân Vaên Haø"]), detect_legacy(["Bà Rá"])
    ('tcvn3', 'vni', None)
    """
    sample = [t for t in texts if isinstance(t, str) and t]
    if not sample:
        return None
    if any(ord(ch) > 0xFF for t in sample for ch in t):
        return None
    if not any(ord(ch) > 127 for t in sample for ch in t):
        return None
    vocabulary = vietnamese_syllables()
    best, best_hits = None, _hits(sample, vocabulary)
    for enc, fn in (("tcvn3", decode_tcvn3), ("vni", decode_vni)):
        hits = _hits((fn(t) for t in sample), vocabulary)
        if hits > best_hits:
            best, best_hits = enc, hits
    return best


def encode_legacy(text: str, encoding: str) -> bytes:
    """Encode Unicode text to TCVN3 or VNI bytes (the inverse of :func:`decode_legacy`).

    Used to build test files; characters with no legacy form raise ``ValueError``.
    """
    enc = normalise_encoding_name(encoding)
    if enc not in LEGACY_ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}; known: {LEGACY_ENCODINGS}")
    table = TCVN3_TO_UNICODE if enc == "tcvn3" else VNI_TO_UNICODE
    inverse: dict[str, str] = {}
    for k, v in table.items():
        if len(v) == 1 and (v not in inverse or len(k) < len(inverse[v])):
            inverse[v] = k
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in inverse:
            out.append(inverse[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            raise ValueError(f"{ch!r} has no {enc} form")
    return "".join(out).encode("latin-1")
