"""Every text geo-cds shows to people, in Vietnamese (``vi``) and English (``en``).

One catalogue, in sections; each data module holds the sections of one area:

- :mod:`~geo_cds.labels.common` — yes/no, total, the input layers' names;
- :mod:`~geo_cds.labels.report` — ``summary.md``;
- :mod:`~geo_cds.labels.workbook` — ``priority_villages.xlsx`` headers, sheets, plan summary;
- :mod:`~geo_cds.labels.maps` — ``map.html`` (the JavaScript receives the whole section);
- :mod:`~geo_cds.labels.planning` — targets, gaps, notes, presets, methods, solver results;
- :mod:`~geo_cds.labels.console` — what ``geo-cds run``, ``plan`` and ``compare`` print;
- :mod:`~geo_cds.labels.sources` — reported / modelled / measured sources, measured speeds.

A run writes its outputs in one language: the plan's ``lang``. Identifiers (CSV column names,
``kind`` codes, keys of the JSON files) are not labels and stay as they are. Vietnamese text is
NFC with full diacritics. Look texts up with :func:`labels` (a whole section) or :func:`label`
(one text); no other module holds a vi/en text table.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from geo_cds.labels import common, console, maps, planning, report, sources, workbook

LANGS = ("vi", "en")

_SECTIONS: dict[str, Mapping[str, Mapping[str, str]]] = {}
for _module in (common, report, workbook, maps, planning, console, sources):
    for _name, _texts in _module.SECTIONS.items():
        if _name in _SECTIONS:
            raise ValueError(f"label section {_name!r} is defined twice")
        _SECTIONS[_name] = {lang: MappingProxyType(_texts[lang]) for lang in LANGS}


def check_lang(lang: str) -> str:
    """``lang`` when it is one of :data:`LANGS`.

    Raises
    ------
    ValueError
        Any other language.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def sections() -> list[str]:
    """The names of every section of the catalogue."""
    return list(_SECTIONS)


def labels(section: str, lang: str) -> Mapping[str, str]:
    """Every text of ``section`` in ``lang`` (read-only), keyed as the section documents.

    Raises
    ------
    ValueError
        Unknown section or language.
    """
    check_lang(lang)
    if section not in _SECTIONS:
        raise ValueError(f"no label section {section!r}; known: {sorted(_SECTIONS)}")
    return _SECTIONS[section][lang]


def label(section: str, key: str, lang: str, **fields) -> str:
    """One text of ``section`` in ``lang``, with ``fields`` filled in (``{km}``, ``{name}``…).

    A key the catalogue does not hold is returned as it is: it is a name from the plan or the
    data (a raster the plan names ``ndvi``, a park kind a province adds), not a word to translate.
    """
    text = labels(section, lang).get(key)
    if text is None:
        return str(key)
    return text.format(**fields) if fields else text


def number(x: float, lang: str, digits: int = 0) -> str:
    """``x`` written the way ``lang`` writes numbers: vi 1.234.567,8 — en 1,234,567.8."""
    text = f"{x:,.{digits}f}"
    if check_lang(lang) == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
