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
the rejected rows one problem per bad cell naming row, column, value and the fix. A bad optional cell does
not reject its row (DESIGN §1b "nothing silently lost"): it is left out of the profile and listed in
`warnings`; `on_bad_field="reject-row"` restores strict rows. Emails follow klaviyo_spec/field_rules.py,
the rule the sandbox applies too.
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
    offsets_of,
    replaced,
    text_literals,
    text_scalar,
    wrapped,
)
from klaviyo_core.profiles.cells import blank_placeholders, consent_yes, country_codes
from klaviyo_core.profiles.fields import (
    ATOM,
    LABEL,
    SPECIAL_TLDS,
    boolean_field,
    checked_emails,
    coordinate_field,
    date_field,
    email_refused_by_rule,
    list_field,
    number_field,
    phone_field,
    text_check,
    timezone_names,
)
from klaviyo_core.profiles.mapping import IDENTIFIER_FIELDS, ColumnMapping, Mapping
from klaviyo_spec import field_rules

FAST_EMAIL = re.compile(
    rf"^(?=.{{1,64}}@)(?!.*@(?:.*\.)?(?:{SPECIAL_TLDS})$)(?!.*@(?:.*\.)?xn--)"
    rf"{ATOM}(?:\.{ATOM})*@(?:{LABEL}\.)+[A-Za-z]{{2,63}}$"
)
_JSON_SAFE = r"^[ !#-\[\]-~]*$"  # printable ASCII without quote or backslash: JSON-encodes as itself


ON_BAD_FIELD = ("skip-field", "reject-row")


@dataclass(frozen=True)
class ValidationOptions:
    default_country: str = "US"  # for phone numbers written without +country code (and no row country)
    keep: str = "last"  # in-file duplicates: "last" or "first" wins
    on_bad_field: str = "skip-field"  # a bad optional cell: leave the field out ("skip-field") or reject the row
    decimal_comma: bool = False  # numbers are written 1.234,50 (semicolon files; detected by the pipeline)

    def __post_init__(self) -> None:
        if self.keep not in ("first", "last"):
            raise ValueError("keep must be 'first' or 'last'")
        if self.on_bad_field not in ON_BAD_FIELD:
            raise ValueError(f"on_bad_field must be one of {', '.join(ON_BAD_FIELD)}, not '{self.on_bad_field}'.")
        if self.default_country.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"Unknown country code '{self.default_country}' (use ISO codes like US, GB, DE).")


@dataclass
class ValidatedChunk:
    values: dict[str, pd.Series]  # target -> JSON literal or "" per valid row (index: line)
    keys: pd.Series  # dedupe key per valid row ("email:..." / "phone:..." / "external_id:...")
    problems: pd.DataFrame  # row, column, value, reason (rejected rows only)
    rows: int = 0
    rejected_rows: list[int] = field(default_factory=list)
    warnings: pd.DataFrame | None = None  # row, column, value, reason: fields left out of valid rows
    consent: dict[str, np.ndarray] = field(default_factory=dict)  # channel -> yes (and reachable) per valid row
    reachable: dict[str, np.ndarray] = field(default_factory=dict)  # channel -> has its email / phone per valid row

    @property
    def valid_index(self) -> pd.Index:
        return self.keys.index


FIXES = {
    "email": "is not a valid email address; correct it or clear the cell",
    "number": "is not a number; use digits with a dot for decimals, e.g. 12.5",
    "boolean": "is not true/false; use true, false, yes or no",
    "date": "is not a date; use YYYY-MM-DD (or an ISO 8601 date-time)",
    "locale": "is not a locale; use a language tag such as en-US",
    "location.timezone": "is not a time zone; use an IANA name such as America/New_York",
    "location.ip": "is not an IP address",
    "location.latitude": "is not a latitude; use a number between -90 and 90",
    "location.longitude": "is not a longitude; use a number between -180 and 180",
}


MAX_CELL_BYTES = 90_000  # no single cell of more fits a profile (Klaviyo: 100 KB a profile, with the rest)
TOO_BIG = "is larger than a Klaviyo profile can hold (100 KB); shorten it or leave the column out"
EMAIL_MAY_BE_REFUSED = f"{field_rules.NON_ASCII_LOCAL}; write it in ASCII or clear the cell"
PHONE_FIX = "is not a valid phone number for {country}; write it with its country code, e.g. +14155550100"
PHONE_OWN_CODE = "is not a valid phone number (it has its own country code); check its digits"


