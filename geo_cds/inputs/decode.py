"""Text decoding for the reader: legacy Vietnamese encodings (TCVN3, VNI) to Unicode NFC.

The codecs live in :mod:`geo_cds.inputs.legacy`; this module applies them to a layer's file
and says, as a warning on the layer, which encoding was assumed and how to make it explicit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo_cds.inputs import legacy
from geo_cds.inputs.layer import Layer


def decode_csv(layer: Layer, path: Path) -> str:
    """The text of a CSV file, decoded from whatever encoding it is in."""
    text, how, enc = legacy.decode_text(path.read_bytes(), layer.spec.encoding)
    if how == "given" and enc in legacy.LEGACY_ENCODINGS:
        layer.layer_warning(
            f"text decoded from {enc.upper()} (legacy Vietnamese encoding) as the plan says",
            "none needed",
            file=path,
        )
    elif how == "detected":
        layer.layer_warning(
            f"the file is not UTF-8; its text looks like {enc.upper()} (legacy "
            "Vietnamese encoding) and was decoded as such",
            f"check the names; set encoding = '{enc}' in the plan to make it "
            "explicit, or save the file as UTF-8",
            file=path,
        )
    elif how == "fallback":
        layer.layer_warning(
            "the file is not UTF-8; decoded as Windows-1258",
            "set encoding = '<encoding>' for this input, or save the file as UTF-8",
            file=path,
        )
    return text


def decode_sheet(layer: Layer, raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Decode the text cells of a spreadsheet read without a header (legacy fonts)."""
    enc = legacy.normalise_encoding_name(layer.spec.encoding)
    if enc not in legacy.LEGACY_ENCODINGS:
        enc = legacy.detect_legacy(
            [v for v in raw.head(500).to_numpy().ravel() if isinstance(v, str)]
        )
        if enc:
            _detected(layer, enc, path, "save the file with a Unicode font")
    if enc:
        raw = raw.map(lambda v: legacy.decode_legacy(v, enc) if isinstance(v, str) else v)
    return raw


def decode_frame(layer: Layer, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Decode legacy-encoded headers and text cells (TCVN3 / VNI) to Unicode NFC."""
    enc = legacy.normalise_encoding_name(layer.spec.encoding)
    text_cols = [
        c
        for c in frame.columns
        if c != "geometry"
        and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
    ]
    if path.suffix.lower() in (".csv", ".txt"):
        return frame  # decoded as a whole file already
    if enc not in legacy.LEGACY_ENCODINGS:
        sample = [str(c) for c in frame.columns]
        for c in text_cols:
            sample.extend(str(v) for v in frame[c].dropna().head(500) if isinstance(v, str))
        enc = legacy.detect_legacy(sample)
        if enc is None:
            return frame
        _detected(layer, enc, path, "save the file as UTF-8")
    frame = frame.rename(
        columns={
            c: legacy.decode_legacy(c, enc)
            for c in frame.columns
            if c != "geometry" and isinstance(c, str)
        }
    )
    for c in text_cols:
        c2 = legacy.decode_legacy(c, enc) if isinstance(c, str) else c
        frame[c2] = frame[c2].map(
            lambda v: legacy.decode_legacy(v, enc) if isinstance(v, str) else v
        )
    return frame


def _detected(layer: Layer, enc: str, path: Path, or_else: str) -> None:
    layer.layer_warning(
        f"text looks like {enc.upper()} (legacy Vietnamese encoding) and was decoded as such",
        f"check the names; set encoding = '{enc}' in the plan to make it explicit, or {or_else}",
        file=path,
    )


def latin1_only(frame: pd.DataFrame) -> bool:
    """True when the text has characters in U+0080–U+00FF and none beyond (legacy suspect)."""
    high = False
    for c in frame.columns:
        if (
            c == "geometry"
            or frame[c].dtype != object
            and not pd.api.types.is_string_dtype(frame[c])
        ):
            continue
        for v in frame[c].dropna().head(500):
            if isinstance(v, str):
                for ch in v:
                    o = ord(ch)
                    if o > 0xFF:
                        return False
                    if o > 127:
                        high = True
    return high
