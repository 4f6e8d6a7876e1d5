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
(tests/core/profiles/test_validation_differential.py) holds every output to the earlier all-pandas implementation.

The result holds, for the valid rows, each target as a *JSON literal* (`"Ann"`, `12.5`, `true`,
`["a","b"]`) or "" for an empty cell (omitted from the payload, so existing data is never cleared), and for
the rejected rows one problem per bad cell naming row, column, value and the fix.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from klaviyo_core.profiles.arrow_text import (
    STR,
    as_arrow,
    as_series,
    blanks,
    bool_mask,
    is_filled,
    joined,
    text_literals,
    text_scalar,
    wrapped,
)
from klaviyo_core.profiles.fields import (
    ATOM,
    LABEL,
    SPECIAL_TLDS,
    boolean_field,
    checked_emails,
    coordinate_field,
    date_field,
    list_field,
    number_field,
    phone_field,
    text_check,
)
from klaviyo_core.profiles.mapping import IDENTIFIER_FIELDS, ColumnMapping, Mapping

FAST_EMAIL = re.compile(
    rf"^(?=.{{1,64}}@)(?!.*@(?:.*\.)?(?:{SPECIAL_TLDS})$)(?!.*@(?:.*\.)?xn--)"
    rf"{ATOM}(?:\.{ATOM})*@(?:{LABEL}\.)+[A-Za-z]{{2,63}}$"
)
_JSON_SAFE = r"^[ !#-\[\]-~]*$"  # printable ASCII without quote or backslash: JSON-encodes as itself


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


def _encode(
    col: ColumnMapping, s: pd.Series, arr: pa.LargeStringArray, options: ValidationOptions
) -> tuple[pa.Array, np.ndarray, str]:
    """(JSON literal or "", ok, fix text) for one mapped column of stripped strings (`s` and `arr` alike)."""
    target = col.target
    if target == "email":
        out, ok = checked_emails(s)
        return text_literals(out), ok, FIXES["email"]
    if target == "phone_number":
        country = options.default_country.upper()
        lit, ok = phone_field(arr, country)
        return lit, ok, FIXES["phone_number"].format(country=country)
    if target in ("location.latitude", "location.longitude"):
        out, ok_s = coordinate_field(target, s)
        return pa.array(out.to_numpy(dtype=object), type=STR), ok_s.to_numpy(dtype=bool), FIXES[target]
    if col.is_property and col.type != "text":
        if col.type == "number":
            lit, ok = number_field(s, arr)
        elif col.type == "boolean":
            lit, ok = boolean_field(arr)
        elif col.type == "date":
            lit, ok = date_field(s, arr)
        else:
            lit, ok = list_field(arr)
        return lit, ok, FIXES.get(col.type, "")
    return text_literals(arr), text_check(target, s).to_numpy(dtype=bool), FIXES.get(target, "")


def _stripped(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pa.LargeStringArray]:
    """The column's cells without surrounding whitespace, as a `str` Series and as the Arrow array under it.

    For an Arrow-backed column this is the kernel pandas' `.str.strip()` runs, without its wrapping."""
    cells = frame[column]
    if isinstance(cells.dtype, pd.StringDtype) and cells.dtype.storage == "pyarrow":
        arr = pc.utf8_trim_whitespace(as_arrow(cells))
        return as_series(arr, cells.index), arr
    s = cells.astype(str).str.strip()
    return s, as_arrow(s)


def _present(lit: pa.Array, keep: np.ndarray | None = None) -> pa.Array:
    """The literals with "" (and rows not in `keep`) as null, so that whatever they are joined into is null."""
    where = is_filled(lit)
    if keep is not None:
        where &= keep
    if where.all() and not lit.null_count:
        return lit
    return pc.if_else(bool_mask(where), lit, pa.scalar(None, STR))


def _keys(lits: dict[str, pa.Array], n: int, keep: dict[str, np.ndarray] | None = None) -> pa.Array:
    """Dedupe key per row: the first identifier given of email, phone, external id ("" where none is)."""
    found = []
    for target in IDENTIFIER_FIELDS:
        if target in lits:
            raw = pc.utf8_slice_codeunits(_present(lits[target], (keep or {}).get(target)), 1, -1)
            found.append(wrapped(pc.utf8_lower(raw) if target == "email" else raw, f"{target}:"))
    return pc.coalesce(*found, text_scalar("")) if found else blanks(n)


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
        lits["email"] = text_literals(checked_emails(s)[0])
        needed = ~is_filled(arr)
    for target in ("phone_number", "external_id"):
        if target in columns and needed.any():
            _, arr = _stripped(frame, columns[target])
            if target == "phone_number":
                lits[target] = phone_field(arr, options.default_country.upper(), needed)[0]
            else:
                lits[target] = text_literals(arr)
            keep[target] = needed
    return as_series(_keys(lits, len(frame), keep), frame.index)


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
            value = pc.utf8_slice_codeunits(arr.filter(bool_mask(~ok)), 0, 100).to_numpy(zero_copy_only=False)
            problems.append(pd.DataFrame({"row": index[~ok], "column": col.column, "value": value, "reason": fix}))
            bad |= ~ok
    keys = _keys(lits, len(frame))
    no_id = ~is_filled(keys) & ~bad
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
        good = bool_mask(~bad)
        lits, keys = {t: lit.filter(good) for t, lit in lits.items()}, keys.filter(good)
    valid = index[~bad]
    return ValidatedChunk(
        values={t: as_series(lit, valid) for t, lit in lits.items()},
        keys=as_series(keys, valid),
        problems=found,
        rows=len(frame),
        rejected_rows=sorted(set(found["row"].tolist())),
    )


def _no_problems() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series([], dtype="int64"), "column": [], "value": [], "reason": []})


def _fragment(prefix: str, lit: pa.Array) -> pa.Array:
    """`<prefix><literal>` per row, or "" where the literal is "" (an omitted field)."""
    filled = is_filled(lit)
    frag = wrapped(lit, prefix)
    return frag if filled.all() else pc.if_else(bool_mask(filled), frag, text_scalar(""))


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
        key, arr = '"' + json.dumps(name)[1:-1] + '":', as_arrow(lit)
        if not group and not top and is_filled(arr).all():
            top.append(wrapped(arr, head + key))
            opened = True
        else:
            (groups.setdefault(group, []) if group else top).append(_fragment("," + key, arr))
    for group, frags in groups.items():
        inner = joined(frags, len(index))
        grouped = wrapped(pc.binary_replace_slice(inner, 0, 1, f',"{group}":{{'), "", "}")
        top.append(pc.if_else(bool_mask(is_filled(inner)), grouped, text_scalar("")))
    if opened:
        return as_series(pc.binary_join_element_wise(*top, text_scalar("}}"), text_scalar("")), index)
    body = pc.binary_replace_slice(joined(top, len(index)), 0, 1, head)
    return as_series(wrapped(body, "", "}}"), index)