def _encode(
    col: ColumnMapping, s: pd.Series, arr: pa.LargeStringArray, options: ValidationOptions, countries: np.ndarray | None
) -> tuple[pa.Array, np.ndarray, str | np.ndarray]:
    """(JSON literal or "", ok, fix text, or one per row) for one mapped column of stripped strings."""
    target = col.target
    if target == "email":
        out, ok = checked_emails(s)
        fix: str | np.ndarray = FIXES["email"]
        if not ok.all():
            fix = np.full(len(ok), FIXES["email"], dtype=object)
            bad = np.flatnonzero(~ok)
            values = arr.take(pa.array(bad)).to_pylist()
            fix[bad] = [EMAIL_MAY_BE_REFUSED if email_refused_by_rule(v) else FIXES["email"] for v in values]
        return text_literals(out), ok, fix
    if target == "phone_number":
        return phones_by_country(arr, options.default_country.upper(), countries)
    if target in ("location.latitude", "location.longitude"):
        out, ok_s = coordinate_field(target, s)
        return pa.array(out.to_numpy(dtype=object), type=STR), ok_s.to_numpy(dtype=bool), FIXES[target]
    if col.is_property and col.type != "text":
        if col.type == "number":
            lit, ok = number_field(s, arr, options.decimal_comma)
        elif col.type == "boolean":
            lit, ok = boolean_field(arr)
        elif col.type == "date":
            lit, ok = date_field(s, arr)
        else:
            lit, ok = list_field(arr)
        return lit, ok, FIXES.get(col.type, "")
    if target == "location.timezone":
        arr = timezone_names(arr)
        s = as_series(arr, s.index)
    return text_literals(arr), text_check(target, s).to_numpy(dtype=bool), FIXES.get(target, "")


