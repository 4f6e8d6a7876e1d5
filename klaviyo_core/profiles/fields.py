"""One check per field type: emails, phones, numbers, booleans, dates, lists."""

from __future__ import annotations

import csv
import ipaddress
import json
import re
import zoneinfo
from functools import lru_cache

import email_validator
import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from klaviyo_core.profiles import phones as phone_fast
from klaviyo_core.profiles.arrow_text import (
    STR,
    as_arrow,
    as_series,
    blanks,
    bool_mask,
    is_filled,
    offsets_of,
    per_distinct,
    plain_dates_ascii,
    plain_integers,
    replaced,
    spread,
    text_literals,
    text_scalar,
    wrapped,
)
from klaviyo_core.profiles.cells import money_text
from klaviyo_spec import field_rules

ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
SPECIAL_TLDS = "|".join(email_validator.SPECIAL_USE_DOMAIN_NAMES)
MAX_EMAIL = 254


# FAST_EMAIL split into parts Arrow's RE2 engine runs natively (it has no lookarounds), ~4x faster per row:
_FAST_SHAPE = rf"^{ATOM}(?:\.{ATOM})*@(?:{LABEL}\.)+[A-Za-z]{{2,63}}$"
_NOT_FAST_DOMAIN = rf"(?i)@(?:.*\.)?(?:(?:{SPECIAL_TLDS})$|xn--)"
_TRUE = {"true", "yes", "y", "1", "t", "on", "x"}
_FALSE = {"false", "no", "n", "0", "f", "off"}
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_TIMEZONES = frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=20_000)
def _email_slow(value: str) -> str | None:
    """The address to send (IDN domains in their ASCII form), or None; it passes the shared rule
    (klaviyo_spec.field_rules, which the sandbox applies too) or it is None."""
    try:
        found = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    text = found.ascii_email or found.normalized
    return text if field_rules.email_ok(text) else None


@lru_cache(maxsize=20_000)
def email_refused_by_rule(value: str) -> bool:
    """Whether the address is refused only for a non-ASCII local part, which email-validator takes (SMTPUTF8)
    and the shared rule does not: the dry run says "Klaviyo may refuse" rather than "not an email address"."""
    try:
        found = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return not found.local_part.isascii() and _email_slow(value) is None


def _fast_emails(arr: pa.LargeStringArray) -> np.ndarray:
    """Where an email is certainly valid and already normalised: FAST_EMAIL (or stricter), vectorised.

    The shape is ASCII-only, so where it matches, byte offsets and lengths are character ones."""
    shape = pc.match_substring_regex(arr, _FAST_SHAPE).to_numpy(zero_copy_only=False)
    at = pc.find_substring(arr, "@").to_numpy(zero_copy_only=False)
    ok: np.ndarray = shape & (at >= 1) & (at <= 64) & (np.diff(offsets_of(arr)) <= MAX_EMAIL)
    if ok.any():
        ok &= ~pc.match_substring_regex(arr, _NOT_FAST_DOMAIN).to_numpy(zero_copy_only=False)
    return ok


def fast_email_mask(s: pd.Series) -> pd.Series:
    """Where an email is certainly valid and already normalised: FAST_EMAIL (or stricter), vectorised."""
    return pd.Series(_fast_emails(as_arrow(s)), index=s.index)


