"""Validate a chunk of CSV rows against a mapping before anything is sent, column by column (vectorised).

Why vectorised: a per-row Python loop with email-validator and phonenumbers over a million rows takes
minutes. Emails go through a strict regex first (its accepted set is a subset of what email-validator
accepts; a test holds it to that) and only the doubtful ones through email-validator (no DNS).
Phone numbers are parsed once per distinct non-empty value.

Why Arrow arrays rather than pandas Series inside: the chunks arrive as Arrow-backed `str` columns, and
each pandas step on them (boolean-mask assignment above all) costs far more than the Arrow kernel under it;
validating and encoding was ~70% of an import's CPU. So each column is taken as one Arrow array
(zero-copy), encoded with Arrow kernels and numpy masks, and handed back as Series only at the end. Python
runs per *distinct* value where it must (json.dumps for text that is not plain printable ASCII, list
cells, email-validator, phonenumbers); pandas still does what only it defines exactly: number parsing
beyond plain integers (whose text can depend on the rest of the column), date parsing, and the regular
expressions whose meaning depends on the data (`\\d` on non-ASCII text). A differential test
(tests/core/test_validation_differential.py) holds every output to the earlier all-pandas implementation.

The result holds, for the valid rows, each target as a *JSON literal* (`"Ann"`, `12.5`, `true`,
`["a","b"]`) or "" for an empty cell (omitted from the payload, so existing data is never cleared), and for
the rejected rows one problem per bad cell naming row, column, value and the fix.
"""

from __future__ import annotations

import ipaddress
import json
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import email_validator
import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from klaviyo_core import phone_fast
from klaviyo_core.mapping import IDENTIFIER_FIELDS, ColumnMapping, Mapping

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SPECIAL_TLDS = "|".join(email_validator.SPECIAL_USE_DOMAIN_NAMES)
FAST_EMAIL = re.compile(
    rf"^(?=.{{1,64}}@)(?!.*@(?:.*\.)?(?:{_SPECIAL_TLDS})$)(?!.*@(?:.*\.)?xn--)"
    rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"
)
MAX_EMAIL = 254
# FAST_EMAIL split into parts Arrow's RE2 engine runs natively (it has no lookarounds), ~4x faster per row:
_FAST_SHAPE = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"
_NOT_FAST_DOMAIN = rf"(?i)@(?:.*\.)?(?:(?:{_SPECIAL_TLDS})$|xn--)"
_JSON_SAFE = r"^[ !#-\[\]-~]*$"  # printable ASCII without quote or backslash: JSON-encodes as itself
_TRUE = {"true", "yes", "y", "1", "t", "on", "x"}
_FALSE = {"false", "no", "n", "0", "f", "off"}
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_TIMEZONES = frozenset(zoneinfo.available_timezones())


@dataclass(frozen=True)
class ValidationOptions:
    default_country: str = "US"  # for phone numbers written without +country code
    keep: str = "last"  # in-file duplicates: "last" or "first" wins

    def __post_init__(self) -> None:
        if self.keep not in ("first", "last"):
            raise ValueError("keep must be 'first' or 'last'")
        if self.default_country.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"Unknown country code '{self.default_country}' (use ISO codes like US, GB, DE).")


@dataclass
class ValidatedChunk:
    values: dict[str, pd.Series]  # target -> JSON literal or "" per valid row (index: line)
    keys: pd.Series  # dedupe key per valid row ("email:..." / "phone:..." / "external_id:...")
    problems: pd.DataFrame  # row, column, value, reason (rejected rows only)
    rows: int = 0
    rejected_rows: list[int] = field(default_factory=list)

    @property
    def valid_index(self) -> pd.Index:
        return self.keys.index


_STR = pa.large_string()
_PLAIN_INT_DIGITS = 15  # `[+-]?` and up to 15 digits parse to the same integer whatever else the column holds
_END = 2**62  # a slice start past the end of any string: inserts there


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, _STR)


