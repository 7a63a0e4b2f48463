"""Plausible Vietnamese village names, unique within a commune, built without a loop per village.

A village name is a prefix (Thôn, Tổ dân phố, Khu phố, Bản, Làng, Plei) and either a number or a
two-syllable name drawn from a pool that fits the area: Sino-Vietnamese names in the lowlands,
Tày/Nùng-style names in the northern uplands, Vân Kiều / Pa Kô / Hrê-style names in the central
mountains, Ba Na / Xơ Đăng / Gia Rai-style names in the Central Highlands. All strings are NFC.
"""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np

# Names used by the seed villages; kept out of the pools so a commune cannot get them twice.
RESERVED = {"Văn Hà", "Lâm Lang"}

_LOWLAND_1 = (
    "An Bình Phú Hòa Thạnh Tân Long Mỹ Phước Lộc Thọ Xuân Vĩnh Hưng Đông Tây Nam Bắc Trung "
    "Thượng Hạ Đại Văn Lâm Thanh Kim Ngọc Hải Sơn Thủy Cẩm Quang Minh Đức Tiên Phong Hiệp Thái "
    "Khánh Yên"
).split()
_LOWLAND_2 = (
    "An Bình Phú Hòa Thành Tân Lợi Mỹ Phước Lộc Thọ Xuân Hưng Đông Tây Nam Trung Thượng Hạ Hà "
    "Lang Sơn Thủy Lâm Quang Minh Đức Phong Thịnh Vinh Định Thuận Hiệp Lạc Điền Khê Châu Giang "
    "Hội Ninh"
).split()
_NORTH_UPLAND_1 = "Nà Khe Khuôn Đồng Pắc Lục Đèo Thác Nghẽo Mục Rộc".split()
_NORTH_UPLAND_2 = (
    "Hin Nghè Thần Bài Ráy Mậu Chào Pặc Lầy Phe Cóc Ván Tát Dẫy Tấu Cám Mơ Bưa"
).split()
_CENTRAL_MOUNTAIN_1 = "Cù Xa Pa Ka Ra Tà Húc A Nước Mang Gò Ba Ruộng".split()
_CENTRAL_MOUNTAIN_2 = (
    "Bai Nho Tăng Rượu Ly Lìa Lệt Rô Vờ Côi Ngược Zôi Mò Lác Vương Rinh Dô Bứa Nhoi Ren"
).split()
_HIGHLAND_1 = "Kon Đăk Ngọc Tu Kạch Măng Rơ Kleng Ia Xô".split()
_HIGHLAND_2 = (
    "Hia Klah Jơ Brông Rơ Wang Tơ Kroong Wơk Long Pơ Xăng Tang Lốp Chờ Mơ Rẫy Ri Ngó Pênh"
).split()


def _pool(first: list[str], second: list[str]) -> np.ndarray:
    names = [
        f"{a} {b}" for a, b in itertools.product(first, second)
        if a != b and f"{a} {b}" not in RESERVED
    ]
    names = sorted({unicodedata.normalize("NFC", n) for n in names})
    return np.array(names, dtype=object)


POOLS = {
    "lowland": _pool(_LOWLAND_1, _LOWLAND_2),
    "north_upland": _pool(_NORTH_UPLAND_1, _NORTH_UPLAND_2),
    "central_mountain": _pool(_CENTRAL_MOUNTAIN_1, _CENTRAL_MOUNTAIN_2),
    "highland": _pool(_HIGHLAND_1, _HIGHLAND_2),
}
# Prefix choices and their probabilities per style; wards use their own prefix (see below).
PREFIXES = {
    "lowland": (("Thôn",), (1.0,)),
    "north_upland": (("Bản", "Thôn"), (0.5, 0.5)),
    "central_mountain": (("Thôn", "Bản", "Làng"), (0.6, 0.3, 0.1)),
    "highland": (("Thôn", "Làng", "Plei"), (0.5, 0.35, 0.15)),
}
# Share of numbered villages ("Thôn 3", "Tổ dân phố 12"): common in lowland resettled communes and
# in wards, rare in the mountains.
NUMBERED_SHARE = {"lowland": 0.15, "north_upland": 0.05, "central_mountain": 0.1,
                  "highland": 0.1, "ward": 0.6}


def village_names(style: np.ndarray, ward_prefix: np.ndarray, group: np.ndarray,
                  rank: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Names for villages, unique within each commune.

    Parameters
    ----------
    style : array of str
        Name style per village: a key of :data:`POOLS`, or ``"ward"`` for an urban ward.
    ward_prefix : array of str
        Prefix used where ``style == "ward"`` ("Tổ dân phố" or "Khu phố").
    group : array of int
        Commune index per village (villages of a commune share it).
    rank : array of int
        0-based position of the village within its commune.
    rng : numpy Generator

    Returns
    -------
    ndarray of str
    """
    n = len(style)
    out = np.empty(n, dtype=object)
    n_groups = int(group.max()) + 1 if n else 0
    # Each commune walks its pool from a random start with a random stride that is coprime with
    # the pool size, so the first k names of a commune are k distinct names.
    start = rng.integers(0, 1 << 30, n_groups)
    stride_seed = rng.integers(0, 1 << 30, n_groups)
    numbered = rng.random(n) < np.vectorize(NUMBERED_SHARE.get, otypes=[float])(style)
    u = rng.random(n)
    for key, pool in POOLS.items():
        sel = style == key
        if not sel.any():
            continue
        m = len(pool)
        strides = _coprime_strides(m)
        idx = (start[group[sel]] + rank[sel] * strides[stride_seed[group[sel]] % len(strides)]) % m
        prefixes, probs = PREFIXES[key]
        which = np.searchsorted(np.cumsum(probs), u[sel] * 0.999999)
        out[sel] = np.char.add(np.char.add(np.array(prefixes, dtype=str)[which], " "),
                               pool[idx].astype(str)).astype(object)
    ward = style == "ward"
    if ward.any():
        m = len(POOLS["lowland"])
        idx = (start[group[ward]] + rank[ward] * 7) % m
        out[ward] = np.char.add(np.char.add(ward_prefix[ward].astype(str), " "),
                                POOLS["lowland"][idx].astype(str)).astype(object)
    # Numbers are the village's rank, so they are unique; a name never looks like a number, so
    # numbered and named villages of one commune cannot collide.
    num_prefix = np.where(ward, ward_prefix, "Thôn").astype(str)
    numbered_names = np.char.add(np.char.add(num_prefix, " "), (rank + 1).astype(str))
    out[numbered] = numbered_names[numbered].astype(object)
    return out


def _coprime_strides(m: int) -> np.ndarray:
    cand = np.arange(1, min(m, 400))
    return cand[np.gcd(cand, m) == 1]