def _emails(arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    """(normalised email or "", ok) for stripped values; empty cells are ok and stay ""."""
    ok = ~is_filled(arr) | _fast_emails(arr)
    if ok.all():
        return arr, ok
    doubtful = ~ok
    slow = [_email_slow(v) for v in arr.filter(bool_mask(doubtful)).to_pylist()]
    ok[doubtful] = [v is not None for v in slow]
    return replaced(arr, doubtful, pa.array([v or "" for v in slow], type=STR)), ok


def check_emails(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(normalised email or "", ok mask) for stripped values; empty cells are ok and stay ""."""
    out, ok = _emails(as_arrow(s))
    return as_series(out, s.index), pd.Series(ok, index=s.index)


def checked_emails(s: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """check_emails, looked up at call time (a test lets every email through by replacing it), as Arrow."""
    out, ok = check_emails(s)
    return as_arrow(out), ok.to_numpy(dtype=bool)


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


def phone_field(arr: pa.LargeStringArray, country: str, rows: np.ndarray | None = None) -> tuple[pa.Array, np.ndarray]:
    """(JSON literal of the E.164 number or "", ok) per row. Only filled cells are parsed, and of those only
    the `rows` given (read 0 needs no phone where an email decides the key; `ok` means nothing there)."""
    filled = is_filled(arr)
    ok = ~filled
    if rows is not None:
        filled &= rows
    if not filled.any():
        return blanks(len(arr)), ok
    values = pd.Series(arr.filter(bool_mask(filled)).to_numpy(zero_copy_only=False), dtype=object)
    e164, good = check_phones(values, country)
    ok[filled] = good.to_numpy(dtype=bool)
    return spread(text_literals(pa.array(e164.to_numpy(dtype=object), type=STR)), filled), ok


def _number_literals(s: pd.Series, decimal_comma: bool = False) -> tuple[pd.Series, pd.Series]:
    odd = s.str.contains(r"[^0-9.eE+-]", regex=True) if not decimal_comma else s.str.contains(",|\\.|[^0-9]")
    if odd.any():  # money and separators ("$1,234.50", "2028,16" in a semicolon file) made plain first
        s = s.copy()
        s[odd] = money_text(s[odd].tolist(), decimal_comma)
    nums = pd.to_numeric(s.str.replace(r"^\+", "", regex=True), errors="coerce")
    ok = (s == "") | (nums.notna() & np.isfinite(nums.fillna(0)))
    integral = nums.notna() & (nums == nums.round()) & (nums.abs() < 2**53)
    out = pd.Series("", index=s.index, dtype=object)
    out[integral] = nums[integral].astype("int64").astype(str)
    rest = nums.notna() & ~integral & ok
    out[rest] = nums[rest].map(repr)
    return out, ok


def number_field(s: pd.Series, arr: pa.LargeStringArray, decimal_comma: bool = False) -> tuple[pa.Array, np.ndarray]:
    """Number literals. Plain integers of up to 15 digits (the usual column) are read by Arrow: their text
    is the same whatever else the column holds. Any other value sends the whole column through pandas, whose
    parse decides the text of large integers by the column's dtype (int64, uint64 or float64)."""
    filled = is_filled(arr)
    plain = plain_integers(arr)
    if not (plain | ~filled).all():
        out, ok = _number_literals(s, decimal_comma)
        return pa.array(out.to_numpy(dtype=object), type=STR), ok.to_numpy(dtype=bool)
    digits = pc.utf8_ltrim(arr, characters="+")
    if not filled.all():
        digits = pc.if_else(bool_mask(filled), digits, text_scalar("0"))
    text = pc.cast(pc.cast(digits, pa.int64()), STR)
    return (text if filled.all() else pc.if_else(bool_mask(filled), text, text_scalar(""))), np.ones(
        len(arr), dtype=bool
    )


def boolean_field(arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    low = pc.utf8_lower(arr)
    yes = pc.is_in(low, value_set=pa.array(sorted(_TRUE), type=STR))
    no = pc.is_in(low, value_set=pa.array(sorted(_FALSE), type=STR))
    out = pc.if_else(yes, text_scalar("true"), pc.if_else(no, text_scalar("false"), text_scalar("")))
    ok = ~is_filled(arr) | yes.to_numpy(zero_copy_only=False) | no.to_numpy(zero_copy_only=False)
    return out, ok


def _parsed_dates(s: pd.Series) -> pd.Series:
    """'"<UTC ISO date-time>"' or NaN per value that is not already a plain date."""
    parsed = pd.to_datetime(s, errors="coerce", format="ISO8601", utc=True)
    if parsed.isna().any():
        retry = parsed.isna()
        parsed[retry] = pd.to_datetime(s[retry], errors="coerce", format="mixed", utc=True)
    return '"' + parsed.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00") + '"'


def date_field(s: pd.Series, arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    """Date literals: a plain YYYY-MM-DD (ASCII digits) is kept; anything else is parsed by pandas to a UTC
    date-time. (Python's `\\d` also takes other scripts' digits, which kept "٢٠٢٤-01-01" as it was.)"""
    plain = plain_dates_ascii(arr)  # reads bytes: a non-ASCII value never matches
    out = pc.if_else(bool_mask(plain), wrapped(arr, '"', '"'), text_scalar(""))
    rest = is_filled(arr) & ~plain
    if rest.any():
        parsed = _parsed_dates(s[rest]).to_numpy(dtype=object, na_value="")
        out = replaced(out, rest, pa.array(parsed, type=STR))
    return out, ~is_filled(arr) | is_filled(out)


def _list_literal(value: str) -> str:
    if value.startswith("["):
        try:
            items = json.loads(value)
            if isinstance(items, list):
                return json.dumps([str(i) for i in items])
        except ValueError:
            pass
    if value.startswith('"'):  # Mailchimp's TAGS: '"VIP","Blog"', a CSV line inside the cell
        try:
            return json.dumps([p.strip() for p in next(csv.reader([value], skipinitialspace=True)) if p.strip()])
        except (csv.Error, StopIteration):
            pass
    sep = ";" if ";" in value else "|" if "|" in value else ","
    return json.dumps([p.strip() for p in value.split(sep) if p.strip()])


def list_field(arr: pa.LargeStringArray) -> tuple[pa.Array, np.ndarray]:
    filled = is_filled(arr)
    return spread(per_distinct(arr.filter(bool_mask(filled)), _list_literal), filled), np.ones(len(arr), dtype=bool)


_TIMEZONE_BY_LOWER = {name.lower(): name for name in _TIMEZONES}


def timezone_names(arr: pa.LargeStringArray) -> pa.Array:
    """IANA names in their own case ("europe/zurich", as Mailchimp writes them -> "Europe/Zurich")."""
    return per_distinct(arr, lambda v: _TIMEZONE_BY_LOWER.get(v.lower(), v) if v not in _TIMEZONES else v)


def text_check(target: str, s: pd.Series) -> pd.Series:
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


def coordinate_field(target: str, s: pd.Series) -> tuple[pd.Series, pd.Series]:
    out, ok = _number_literals(s)
    nums = pd.to_numeric(s, errors="coerce")
    bound = 90 if target.endswith("latitude") else 180
    return out, ok & ((s == "") | (nums.abs() <= bound))