def _arrow(s: pd.Series) -> pa.LargeStringArray:
    """The Series' strings as one Arrow array (zero-copy for Arrow-backed `str`); missing values read as ""."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        chunks = pa.array(s.array)
        arr = chunks.chunk(0) if isinstance(chunks, pa.ChunkedArray) and chunks.num_chunks == 1 else chunks
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
    else:
        arr = pa.array(s.to_numpy(dtype=object, na_value=""), type=_STR)
    if arr.type != _STR:
        arr = arr.cast(_STR)
    return pc.fill_null(arr, "") if arr.null_count else arr


def _series(arr: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as a `str` Series, without copying."""
    return pd.Series(pd.arrays.ArrowStringArray(arr, dtype=pd.StringDtype("pyarrow", na_value=np.nan)), index=index)


def _offsets(arr: pa.LargeStringArray) -> np.ndarray:
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
    offsets = _offsets(arr)
    return counted[offsets[1:]] - counted[offsets[:-1]]


def _plain_integers(arr: pa.LargeStringArray) -> np.ndarray:
    """Where a value is `[+-]?[0-9]{1,15}` (read off the bytes)."""
    offsets, data = _offsets(arr), _data(arr)
    lengths = np.diff(offsets)
    others = _per_row_count(arr, (data - np.uint8(ord("0"))) > 9)
    first = data[np.minimum(offsets[:-1], max(len(data) - 1, 0))] if len(data) else np.zeros(len(arr), np.uint8)
    signed = (others == 1) & ((first == ord("+")) | (first == ord("-"))) & (lengths >= 2)
    digits = lengths - signed
    return ((others == 0) | signed) & (digits >= 1) & (digits <= _PLAIN_INT_DIGITS)


def _plain_dates_ascii(arr: pa.LargeStringArray) -> np.ndarray:
    """Where a value is YYYY-MM-DD in ASCII digits, month 01-12, day 01-31 (read off its 10 bytes)."""
    offsets, data = _offsets(arr), _data(arr)
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


def _filled(arr: pa.LargeStringArray) -> np.ndarray:
    """Where the value is not "" (its byte length, read off the offsets: no kernel, no copy)."""
    return np.diff(_offsets(arr)) > 0


def _mask(where: np.ndarray) -> pa.BooleanArray:
    return pa.array(where, type=pa.bool_())


def _blank(n: int) -> pa.LargeStringArray:
    """n empty strings."""
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(np.zeros(n + 1, dtype=np.int64)), pa.py_buffer(b""))


def _spread(values: pa.Array, where: np.ndarray) -> pa.Array:
    """`values` at the rows where `where` holds, "" at the others."""
    if where.all():
        return values
    return pc.replace_with_mask(_blank(len(where)), _mask(where), values.cast(_STR))


