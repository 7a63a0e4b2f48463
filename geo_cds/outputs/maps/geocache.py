"""The map's commune and province geometry, cached on disk between runs on the same communes.

Simplifying, encoding and labelling the communes and uniting them into province outlines is
most of the time a national map takes, and it depends only on the communes' geometry, the
provinces' grouping and the tolerances. ``geo-cds run`` keeps the results in the output
folder's ``.cache`` (beside the coverage engine's zone weights), one ``.npz`` file per product,
named by a SHA-256 of everything the product depends on (:func:`digest`) and holding that key
again: a file is used only for the very geometry it was made from. The file holds no pickles:
the JSON of the payload (as bytes; each list apart, read back as :class:`RawJSON`) and the
simplified geometries as WKB. A file that cannot be
read is ignored (the product is recomputed and the file replaced, atomically); a file that
cannot be written only costs the time next run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geo_cds.atomic import atomic_file
from geo_cds.errors import OutputError

log = logging.getLogger(__name__)

# Bump when the map's geometry code (simplification, encoding, labels, outlines) or this file
# layout changes, so files made by the old code are not reused.
VERSION = 2


class RawJSON:
    """A value as its JSON text (a list of a cached payload, a feature's GeoJSON geometry):
    written into the page as it is (see ``page._json_for_html``), so a warm map neither
    parses nor re-encodes the geometry; read, compared and iterated as the value it holds
    (parsed when first asked for)."""

    __slots__ = ("text", "_len", "_value")

    def __init__(self, text: str, length: int | None = None):
        self.text = text
        self._len = length
        self._value = None

    @property
    def value(self) -> list:
        if self._value is None:
            self._value = json.loads(self.text)
        return self._value

    def __len__(self) -> int:
        return len(self.value) if self._len is None else self._len

    def __iter__(self):
        return iter(self.value)

    def __getitem__(self, i):
        return self.value[i]

    def __eq__(self, other: object) -> bool:
        return self.value == (other.value if isinstance(other, RawJSON) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RawJSON({self.text[:60]!r})"

_UNREADABLE = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile,
               shapely.errors.GEOSException)


def _wkb(geoms: np.ndarray) -> list[bytes | None]:
    return list(shapely.to_wkb(np.asarray(geoms, dtype=object), hex=False,
                               output_dimension=3, byte_order=1, flavor="iso"))


def digest(kind: str, geoms: np.ndarray, parts: Iterable[Any] = ()) -> str:
    """SHA-256 of the product ``kind``, :data:`VERSION`, ``parts`` (tolerances, grouping; as
    JSON) and the geometries' WKB in order (the geometries' count and sizes too)."""
    h = hashlib.sha256(json.dumps([kind, VERSION, *parts]).encode())
    wkb = _wkb(geoms)
    h.update(np.array([len(b) if b is not None else -1 for b in wkb], np.int64).tobytes())
    for b in wkb:
        if b is not None:
            h.update(b)
    return h.hexdigest()


def path_of(cache_dir: str | Path, kind: str, key: str) -> Path:
    return Path(cache_dir) / f"map-{kind}-{key[:32]}.npz"


def _load(path: Path, key: str) -> tuple[Any, np.ndarray | None] | None:
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(f["json"].tobytes().decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("key") != key:
            return None
        payload = meta["payload"]
        for name, length in meta.get("lists", {}).items():  # kept as text: see RawJSON
            payload[name] = RawJSON(f[f"list_{name}"].tobytes().decode("utf-8"), int(length))
        geoms = None
        if "wkb_len" in f.files:
            sizes = f["wkb_len"]
            ends = np.cumsum(sizes)
            blob = f["wkb"].tobytes()
            if len(blob) != (int(ends[-1]) if len(ends) else 0) or (sizes < 0).any():
                return None
            geoms = shapely.from_wkb([blob[e - n:e] for e, n in zip(ends.tolist(),
                                                                  sizes.tolist())])
            geoms = np.asarray(geoms, dtype=object)
    return payload, geoms


def _save(path: Path, key: str, payload: Any, geoms: np.ndarray | None) -> None:
    lists = {k: v for k, v in payload.items() if isinstance(v, (list, RawJSON))} \
        if isinstance(payload, dict) else {}
    rest = {k: v for k, v in payload.items() if k not in lists} \
        if isinstance(payload, dict) else payload
    meta = {"key": key, "payload": rest, "lists": {k: len(v) for k, v in lists.items()}}
    arrays = {"json": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}
    for name, value in lists.items():
        text = value.text if isinstance(value, RawJSON) else json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        arrays[f"list_{name}"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    if geoms is not None:
        wkb = _wkb(geoms)
        arrays["wkb_len"] = np.array([len(b) for b in wkb], dtype=np.int64)
        arrays["wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "xb") as fh:
            np.savez(fh, **arrays)

    atomic_file(path, write)


def cached(cache_dir: str | Path | None, kind: str, key: Callable[[], str],
           compute: Callable[[], tuple[Any, np.ndarray | None]],
           check: Callable[[Any, np.ndarray | None], bool]) -> tuple[Any, np.ndarray | None]:
    """``compute()`` (a JSON-ready payload and optional geometries), or what an earlier
    ``compute()`` with the same ``key()`` stored in ``cache_dir``.

    ``check(payload, geoms)`` tells whether a loaded file has the expected shape; a file that
    fails it, or cannot be read at all, is recomputed and replaced. Without ``cache_dir``
    nothing is read or written.
    """
    if cache_dir is None:
        return compute()
    k = key()
    path = path_of(cache_dir, kind, k)
    if path.exists():
        try:
            found = _load(path, k)
            if found is not None and check(*found):
                return found
        except _UNREADABLE as exc:
            log.warning("ignoring unreadable map cache %s: %s", path, exc)
    payload, geoms = compute()
    try:
        _save(path, k, payload, geoms)
    except (OutputError, OSError) as exc:  # the cache only saves time: go on without it
        log.warning("map geometry not cached: %s", exc)
    return payload, geoms
