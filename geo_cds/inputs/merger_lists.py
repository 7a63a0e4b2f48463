"""Cross-check the official old → new table against the 2025 boundaries' merger lists.

The 2025 boundaries carry, for many units, a ``before_merger`` text listing the old communes
merged into them ("Xã Hương Lung, Xã Phú Khê"; "Xã Minh Quang (phần còn lại sau khi sáp nhập
vào xã Bất Bạt)" for the rest of a split commune). :func:`check_old_to_new` compares each new
commune's list with the old communes the shipped table sends to it, and names every
disagreement:

* ``wrong_target`` — the table sends old commune X to N, but the lists name X under M only;
* ``whole_marked_split`` — the table splits X between several new communes, but the lists name
  X whole under one of them and the others' lists leave it out;
* ``not_listed`` — the table sends X to N, whose list leaves X out and no list names it;
* ``unknown_name`` — N's list names a commune that no old commune of the province (in the
  table) is called: the list itself may be a homonym's (the source's lists are not always
  right for homonyms).

Names are compared by :func:`tone_key`: case, the unit type and the placement of the tone mark
do not matter (Hoà = Hòa, Thuỷ = Thủy); letters do (Quảng Tiến ≠ Quảng Tiên).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pandas as pd

from geo_cds.inputs.codes import old_to_new

# Combining tone marks of Vietnamese: grave, acute, tilde, hook above, dot below. The other
# marks (circumflex, breve, horn) are letters: â ≠ a.
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
UNIT_TYPES = ("thị trấn", "thị xã", "phường", "xã", "đặc khu", "thành phố", "huyện", "quận")
PARTIAL = "phần còn lại"
NO_MERGE = "không sáp nhập"

BEFORE_MERGER = "before_merger"


def tone_key(name: object) -> str:
    """A name as compared across sources: lowercase, no unit type, the tone of each syllable
    kept but not where it is written.

    Examples
    --------
    >>> tone_key("Xã Hoà Bình") == tone_key("xã Hòa Bình")
    True
    >>> tone_key("Thuỷ") == tone_key("Thủy")
    True
    >>> tone_key("Quảng Tiến") == tone_key("Quảng Tiên")
    False
    """
    if name is None or name is pd.NA or (isinstance(name, float) and name != name):
        return ""
    return _tone_key(str(name))


@functools.lru_cache(maxsize=65536)
def _tone_key(name: str) -> str:
    """:func:`tone_key` of a text, kept: the shipped table's 10,000 old names are keyed once
    per process, not once per run."""
    text = unicodedata.normalize("NFC", name).strip().lower()
    text = re.sub(r"\s+", " ", text)
    for unit in UNIT_TYPES:
        if text.startswith(unit + " "):
            text = text[len(unit) + 1:]
            break
    words = []
    text = re.sub(r"^nt ", "nông trường ", text)  # "Thị trấn NT Việt Trung"
    for word in text.split(" "):
        marks = unicodedata.normalize("NFD", word)
        tone = "".join(c for c in marks if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in TONES))
        if base == "đăk":  # Đắk / Đăk: two official spellings of one word (Ede, Bahnar "dak")
            tone = ""
        words.append(base + (f"|{tone}" if tone else ""))
    return " ".join(words)


def parse_before_merger(text: object) -> list[tuple[str, bool]]:
    """The old communes a ``before_merger`` text names: ``[(name, partial)]``.

    Items are separated by commas outside parentheses; "(phần còn lại …)" marks the rest of a
    split commune; other parentheses ("(huyện Sông Lô)") only tell homonyms apart. "Không sáp
    nhập" (not merged) names no old commune.

    Examples
    --------
    >>> parse_before_merger("Xã Tân Lập (huyện Sông Lô), Xã Minh Quang (phần còn lại sau "
    ...                     "khi sáp nhập vào xã Bất Bạt)")
    [('Xã Tân Lập', False), ('Xã Minh Quang', True)]
    """
    if not isinstance(text, str) or not text.strip():
        return []
    items, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    out = []
    for item in items:
        item = unicodedata.normalize("NFC", item).strip()
        if not item or item.lower().startswith(NO_MERGE):
            continue
        notes = " ".join(re.findall(r"\(([^)]*)\)", item)).lower()
        name = re.sub(r"\s*\([^)]*\)", "", item).strip()
        out.append((name, PARTIAL in notes))
    return out


def check_old_to_new(communes: pd.DataFrame, code: str = "commune_code",
                     province: str = "province_code", lists: str = BEFORE_MERGER,
                     table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every disagreement between the shipped old → new table and the merger lists.

    Parameters
    ----------
    communes : DataFrame
        2025 communes with their code, province code and ``before_merger`` text (units without
        a list are left out of the check).
    table : DataFrame, optional
        The old → new table (:func:`geo_cds.inputs.codes.old_to_new` columns); default the
        shipped one.

    Returns
    -------
    DataFrame
        One row per disagreement: ``new_code`` (the commune whose list or table entry is in
        question), ``old_code`` (empty for ``unknown_name``), ``old_name``, ``problem`` (see
        the module doc), ``detail`` (a sentence naming both sides).
    """
    cols = ["new_code", "old_code", "old_name", "problem", "detail"]
    if lists not in communes or code not in communes:
        return pd.DataFrame(columns=cols)
    table = old_to_new() if table is None else table
    with_list = communes[communes[lists].notna() & communes[code].notna()]
    if not len(with_list):
        return pd.DataFrame(columns=cols)
    list_codes = with_list[code].tolist()
    new_codes = set(list_codes)
    # old communes that went (at least partly) into a listed new commune's province
    # the province of a new commune: the layer's, else the table's
    prov_of = dict(zip(table["new_code"].tolist(), table["new_province_code"].tolist()))
    if province in communes:
        prov_of.update(zip(communes[code].tolist(), communes[province].tolist()))
    provinces = {prov_of.get(c) for c in new_codes}
    scope = table[table["new_province_code"].isin(provinces)]
    # Plain Python over the table's columns (a pandas lookup per entry costs more than the
    # check); each old commune's name and province from its first entry in scope.
    old_names: dict[str, object] = {}
    old_prov: dict[str, object] = {}
    targets: dict[str, set[str]] = {}
    for oc, name, prov, new in zip(scope["old_code"].tolist(), scope["old_name"].tolist(),
                                   scope["new_province_code"].tolist(),
                                   scope["new_code"].tolist()):
        if oc not in old_names:
            old_names[oc] = name
            old_prov[oc] = prov
        if not pd.isna(oc):  # as a grouping by old code would: no group for a missing code
            targets.setdefault(oc, set()).add(new)
    targets = {oc: targets[oc] for oc in sorted(targets)}
    by_key: dict[tuple[str, str], list[str]] = {}
    for oc, name in old_names.items():
        by_key.setdefault((old_prov[oc], tone_key(name)), []).append(oc)

    listed: dict[str, dict[str, bool]] = {}  # new code -> {old code: partial}
    rows = []
    for new, text in zip(list_codes, with_list[lists].tolist()):
        listed[new] = {}
        for name, partial in parse_before_merger(text):
            found = by_key.get((prov_of.get(new), tone_key(name)), [])
            if not found:
                rows.append((new, "", name, "unknown_name",
                             f"the list of {new} names {name}, which is no old commune of "
                             "the province in the old→new table (a homonym's list?)"))
                continue
            # homonyms: the one the table sends here, if any, else all of them
            here = [oc for oc in found if new in targets.get(oc, ())]
            for oc in here or found:
                listed[new][oc] = partial
    named_in: dict[str, set[str]] = {}
    for new, olds in listed.items():
        for oc in olds:
            named_in.setdefault(oc, set()).add(new)
    for oc, tgts in targets.items():
        in_scope = tgts & new_codes
        if not in_scope:
            continue
        where = named_in.get(oc, set())
        name = old_names.get(oc, "?")
        if len(tgts) > 1 and len(where) == 1 and where <= tgts:
            only = next(iter(where))
            others = sorted((tgts - where) & new_codes)
            if others and not listed[only][oc]:
                rows.append((only, oc, name, "whole_marked_split",
                             f"the table splits {oc} {name} between {', '.join(sorted(tgts))}; "
                             f"the lists name it whole under {only} only "
                             f"({', '.join(others)} leave it out)"))
            continue
        for new in sorted(in_scope - where):
            elsewhere = sorted(where - tgts)
            if elsewhere:
                rows.append((new, oc, name, "wrong_target",
                             f"the table sends {oc} {name} to {new}; the lists name it under "
                             f"{', '.join(elsewhere)}"))
            elif not where:
                rows.append((new, oc, name, "not_listed",
                             f"the table sends {oc} {name} to {new}, whose list leaves it out; "
                             "no list names it"))
    return pd.DataFrame(rows, columns=cols)