def _replaced(arr: pa.Array, where: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.replace_with_mask(arr, _mask(where), values.cast(_STR)) if where.any() else arr


def _per_distinct(arr: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """fn of every value, computed once per distinct value (cells repeat a lot: names, tags, cities)."""
    if len(arr) == 0:
        return pa.array([], type=_STR)
    coded = pc.dictionary_encode(arr)
    done = pa.array([fn(v) for v in coded.dictionary.to_pylist()], type=_STR)
    return done.take(coded.indices)


def _wrapped(arr: pa.Array, before: str, after: str = "") -> pa.Array:
    """before + value + after per row (null stays null); two slice inserts cost less than a 3-way join."""
    out = pc.binary_replace_slice(arr, 0, 0, before) if before else arr
    return pc.binary_replace_slice(out, _END, _END, after) if after else out


def _joined(parts: list[pa.Array], length: int) -> pa.Array:
    """The parts side by side per row."""
    if not parts:
        return _blank(length)
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, _text(""))


def _unsafe(arr: pa.LargeStringArray) -> np.ndarray:
    """Where a value has a byte outside _JSON_SAFE's set: control, quote, backslash, DEL or non-ASCII."""
    offsets = _offsets(arr)
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
    quoted = _wrapped(arr, '"', '"')
    unsafe = _unsafe(arr)
    if unsafe.any():
        quoted = _replaced(quoted, unsafe, _per_distinct(arr.filter(_mask(unsafe)), json.dumps))
    return quoted


def _text_literals(arr: pa.LargeStringArray) -> pa.Array:
    """JSON string literal per value, "" for "" (an omitted field)."""
    filled = _filled(arr)
    lit = _json_literals(arr)
    return lit if filled.all() else pc.if_else(_mask(filled), lit, _text(""))


@lru_cache(maxsize=20_000)
def _email_slow(value: str) -> str | None:
    try:
        return email_validator.validate_email(value, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        return None


def _fast_emails(arr: pa.LargeStringArray) -> np.ndarray:
    """Where an email is certainly valid and already normalised: FAST_EMAIL (or stricter), vectorised.

    The shape is ASCII-only, so where it matches, byte offsets and lengths are character ones."""
    shape = pc.match_substring_regex(arr, _FAST_SHAPE).to_numpy(zero_copy_only=False)
    at = pc.find_substring(arr, "@").to_numpy(zero_copy_only=False)
    ok = shape & (at >= 1) & (at <= 64) & (np.diff(_offsets(arr)) <= MAX_EMAIL)
    if ok.any():
        ok &= ~pc.match_substring_regex(arr, _NOT_FAST_DOMAIN).to_numpy(zero_copy_only=False)
    return ok


def fast_email_mask(s: pd.Series) -> pd.Series:
    """Where an email is certainly valid and already normalised: FAST_EMAIL (or stricter), vectorised."""
    return pd.Series(_fast_emails(_arrow(s)), index=s.index)


def _emails(arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    """(normalised email or "", ok) for stripped values; empty cells are ok and stay ""."""
    ok = ~_filled(arr) | _fast_emails(arr)
    if ok.all():
        return arr, ok
    doubtful = ~ok
    slow = [_email_slow(v) for v in arr.filter(_mask(doubtful)).to_pylist()]
    ok[doubtful] = [v is not None for v in slow]
    return _replaced(arr, doubtful, pa.array([v or "" for v in slow], type=_STR)), ok


def check_emails(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(normalised email or "", ok mask) for stripped values; empty cells are ok and stay ""."""
    out, ok = _emails(_arrow(s))
    return _series(out, s.index), pd.Series(ok, index=s.index)


def _checked_emails(s: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """check_emails, looked up at call time (a test lets every email through by replacing it), as Arrow."""
    out, ok = check_emails(s)
    return _arrow(out), ok.to_numpy(dtype=bool)


@lru_cache(maxsize=20_000)
def _phone(value: str, country: str) -> str | None:
    try:
        parsed = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_phones(s: pd.Series, country: str) -> tuple[pd.Series, pd.Series]:
    """(E.164 or "", ok mask) for stripped values; empty cells are ok and stay "".

    Each distinct value is decided once: by phone_fast for the usual shapes (same answers as phonenumbers,
    many at a time), by phonenumbers itself (`_phone`) for the rest.
    """
    empty = s == ""
    out = s.copy()
    ok = empty.copy()
    filled = ~empty
    if filled.any():
        values = s[filled].to_numpy(dtype=object)
        codes, uniques = pd.factorize(values)  # a missing value (None) gets code -1
        e164, valid, decided = phone_fast.e164_many(uniques, country)
        for i in np.flatnonzero(~decided):
            slow = _phone(uniques[i], country)
            e164[i], valid[i] = slow or "", slow is not None
        text, good = np.append(e164, "")[codes], np.append(valid, False)[codes]  # -1 reads the appended slot
        for i in np.flatnonzero(codes < 0):
            slow = _phone(values[i], country)
            text[i], good[i] = slow or "", slow is not None
        out[filled] = text
        ok[filled] = good
    return out, ok


def _phones(arr: pa.LargeStringArray, country: str, rows: np.ndarray | None = None) -> tuple[pa.Array, np.ndarray]:
    """(JSON literal of the E.164 number or "", ok) per row. Only filled cells are parsed, and of those only
    the `rows` given (read 0 needs no phone where an email decides the key; `ok` means nothing there)."""
    filled = _filled(arr)
    ok = ~filled
    if rows is not None:
        filled &= rows
    if not filled.any():
        return _blank(len(arr)), ok
    values = pd.Series(arr.filter(_mask(filled)).to_numpy(zero_copy_only=False), dtype=object)
    e164, good = check_phones(values, country)
    ok[filled] = good.to_numpy(dtype=bool)
    return _spread(_text_literals(pa.array(e164.to_numpy(dtype=object), type=_STR)), filled), ok


def _number_literals(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    nums = pd.to_numeric(s.str.replace(r"^\+", "", regex=True), errors="coerce")
    ok = (s == "") | (nums.notna() & np.isfinite(nums.fillna(0)))
    integral = nums.notna() & (nums == nums.round()) & (nums.abs() < 2**53)
    out = pd.Series("", index=s.index, dtype=object)
    out[integral] = nums[integral].astype("int64").astype(str)
    rest = nums.notna() & ~integral & ok
    out[rest] = nums[rest].map(repr)
    return out, ok


def _numbers(s: pd.Series, arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    """Number literals. Plain integers of up to 15 digits (the usual column) are read by Arrow: their text
    is the same whatever else the column holds. Any other value sends the whole column through pandas, whose
    parse decides the text of large integers by the column's dtype (int64, uint64 or float64)."""
    filled = _filled(arr)
    plain = _plain_integers(arr)
    if not (plain | ~filled).all():
        out, ok = _number_literals(s)
        return pa.array(out.to_numpy(dtype=object), type=_STR), ok.to_numpy(dtype=bool)
    digits = pc.utf8_ltrim(arr, characters="+")
    if not filled.all():
        digits = pc.if_else(_mask(filled), digits, _text("0"))
    text = pc.cast(pc.cast(digits, pa.int64()), _STR)
    return (text if filled.all() else pc.if_else(_mask(filled), text, _text(""))), np.ones(len(arr), dtype=bool)


def _booleans(arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    low = pc.utf8_lower(arr)
    yes = pc.is_in(low, value_set=pa.array(sorted(_TRUE), type=_STR))
    no = pc.is_in(low, value_set=pa.array(sorted(_FALSE), type=_STR))
    out = pc.if_else(yes, _text("true"), pc.if_else(no, _text("false"), _text("")))
    ok = ~_filled(arr) | yes.to_numpy(zero_copy_only=False) | no.to_numpy(zero_copy_only=False)
    return out, ok


def _parsed_dates(s: pd.Series) -> pd.Series:
    """'"<UTC ISO date-time>"' or NaN per value that is not already a plain date."""
    parsed = pd.to_datetime(s, errors="coerce", format="ISO8601", utc=True)
    if parsed.isna().any():
        retry = parsed.isna()
        parsed[retry] = pd.to_datetime(s[retry], errors="coerce", format="mixed", utc=True)
    return '"' + parsed.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00") + '"'


def _dates(s: pd.Series, arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    """Date literals: a plain YYYY-MM-DD (ASCII digits) is kept; anything else is parsed by pandas to a UTC
    date-time. (Python's `\\d` also takes other scripts' digits, which kept "٢٠٢٤-01-01" as it was.)"""
    plain = _plain_dates_ascii(arr)  # reads bytes: a non-ASCII value never matches
    out = pc.if_else(_mask(plain), _wrapped(arr, '"', '"'), _text(""))
    rest = _filled(arr) & ~plain
    if rest.any():
        parsed = _parsed_dates(s[rest]).to_numpy(dtype=object, na_value="")
        out = _replaced(out, rest, pa.array(parsed, type=_STR))
    return out, ~_filled(arr) | _filled(out)


def _list_literal(value: str) -> str:
    if value.startswith("["):
        try:
            items = json.loads(value)
            if isinstance(items, list):
                return json.dumps([str(i) for i in items])
        except ValueError:
            pass
    sep = ";" if ";" in value else "|" if "|" in value else ","
    return json.dumps([p.strip() for p in value.split(sep) if p.strip()])


def _lists(arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    filled = _filled(arr)
    return _spread(_per_distinct(arr.filter(_mask(filled)), _list_literal), filled), np.ones(len(arr), dtype=bool)


def _text_check(target: str, s: pd.Series) -> pd.Series:
    if target == "locale":
        return (s == "") | s.str.match(_LOCALE)
    if target == "location.timezone":
        return (s == "") | s.isin(_TIMEZONES)
    if target == "location.ip":
        return (s == "") | s.map(_is_ip).astype(bool)  # astype: an empty Series maps to str dtype
    return pd.Series(True, index=s.index)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


FIXES = {
    "email": "is not a valid email address; correct it or clear the cell",
    "phone_number": "is not a valid phone number for {country}; write it with its country code, e.g. +14155550100",
    "number": "is not a number; use digits with a dot for decimals, e.g. 12.5",
    "boolean": "is not true/false; use true, false, yes or no",
    "date": "is not a date; use YYYY-MM-DD (or an ISO 8601 date-time)",
    "locale": "is not a locale; use a language tag such as en-US",
    "location.timezone": "is not a time zone; use an IANA name such as America/New_York",
    "location.ip": "is not an IP address",
    "location.latitude": "is not a latitude; use a number between -90 and 90",
    "location.longitude": "is not a longitude; use a number between -180 and 180",
}


def _coordinate(target: str, s: pd.Series) -> tuple[pd.Series, pd.Series]:
    out, ok = _number_literals(s)
    nums = pd.to_numeric(s, errors="coerce")
    bound = 90 if target.endswith("latitude") else 180
    return out, ok & ((s == "") | (nums.abs() <= bound))


def _encode(
    col: ColumnMapping, s: pd.Series, arr: pa.LargeStringArray, options: ValidationOptions
) -> tuple[pa.Array, np.ndarray, str]:
    """(JSON literal or "", ok, fix text) for one mapped column of stripped strings (`s` and `arr` alike)."""
    target = col.target
    if target == "email":
        out, ok = _checked_emails(s)
        return _text_literals(out), ok, FIXES["email"]
    if target == "phone_number":
        country = options.default_country.upper()
        lit, ok = _phones(arr, country)
        return lit, ok, FIXES["phone_number"].format(country=country)
    if target in ("location.latitude", "location.longitude"):
        out, ok_s = _coordinate(target, s)
        return pa.array(out.to_numpy(dtype=object), type=_STR), ok_s.to_numpy(dtype=bool), FIXES[target]
    if col.is_property and col.type != "text":
        if col.type == "number":
            lit, ok = _numbers(s, arr)
        elif col.type == "boolean":
            lit, ok = _booleans(arr)
        elif col.type == "date":
            lit, ok = _dates(s, arr)
        else:
            lit, ok = _lists(arr)
        return lit, ok, FIXES.get(col.type, "")
    return _text_literals(arr), _text_check(target, s).to_numpy(dtype=bool), FIXES.get(target, "")


def _stripped(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pa.LargeStringArray]:
    """The column's cells without surrounding whitespace, as a `str` Series and as the Arrow array under it.

    For an Arrow-backed column this is the kernel pandas' `.str.strip()` runs, without its wrapping."""
    cells = frame[column]
    if isinstance(cells.dtype, pd.StringDtype) and cells.dtype.storage == "pyarrow":
        arr = pc.utf8_trim_whitespace(_arrow(cells))
        return _series(arr, cells.index), arr
    s = cells.astype(str).str.strip()
    return s, _arrow(s)


def _present(lit: pa.Array, keep: np.ndarray | None = None) -> pa.Array:
    """The literals with "" (and rows not in `keep`) as null, so that whatever they are joined into is null."""
    where = _filled(lit)
    if keep is not None:
        where &= keep
    if where.all() and not lit.null_count:
        return lit
    return pc.if_else(_mask(where), lit, pa.scalar(None, _STR))


def _keys(lits: dict[str, pa.Array], n: int, keep: dict[str, np.ndarray] | None = None) -> pa.Array:
    """Dedupe key per row: the first identifier given of email, phone, external id ("" where none is)."""
    found = []
    for target in IDENTIFIER_FIELDS:
        if target in lits:
            raw = pc.utf8_slice_codeunits(_present(lits[target], (keep or {}).get(target)), 1, -1)
            found.append(_wrapped(pc.utf8_lower(raw) if target == "email" else raw, f"{target}:"))
    return pc.coalesce(*found, _text("")) if found else _blank(n)


def identifier_keys(frame: pd.DataFrame, columns: dict[str, str], options: ValidationOptions) -> pd.Series:
    """The dedupe key of each row from its identifier columns alone (target -> column), for read 0 (identity.py).

    Where an email is given it is the key, so the phone and external id are looked at (phones parsed) only on
    the rows without one; a given but invalid email leaves the row without a key.
    """
    lits: dict[str, pa.Array] = {}
    keep: dict[str, np.ndarray] = {}
    needed = np.ones(len(frame), dtype=bool)
    if "email" in columns:
        s, arr = _stripped(frame, columns["email"])
        lits["email"] = _text_literals(_checked_emails(s)[0])
        needed = ~_filled(arr)
    for target in ("phone_number", "external_id"):
        if target in columns and needed.any():
            _, arr = _stripped(frame, columns[target])
            if target == "phone_number":
                lits[target] = _phones(arr, options.default_country.upper(), needed)[0]
            else:
                lits[target] = _text_literals(arr)
            keep[target] = needed
    return _series(_keys(lits, len(frame), keep), frame.index)


def validate_chunk(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions) -> ValidatedChunk:
    index = frame.index
    lits: dict[str, pa.Array] = {}
    problems: list[pd.DataFrame] = []
    bad = np.zeros(len(frame), dtype=bool)
    for col in mapping.active():
        s, arr = _stripped(frame, col.column)
        lit, ok, fix = _encode(col, s, arr, options)
        lits[col.target] = lit
        if not ok.all():
            value = pc.utf8_slice_codeunits(arr.filter(_mask(~ok)), 0, 100).to_numpy(zero_copy_only=False)
            problems.append(pd.DataFrame({"row": index[~ok], "column": col.column, "value": value, "reason": fix}))
            bad |= ~ok
    keys = _keys(lits, len(frame))
    no_id = ~_filled(keys) & ~bad
    if no_id.any():
        problems.append(
            pd.DataFrame(
                {
                    "row": index[no_id],
                    "column": "",
                    "value": "",
                    "reason": "has no identifier; fill in an email, a phone number or an external id",
                }
            )
        )
        bad |= no_id
    found = pd.concat(problems, ignore_index=True) if problems else _no_problems()
    if bad.any():
        good = _mask(~bad)
        lits, keys = {t: lit.filter(good) for t, lit in lits.items()}, keys.filter(good)
    valid = index[~bad]
    return ValidatedChunk(
        values={t: _series(lit, valid) for t, lit in lits.items()},
        keys=_series(keys, valid),
        problems=found,
        rows=len(frame),
        rejected_rows=sorted(set(found["row"].tolist())),
    )


def _no_problems() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series([], dtype="int64"), "column": [], "value": [], "reason": []})


def _fragment(prefix: str, lit: pa.Array) -> pa.Array:
    """`<prefix><literal>` per row, or "" where the literal is "" (an omitted field)."""
    filled = _filled(lit)
    frag = _wrapped(lit, prefix)
    return frag if filled.all() else pc.if_else(_mask(filled), frag, _text(""))


def profile_json(values: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """One compact JSON profile object per valid row, built column-wise from the JSON literals.

    Empty cells are skipped (never sent as null, which would clear data in Klaviyo); a group such as
    `location` appears only when one of its fields is filled. The Series is Arrow-backed `str`: its lengths
    are measured without a Python loop, and the profiles become Python strings only once, when listed.
    """
    head = '{"type":"profile","attributes":{'
    top: list[pa.Array] = []
    groups: dict[str, list[pa.Array]] = {}
    # Every fragment starts with its comma; the first one of a group or of the profile gives way to the
    # opening. When the first field is filled on every row it carries the opening itself (no pass to swap).
    opened = False
    for target, lit in values.items():
        group, _, name = target.partition(".") if "." in target else ("", "", target)
        key, arr = '"' + json.dumps(name)[1:-1] + '":', _arrow(lit)
        if not group and not top and _filled(arr).all():
            top.append(_wrapped(arr, head + key))
            opened = True
        else:
            (groups.setdefault(group, []) if group else top).append(_fragment("," + key, arr))
    for group, frags in groups.items():
        inner = _joined(frags, len(index))
        grouped = _wrapped(pc.binary_replace_slice(inner, 0, 1, f',"{group}":{{'), "", "}")
        top.append(pc.if_else(_mask(_filled(inner)), grouped, _text("")))
    if opened:
        return _series(pc.binary_join_element_wise(*top, _text("}}"), _text("")), index)
    body = pc.binary_replace_slice(_joined(top, len(index)), 0, 1, head)
    return _series(_wrapped(body, "", "}}"), index)