def phones_by_country(
    arr: pa.LargeStringArray, default: str, countries: np.ndarray | None, rows: np.ndarray | None = None
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Phone literals, each read for its row's country (the mapped country column, else `default`), with a
    fix text per row that names the country used ("+44..." numbers carry their own and are never "for US")."""
    if countries is not None and not (countries != "").any():
        countries = None  # the column is there but names no country: the default for every row
    if countries is None:
        lit, ok = phone_field(arr, default, rows)
        ok |= ~is_filled(arr) if rows is None else ~(is_filled(arr) & rows)
        codes = np.array([default], dtype=object)[np.zeros(len(arr), dtype=np.intp)]
    else:
        codes = np.where(countries == "", default, countries)
        filled = is_filled(arr) if rows is None else is_filled(arr) & rows
        lit, ok = blanks(len(arr)), np.ones(len(arr), dtype=bool)
        for country in pd.unique(codes[filled]) if filled.any() else []:
            where = filled & (codes == country)
            part, good = phone_field(arr.filter(bool_mask(where)), str(country))
            lit = replaced(lit, where, part)
            ok[where] = good
    if ok.all():
        return lit, ok, np.empty(0, dtype=object)  # no row needs a fix text
    own = pc.starts_with(arr, "+").to_numpy(zero_copy_only=False)
    from_row = np.zeros(len(arr), dtype=bool) if countries is None else countries != ""
    fix = np.full(len(arr), PHONE_OWN_CODE, dtype=object)
    for by_row, why in ((True, "the row's country"), (False, "the default country")):
        todo = ~ok & ~own & (from_row == by_row)
        for country in pd.unique(codes[todo]) if todo.any() else []:
            fix[todo & (codes == country)] = PHONE_FIX.format(country=f"{country} ({why})")
    return lit, ok, fix


def _stripped(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pa.LargeStringArray]:
    """The column's cells without surrounding whitespace, as a `str` Series and as the Arrow array under it.

    For an Arrow-backed column this is the kernel pandas' `.str.strip()` runs, without its wrapping."""
    cells = frame[column]
    if isinstance(cells.dtype, pd.StringDtype) and cells.dtype.storage == "pyarrow":
        arr = pc.utf8_trim_whitespace(as_arrow(cells))
        s = None
    else:
        s = cells.astype(str).str.strip()
        arr = as_arrow(s)
    blanked = blank_placeholders(arr)  # "N/A", "-", "null", "none": an empty cell
    if blanked is not arr or s is None:
        return as_series(blanked, cells.index), blanked
    return s, arr


def _unguarded(arr: pa.LargeStringArray) -> pa.LargeStringArray:
    """Without the apostrophe spreadsheets and exports (Shopify: `'+573001112233`, `'111`) put before a
    number to keep it text; only identifiers and phones, where it cannot be meant."""
    if not pc.any(pc.starts_with(arr, "'")).as_py():
        return arr
    return pc.replace_substring_regex(arr, r"^'([+0-9])", r"\1")


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


def _countries(frame: pd.DataFrame, mapping_columns: dict[str, str]) -> np.ndarray | None:
    """ISO code per row from the mapped country column ("" where none), or None when none is mapped."""
    column = mapping_columns.get("location.country")
    return None if column is None else country_codes(_stripped(frame, column)[1])


def identifier_keys(frame: pd.DataFrame, columns: dict[str, str], options: ValidationOptions) -> pd.Series:
    """The dedupe key of each row from its identifier columns alone (target -> column; the country column
    too, if mapped), for read 0 (identity.py).

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
            arr = _unguarded(_stripped(frame, columns[target])[1])
            if target == "phone_number":
                countries = _countries(frame, columns)
                lits[target] = phones_by_country(arr, options.default_country.upper(), countries, needed)[0]
            else:
                lits[target] = text_literals(arr)
            keep[target] = needed
    return as_series(_keys(lits, len(frame), keep), frame.index)


def _frame(rows: pd.Index, column: str, value: np.ndarray, reason: str | np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"row": rows, "column": column, "value": value, "reason": reason})


def validate_chunk(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions) -> ValidatedChunk:
    """Encode every mapped column. A bad email always rejects its row, and so does a bad phone on a row
    without a valid email (it is who the row is); any other bad cell is left out with a warning on its
    row (or rejects the row with `on_bad_field="reject-row"`). A row with no identifier is rejected."""
    index = frame.index
    lits: dict[str, pa.Array] = {}
    problems: list[pd.DataFrame] = []
    warnings: list[pd.DataFrame] = []
    bad = np.zeros(len(frame), dtype=bool)
    dropped = np.zeros(len(frame), dtype=bool)
    has_email = np.zeros(len(frame), dtype=bool)
    targets = {c.target: c.column for c in mapping.active()}
    countries = _countries(frame, targets) if "phone_number" in targets else None
    for col in sorted(mapping.active(), key=lambda c: c.target != "email"):  # the email decides about phones
        s, arr = _stripped(frame, col.column)
        if col.target in ("phone_number", "external_id"):
            arr = _unguarded(arr)
            s = as_series(arr, index)
        lit, ok, fix = _encode(col, s, arr, options, countries)
        big = np.diff(offsets_of(arr)) > MAX_CELL_BYTES
        if big.any():  # one huge notes cell must not cost the person, nor the file
            base = fix if not isinstance(fix, np.ndarray) or len(fix) == len(ok) else ""  # "": no fix per row
            ok, fix = ok & ~big, np.where(big, TOO_BIG, base).astype(object)
        if col.target == "email":
            has_email = is_filled(arr) & ok
        if not ok.all():
            value = pc.utf8_slice_codeunits(arr.filter(bool_mask(~ok)), 0, 100).to_numpy(zero_copy_only=False)
            reason = fix[~ok] if isinstance(fix, np.ndarray) else fix
            strict = col.target == "email" or options.on_bad_field == "reject-row"
            reject = ~ok if strict else ~ok & ~has_email if col.target == "phone_number" else np.zeros_like(ok)
            found = _frame(index[~ok], col.column, value, reason)
            problems.append(found[reject[~ok]])
            warnings.append(found[~reject[~ok]])
            bad |= reject
            drop = ~ok & ~reject
            if drop.any():
                dropped |= drop
                lit = pc.if_else(bool_mask(~drop), lit, text_scalar(""))
        lits[col.target] = lit
    keys = _keys(lits, len(frame))
    no_id = ~is_filled(keys) & ~bad
    if no_id.any():
        reason = "has no identifier; fill in an email, a phone number or an external id"
        problems.append(_frame(index[no_id], "", np.full(int(no_id.sum()), ""), reason))
        bad |= no_id
    found = pd.concat(problems, ignore_index=True) if problems else _no_problems()
    warned = pd.concat(warnings, ignore_index=True) if dropped.any() else _no_problems()
    none = np.zeros(len(frame), dtype=bool)
    reachable = {
        ch: is_filled(lits[t]) if t in lits else none for ch, t in (("email", "email"), ("sms", "phone_number"))
    }
    consent = {
        ch: consent_yes(_stripped(frame, column)[1]) & reachable[ch] for ch, column in mapping.consent_columns().items()
    }
    if bad.any():
        good = bool_mask(~bad)
        lits, keys = {t: lit.filter(good) for t, lit in lits.items()}, keys.filter(good)
        warned = warned[~warned["row"].isin(index[bad])]
        consent = {ch: yes[~bad] for ch, yes in consent.items()}
        reachable = {ch: has[~bad] for ch, has in reachable.items()}
    valid = index[~bad]
    return ValidatedChunk(
        values={t: as_series(lit, valid) for t, lit in lits.items()},
        keys=as_series(keys, valid),
        problems=found,
        rows=len(frame),
        rejected_rows=sorted(set(found["row"].tolist())),
        warnings=warned,
        consent=consent,
        reachable=reachable,
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
