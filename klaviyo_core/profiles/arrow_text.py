"""Arrow string kernels the validator builds profile JSON with."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STR = pa.large_string()
_PLAIN_INT_DIGITS = 15  # `[+-]?` and up to 15 digits parse to the same integer whatever else the column holds
_END = 2**62  # a slice start past the end of any string: inserts there


def text_scalar(value: str) -> pa.Scalar:
    return pa.scalar(value, STR)


def as_arrow(s: pd.Series) -> pa.LargeStringArray:
    """The Series' strings as one Arrow array (zero-copy for Arrow-backed `str`); missing values read as ""."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        chunks = pa.array(s.array)
        arr = chunks.chunk(0) if isinstance(chunks, pa.ChunkedArray) and chunks.num_chunks == 1 else chunks
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
    else:
        arr = pa.array(s.to_numpy(dtype=object, na_value=""), type=STR)
    if arr.type != STR:
        arr = arr.cast(STR)
    return pc.fill_null(arr, "") if arr.null_count else arr


def as_series(arr: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as a `str` Series, without copying."""
    return pd.Series(pd.arrays.ArrowStringArray(arr, dtype=pd.StringDtype("pyarrow", na_value=np.nan)), index=index)


def offsets_of(arr: pa.LargeStringArray) -> np.ndarray:
    buf = arr.buffers()[1]
    if buf is None or len(arr) == 0:
        return np.zeros(len(arr) + 1, dtype=np.int64)
    return np.frombuffer(buf, dtype=np.int64, count=len(arr) + 1, offset=arr.offset * 8)


def _data(arr: pa.LargeStringArray) -> np.ndarray:
    """The bytes the offsets point into (uint8, no copy)."""
    buf = arr.buffers()[2] if len(arr) else None
    return np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, dtype=np.uint8)


def _per_row_count(arr: pa.LargeStringArray, byte_mask: np.ndarray) -> np.ndarray:
    """How many bytes of each value `byte_mask` (over `_data(arr)`) holds."""
    counted = np.concatenate([[0], np.cumsum(byte_mask, dtype=np.int64)])
    offsets = offsets_of(arr)
    per_row: np.ndarray = counted[offsets[1:]] - counted[offsets[:-1]]
    return per_row


def plain_integers(arr: pa.LargeStringArray) -> np.ndarray:
    """Where a value is `[+-]?[0-9]{1,15}` (read off the bytes)."""
    offsets, data = offsets_of(arr), _data(arr)
    lengths = np.diff(offsets)
    others = _per_row_count(arr, (data - np.uint8(ord("0"))) > 9)
    first = data[np.minimum(offsets[:-1], max(len(data) - 1, 0))] if len(data) else np.zeros(len(arr), np.uint8)
    signed = (others == 1) & ((first == ord("+")) | (first == ord("-"))) & (lengths >= 2)
    digits = lengths - signed
    plain: np.ndarray = ((others == 0) | signed) & (digits >= 1) & (digits <= _PLAIN_INT_DIGITS)
    return plain


def plain_dates_ascii(arr: pa.LargeStringArray) -> np.ndarray:
    """Where a value is YYYY-MM-DD in ASCII digits, month 01-12, day 01-31 (read off its 10 bytes)."""
    offsets, data = offsets_of(arr), _data(arr)
    out = np.zeros(len(arr), dtype=bool)
    rows = np.flatnonzero(np.diff(offsets) == 10)
    if not len(rows):
        return out
    raw = data[offsets[rows][:, None] + np.arange(10)]
    digit = raw - np.uint8(ord("0"))
    month, day = digit[:, 5] * 10 + digit[:, 6], digit[:, 8] * 10 + digit[:, 9]
    shape = (digit[:, [0, 1, 2, 3, 5, 6, 8, 9]] <= 9).all(axis=1) & (raw[:, 4] == ord("-")) & (raw[:, 7] == ord("-"))
    out[rows] = shape & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    return out


def is_filled(arr: pa.LargeStringArray) -> np.ndarray:
    """Where the value is not "" (its byte length, read off the offsets: no kernel, no copy)."""
    return np.diff(offsets_of(arr)) > 0


def bool_mask(where: np.ndarray) -> pa.BooleanArray:
    return pa.array(where, type=pa.bool_())


def blanks(n: int) -> pa.LargeStringArray:
    """n empty strings."""
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(np.zeros(n + 1, dtype=np.int64)), pa.py_buffer(b""))


def spread(values: pa.Array, where: np.ndarray) -> pa.Array:
    """`values` at the rows where `where` holds, "" at the others."""
    if where.all():
        return values
    return pc.replace_with_mask(blanks(len(where)), bool_mask(where), values.cast(STR))


def replaced(arr: pa.Array, where: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.replace_with_mask(arr, bool_mask(where), values.cast(STR)) if where.any() else arr


def per_distinct(arr: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """fn of every value, computed once per distinct value (cells repeat a lot: names, tags, cities)."""
    if len(arr) == 0:
        return pa.array([], type=STR)
    coded = pc.dictionary_encode(arr)
    done = pa.array([fn(v) for v in coded.dictionary.to_pylist()], type=STR)
    return done.take(coded.indices)


def wrapped(arr: pa.Array, before: str, after: str = "") -> pa.Array:
    """before + value + after per row (null stays null); two slice inserts cost less than a 3-way join."""
    out = pc.binary_replace_slice(arr, 0, 0, before) if before else arr
    return pc.binary_replace_slice(out, _END, _END, after) if after else out


def joined(parts: list[pa.Array], length: int) -> pa.Array:
    """The parts side by side per row."""
    if not parts:
        return blanks(length)
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, text_scalar(""))


def _unsafe(arr: pa.LargeStringArray) -> np.ndarray:
    """Where a value has a byte outside _JSON_SAFE's set: control, quote, backslash, DEL or non-ASCII."""
    offsets = offsets_of(arr)
    out = np.zeros(len(arr), dtype=bool)
    if offsets[-1] == offsets[0]:
        return out
    data = _data(arr)[offsets[0] : offsets[-1]]
    bad = np.flatnonzero(((data - np.uint8(0x20)) > 0x5E) | (data == ord('"')) | (data == ord("\\")))
    if len(bad):
        out[np.searchsorted(offsets, bad + offsets[0], side="right") - 1] = True
    return out


def _json_literals(arr: pa.LargeStringArray) -> pa.Array:
    """JSON string literal per value: quoted as is when plain printable ASCII, else json.dumps (once per
    distinct value)."""
    quoted = wrapped(arr, '"', '"')
    unsafe = _unsafe(arr)
    if unsafe.any():
        quoted = replaced(quoted, unsafe, per_distinct(arr.filter(bool_mask(unsafe)), json.dumps))
    return quoted


def text_literals(arr: pa.LargeStringArray) -> pa.Array:
    """JSON string literal per value, "" for "" (an omitted field)."""
    filled = is_filled(arr)
    lit = _json_literals(arr)
    return lit if filled.all() else pc.if_else(bool_mask(filled), lit, text_scalar(""))
