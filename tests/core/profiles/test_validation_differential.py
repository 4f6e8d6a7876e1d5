"""The Arrow rewrite of validation against a frozen copy of the pandas implementation it replaced.

Why: the rewrite is a speed-up only, so every output must stay the same byte for byte: the JSON literal per
cell, the dedupe keys, the problems frame, the rejected rows, the profile JSON, read 0's identity keys and
hashes, and what preparation's `_validate` makes of them. The corpus mixes every kind of mapped field with
the values that take the unusual paths (JSON escapes, invalid values, numbers whose text depends on the rest
of the column, dates that need parsing, non-ASCII data), in frames of object dtype (as the CSV reader makes
them) and of Arrow-backed `str` dtype (as read 1 loads them from the spool).
"""

from __future__ import annotations

import csv
import ipaddress
import json
import random
import re
import zoneinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

import email_validator
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from klaviyo_core.profiles import arrow_text, cells, fields, validate
from klaviyo_core.profiles.identity import identity_hashes, identity_keys
from klaviyo_core.profiles.jobs import Limits
from klaviyo_core.profiles.mapping import IDENTIFIER_FIELDS, ColumnMapping, Mapping
from klaviyo_core.profiles.prepare import _problem_reasons, _rejected_text, _validate, _Validated
from klaviyo_core.profiles.scan import load_frame, spool_frame
from klaviyo_core.profiles.validate import ValidatedChunk, ValidationOptions, profile_json, validate_chunk
from klaviyo_spec import field_rules

TEXTS = [
    "Ann",
    "",
    "   ",
    "  Zoë  ",
    "José",
    'say "hi"',
    "back\\slash",
    "tab\tinside",
    "line\nbreak",
    "ctrl\x00char",
    "del\x7fchar",
    "line\u2028sep",
    "emoji 👍",
    "日本語",
    "[1,2]",
    "{}",
    "x" * 150,
    "é" * 120,
    "a\x1cb",
    "'single'",
    "~!#$%^&*()",
]
EMAILS = [
    "ann@example.com",
    "Ann@Example.COM",
    " bob+tag@sub.example.co.uk ",
    "o'neil@x.co",
    "ü@x.de",
    "Ü@X.DE",
    "a@bücher.ch",
    "a@xn--bcher-kva.ch",
    '"a b"@x.com',
    '"q\\"x"@x.com',
    "a@b.test",
    "a@localhost",
    "a@x.LOCAL",
    "bad@",
    "plainaddress",
    "a..b@x.com",
    "x" * 65 + "@x.com",
    "a@" + "b" * 64 + ".com",
    ("a" * 60 + ".") * 4 + "@x.com",
    "a@x.com.",
    "a\nb@x.com",
    "aiden.garcía.29@example.com",
    "N/A",
    "a@x.c",
    "",
    "",
]
PHONES = [
    "",
    "",
    "+1 415 555 0100",
    "(415) 555-0100",
    "4155550100",
    "+14155550100",
    "+44 20 7946 0958",
    "020 7946 0958",
    "0044 20 7946 0958",
    "12",
    "abc",
    "+33 1 42 68 53 00",
    "415-555-0100 ext 5",
    "\uff0b1 415 555 0123",
    "'+14155550100",
    "+447700900024",
    "07700 900123",
    "n/a",
]
IDS = ["", "", "x1", "X1", "cust-7", 'q"uote', "ü-id", "a\\b", "  pad  ", "👍"]
LOCALES = ["", "en-US", "en_us", "fr", "zh-Hant-TW", "e", "english", "én", "en-US\nx"]
TIMEZONES = ["", "America/New_York", "Europe/Paris", "UTC", "utc", "Mars/Base", "europe/zurich"]
IPS = ["", "1.2.3.4", "::1", "256.1.1.1", "abc", "fe80::1%eth0", " 10.0.0.1 "]
COORDS = ["", "45.5", "-90", "90", "90.0001", "-180", "181", "+12", "1e1", "abc", "nan", "inf", "0", "-0", "12.345678"]
NUMBERS = [
    *["", "12", "+12", "-5", "007", "0", "-0", "123456789012345", "-999999999999999"],
    *["3.5", "1e5", "1E-3", "0.1", "1.0", "-2.50", "1.5e308", "1e400", "-1e400"],
    *["12345678901234567", "9007199254740993", "1234567890123456", "99999999999999999999999", "-18446744073709551615"],
    *["abc", "inf", "-inf", "nan", "NaN", "1_000", "1,5", "0x10", "٣", "+-3", "++3", "12a", "."],
    *["$1,234.50", "€ 12", "1 234", "N/A", "-", "none", "1,234,567"],
]
BOOLS = ["", "yes", "Yes", "NO", "true", "False", "1", "0", "t", "F", "on", "OFF", "x", "X", "maybe", "İ", "ｙｅｓ"]
DATES = [
    *["", "2024-01-31", "1990-05-01", "2024-13-01", "2024-02-30", "2024-1-5", "20240131"],
    *["2024-01-31T10:00:00Z", "2024-01-31 10:00", "2024-01-31T10:00:00+02:00", "1990-05-01T00:00:00.123456Z"],
    *["01/02/2024", "Jan 5 2024", "5 January 2024 3pm", "someday", "٢٠٢٤-01-01", "2024-01-31 is it"],
]
LISTS = [
    "",
    "a; b",
    "a|b",
    "a,b",
    '["x","y"]',
    "[1, 2]",
    '["unterminated',
    "[]",
    ";;",
    "ü;ö",
    '{"a":1}',
    "x",
    ' "q" , b ',
    '"VIP","Blog"',
    '"unterminated,x',
]

# (column, target, property type, values, a value that passes)
FIELDS: list[tuple[str, str, str, list[str], str]] = [
    ("Email", "email", "text", EMAILS, "ann@example.com"),
    ("Phone", "phone_number", "text", PHONES, ""),
    ("Customer ID", "external_id", "text", IDS, ""),
    ("First", "first_name", "text", TEXTS, "Ann"),
    ("Last", "last_name", "text", TEXTS, "Lee"),
    ("Company", "organization", "text", TEXTS, ""),
    ("Job", "title", "text", TEXTS, "CEO"),
    ("Lang", "locale", "text", LOCALES, "en-US"),
    ("Photo", "image", "text", TEXTS, ""),
    ("Street", "location.address1", "text", TEXTS, "1 Main St"),
    ("Street 2", "location.address2", "text", TEXTS, ""),
    ("City", "location.city", "text", TEXTS, "Paris"),
    ("State", "location.region", "text", TEXTS, ""),
    ("Country", "location.country", "text", [*TEXTS, "GB", "United Kingdom", "de", "N/A"], "France"),
    ("Zip", "location.zip", "text", ["", "75001", "02134", "SW1A 1AA", "ü"], "75001"),
    ("TZ", "location.timezone", "text", TIMEZONES, ""),
    ("Lat", "location.latitude", "text", COORDS, "48.85"),
    ("Lng", "location.longitude", "text", COORDS, ""),
    ("IP", "location.ip", "text", IPS, ""),
    ("Points", "properties.points", "number", NUMBERS, "12"),
    ("VIP", "properties.vip", "boolean", BOOLS, "yes"),
    ("Signup", "properties.signup", "date", DATES, "2024-01-31"),
    ("Tags", "properties.tags", "list", LISTS, "a; b"),
    ("Note", 'properties.note "q" ü', "text", TEXTS, "hi"),
    ("Ignored", "ignore", "text", TEXTS, ""),
]
Field = tuple[str, str, str, list[str], str]


def _mapping(fields: list[Field]) -> Mapping:
    return Mapping(tuple(ColumnMapping(c, t, ty if t.startswith("properties.") else "text") for c, t, ty, *_ in fields))


def _indexed(data: dict[str, list[str]], start: int = 2) -> pd.DataFrame:
    rows = len(next(iter(data.values()))) if data else 0
    return pd.DataFrame(data, dtype=object, index=pd.Index(range(start, start + rows), name="row"))


def _random_case(seed: int) -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    """A frame over a random subset of the fields (in random order), each column drawn from a random part of its
    pool or its passing value, so that the column-wide decisions (number dtype, non-ASCII present or not) go
    both ways and some rows stay valid."""
    rnd = random.Random(seed)
    fields = [f for f in FIELDS if rnd.random() < 0.5 or f[1] in ("email", "properties.points")]
    rnd.shuffle(fields)
    if rnd.random() < 0.15:
        fields = [f for f in fields if f[1] not in IDENTIFIER_FIELDS]  # no identifier at all
    rows = rnd.choice([1, 3, 12, 30])
    data = {}
    for column, _target, _type, pool, good in fields:
        part = rnd.sample(pool, rnd.randint(1, len(pool)))
        odd = rnd.choice([0.1, 0.4, 1.0])
        data[column] = [rnd.choice(part) if rnd.random() < odd else good for _ in range(rows)]
    options = ValidationOptions(
        default_country=rnd.choice(["US", "GB", "de"]),
        keep=rnd.choice(["first", "last"]),
        on_bad_field=rnd.choice(["skip-field", "reject-row"]),
    )
    return _indexed(data, rnd.randint(2, 500)), _mapping(fields), options


def _every_value_case() -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    """Every value of every pool in a row of its own, the other cells passing; then rows without identifier."""
    data: dict[str, list[str]] = {f[0]: [] for f in FIELDS}
    for column, *_rest in FIELDS:
        for value in _rest[2]:
            for other, *rest in FIELDS:
                data[other].append(value if other == column else rest[3])  # type: ignore[arg-type]  # star-unpacked tuple: rest[3] is the str default
    for phone, external in (("", ""), ("", "x1"), ("+14155550100", ""), ("12", "x2")):
        for other, *rest in FIELDS:
            data[other].append({"Email": "", "Phone": phone, "Customer ID": external}.get(other, rest[3]))  # type: ignore[arg-type]  # star-unpacked tuple: rest[3] is the str default
    return _indexed(data), _mapping(FIELDS), ValidationOptions()


def _cycled_case() -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    """Every pool cycled side by side: mostly rejected rows, several bad cells in one row."""
    rows = max(len(f[3]) for f in FIELDS) * 2
    data = {column: [pool[i % len(pool)] for i in range(rows)] for column, _t, _ty, pool, _g in FIELDS}
    return _indexed(data), _mapping(FIELDS), ValidationOptions(default_country="GB")


def _bench_like_case(rows: int = 3000) -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    """The shape of bench/import_profiles.py's file: clean data, a phone on one row in five, a few bad emails."""
    rnd = random.Random(7)
    firsts = ("Ann", "Bob", "Zoë", "José", "Li", "Émile", "Sam")
    data: dict[str, list[str]] = {k: [] for k in ("Email", "First", "Last", "Phone", "City", "Zip", "Points", "VIP")}
    data["Signup"] = []
    for i in range(rows):
        data["Email"].append(f"user{i}@example.com" if i % 997 else f"broken{i}@")
        data["First"].append(firsts[i % 7])
        data["Last"].append(f"Lee{i % 100}")
        data["Phone"].append(f"+1415{rnd.randrange(2_000_000, 9_999_999)}" if i % 5 == 0 else "")
        data["City"].append("Paris")
        data["Zip"].append(str(75000 + i % 20))
        data["Points"].append(str(i % 500))
        data["VIP"].append("yes" if i % 2 else "no")
        data["Signup"].append(f"2024-0{1 + i % 9}-1{i % 10}")
    names = set(data)
    return _indexed(data), _mapping([f for f in FIELDS if f[0] in names]), ValidationOptions()


NUMBER_COLUMNS = {
    "ints": ["12", "+7", "-5", "007", "-0", "123456789012345"],
    "big-ints": ["12", "12345678901234567", "9007199254740993", "-5"],
    "uint64": ["18446744073709551615", "1"],
    "beyond-uint64": ["99999999999999999999999", "1"],
    "signed-uint64": ["-1", "18446744073709551615"],
    "ints-and-empty": ["1", "", "12345678901234567"],
    "16-digits-and-empty": ["1", "", "9007199254740993", "1234567890123456"],
    "ints-and-bad": ["1", "abc", "12345678901234567"],
    "decimals": ["1.5", "2", "12345678901234567", "1e3"],
}


def _numbers_case(kind: str) -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    """A number column whose text depends on the rest of the column (int64, uint64 or float64 parsing)."""
    values = NUMBER_COLUMNS[kind]
    data = {"Email": [f"n{i}@example.com" for i in range(len(values))], "Points": values}
    fields = [f for f in FIELDS if f[0] in data]
    return _indexed(data), _mapping(fields), ValidationOptions()


def _dates_case(non_ascii: bool) -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    """Dates decide their plain-date shape per column: with non-ASCII text in it, `\\d` takes any digit."""
    values = ["2024-01-31", "٢٠٢٤-01-01", "2024-01-31T10:00:00Z", "someday", "1990-05-01", ""]
    if not non_ascii:
        values = [v for v in values if v.isascii()]
    data = {"Email": [f"d{i}@example.com" for i in range(len(values))], "Signup": values}
    fields = [f for f in FIELDS if f[0] in data]
    return _indexed(data), _mapping(fields), ValidationOptions()


def _empty_case() -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    frame, mapping, options = _every_value_case()
    return frame.iloc[:0], mapping, options


CASES = {
    "every-value": _every_value_case,
    "cycled": _cycled_case,
    "bench-like": _bench_like_case,
    "empty": _empty_case,
    **{f"numbers-{kind}": (lambda kind=kind: _numbers_case(kind)) for kind in NUMBER_COLUMNS},  # type: ignore[misc]
    "dates-ascii": lambda: _dates_case(non_ascii=False),
    "dates-non-ascii": lambda: _dates_case(non_ascii=True),
    **{f"random-{seed}": (lambda seed=seed: _random_case(seed)) for seed in range(40)},  # type: ignore[misc]
}


def _arrow_backed(frame: pd.DataFrame, tmp_path: Path) -> pd.DataFrame:
    """The frame as read 1 sees it: spooled and loaded back (Arrow-backed `str` columns)."""
    path = tmp_path / "chunk.arrow"
    spool_frame(frame, path)
    return load_frame(path)


@pytest.fixture(params=["object", "arrow"])
def dtype(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _frame_of(name: str, dtype: str, tmp_path: Path) -> tuple[pd.DataFrame, Mapping, ValidationOptions]:
    frame, mapping, options = CASES[name]()
    if dtype == "arrow":
        frame = _arrow_backed(frame, tmp_path)
        assert all(isinstance(t, pd.StringDtype) for t in frame.dtypes) or frame.empty
    return frame, mapping, options


def _same_series(got: pd.Series, want: pd.Series) -> None:
    assert list(got.index) == list(want.index)
    assert got.index.name == want.index.name
    assert got.tolist() == want.tolist()
    assert all(type(v) is str for v in got.tolist())


def _same_chunk(got: ValidatedChunk, want: ValidatedChunk) -> None:
    assert list(got.values) == list(want.values)
    for target in want.values:
        _same_series(got.values[target], want.values[target])
    _same_series(got.keys, want.keys)
    pd.testing.assert_frame_equal(got.problems, want.problems)
    assert got.rows == want.rows
    assert got.rejected_rows == want.rejected_rows
    assert list(got.valid_index) == list(want.valid_index)


@pytest.mark.parametrize("name", list(CASES))
def test_validate_chunk_and_profiles_match_the_reference(name: str, dtype: str, tmp_path: Path) -> None:
    frame, mapping, options = _frame_of(name, dtype, tmp_path)
    got = validate_chunk(frame, mapping, options)
    want = ref_validate_chunk(frame, mapping, options)
    _same_chunk(got, want)
    _same_series(profile_json(got.values, got.valid_index), ref_profile_json(want.values, want.valid_index))


@pytest.mark.parametrize("name", list(CASES))
def test_identity_keys_and_hashes_match_the_reference(name: str, dtype: str, tmp_path: Path) -> None:
    frame, mapping, options = _frame_of(name, dtype, tmp_path)
    _same_series(identity_keys(frame, mapping, options), ref_identity_keys(frame, mapping, options))
    lines, hashes = identity_hashes(frame, mapping, options)
    want_lines, want_hashes = ref_identity_hashes(frame, mapping, options)
    assert lines.tolist() == want_lines.tolist()
    assert hashes.dtype == want_hashes.dtype and hashes.tolist() == want_hashes.tolist()


@pytest.mark.parametrize("name", ["every-value", "cycled", "bench-like", "random-3", "empty"])
def test_preparation_validate_matches_the_reference(name: str, tmp_path: Path) -> None:
    frame, mapping, options = _frame_of(name, "arrow", tmp_path)
    for limits in (Limits(), Limits(profile_bytes=260)):
        got, want = _validate(frame, mapping, options, limits), ref_validate(frame, mapping, options, limits)
        assert got.rejected == want.rejected
        assert got.lines.tolist() == want.lines.tolist() and got.sizes.tolist() == want.sizes.tolist()
        assert got.profiles == want.profiles
        assert got.valid == want.valid


def test_the_corpus_reaches_the_unusual_paths(tmp_path: Path) -> None:
    """Guards the corpus itself: escapes, rejections, no-identifier rows and every literal kind occur."""
    frame, mapping, _options = _frame_of("every-value", "arrow", tmp_path)
    want = ref_validate_chunk(frame, mapping, ValidationOptions(on_bad_field="reject-row"))
    reasons = set(want.problems["reason"])
    assert any("no identifier" in r for r in reasons)
    assert {validate.FIXES[k] for k in ("email", "number", "boolean", "date", "locale", "location.ip")} <= reasons
    profiles = "".join(ref_profile_json(want.values, want.valid_index))
    for needle in ("\\u00eb", '\\"', "\\\\", "\\t", "\\u2028", '"location":{', "1.5e+308", "+00:00", '["a", "b"]'):
        assert needle in profiles, needle


def _random_strings(alphabet: str, count: int, seed: int, longest: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest))) for _ in range(count)]


def test_byte_checks_agree_with_the_regexes_they_stand_for() -> None:
    """Plain integers, plain dates and JSON-safe text are read off the bytes; Python's regexes say the same."""
    numbers = [*_random_strings("0123456789+-. a", 4000, 1, 18), "1" * 15, "-" + "1" * 15, "+" + "1" * 16, "+", "-"]
    arr = arrow_text.as_arrow(pd.Series(numbers, dtype=object))
    want = [re.fullmatch(r"[+-]?[0-9]{1,15}", v) is not None for v in numbers]
    assert arrow_text.plain_integers(arr).tolist() == want

    dates = _random_strings("0123-", 4000, 2, 11) + [f"2024-{m:02d}-{d:02d}" for m in range(14) for d in range(33)]
    arr = arrow_text.as_arrow(pd.Series(dates, dtype=object))
    pattern = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$", re.ASCII)
    assert arrow_text.plain_dates_ascii(arr).tolist() == [pattern.match(v) is not None for v in dates]

    texts = _random_strings('ab "\\\x00\x1f\x7f~ é\n', 4000, 3, 6)
    arr = arrow_text.as_arrow(pd.Series(texts, dtype=object))
    unsafe = [re.match(r"^[ !#-\[\]-~]*\Z", v) is None for v in texts]
    assert arrow_text._unsafe(arr).tolist() == unsafe
    sliced = arr.slice(1000, 50)  # an array that starts inside its buffers
    assert arrow_text._unsafe(sliced).tolist() == unsafe[1000:1050]
    assert arrow_text.plain_integers(sliced).tolist() == [
        re.fullmatch(r"[+-]?[0-9]{1,15}", v) is not None for v in texts[1000:1050]
    ]


# ----------------------------------------------------------------------------------------------------------
# The reference: validation.py and identity.identity_keys as they were before the Arrow rewrite (commit
# fa0f6ab), frozen here. Only the phone check is shared (it was not part of the rewrite).
# ----------------------------------------------------------------------------------------------------------


_REF_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_REF_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_REF_SPECIAL_TLDS = "|".join(email_validator.SPECIAL_USE_DOMAIN_NAMES)
_REF_MAX_EMAIL = 254
_REF_FAST_SHAPE = rf"^{_REF_ATOM}(?:\.{_REF_ATOM})*@(?:{_REF_LABEL}\.)+[A-Za-z]{{2,63}}$"
_REF_NOT_FAST_DOMAIN = rf"(?i)@(?:.*\.)?(?:(?:{_REF_SPECIAL_TLDS})$|xn--)"
_REF_JSON_SAFE = r"^[ !#-\[\]-~]*$"
_REF_TRUE = {"true", "yes", "y", "1", "t", "on", "x"}
_REF_FALSE = {"false", "no", "n", "0", "f", "off"}
_REF_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_REF_TIMEZONES = frozenset(zoneinfo.available_timezones())
_REF_FIXES = {
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


@lru_cache(maxsize=20_000)
def _ref_email_slow(value: str) -> str | None:
    # by design (issue 13 item 3): the address sent is the ASCII form (IDN domains as xn--), and it must pass
    # the rule the sandbox applies too (klaviyo_spec.field_rules)
    try:
        found = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    text = found.ascii_email or found.normalized
    return text if field_rules.email_ok(text) else None


def _ref_email_fix(value: str) -> str:
    try:
        found = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return _REF_FIXES["email"]
    return validate.EMAIL_MAY_BE_REFUSED if not found.local_part.isascii() else _REF_FIXES["email"]


_REF_BLANKS = {"n/a", "-", "null", "none", "--", "#n/a"}  # by design (item 4): placeholders are empty cells


def ref_json_strings(s: pd.Series) -> pd.Series:
    if s.empty:
        return s.astype(object)
    safe = s.str.match(_REF_JSON_SAFE)
    out = '"' + s + '"'
    if not safe.all():
        out[~safe] = s[~safe].map(json.dumps)
    return out


def ref_fast_email_mask(s: pd.Series) -> pd.Series:
    at = s.str.find("@")
    shape = s.str.match(_REF_FAST_SHAPE) & (at >= 1) & (at <= 64) & (s.str.len() <= _REF_MAX_EMAIL)
    return shape & ~s.str.contains(_REF_NOT_FAST_DOMAIN, regex=True)


def ref_check_emails(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    empty = s == ""
    fast = ref_fast_email_mask(s)
    out = s.copy()
    ok = empty | fast
    doubtful = ~ok
    if doubtful.any():
        slow = s[doubtful].map(_ref_email_slow)
        out[doubtful] = slow.fillna("")
        ok[doubtful] = slow.notna()
    return out, ok


def _ref_money(value: str) -> str:
    # by design (item 4): currency symbols/codes, spaces and thousands separators are not part of the number
    text = re.sub(r"[$€£¥₹₩₽¤]|\b(?:USD|EUR|GBP|CAD|AUD|CHF|JPY|SEK|NOK|DKK)\b", "", value)
    text = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    return text.replace(",", "") if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text) else text


def ref_number_literals(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = s.map(_ref_money) if len(s) else s
    nums = pd.to_numeric(s.str.replace(r"^\+", "", regex=True), errors="coerce")
    ok = (s == "") | (nums.notna() & np.isfinite(nums.fillna(0)))
    integral = nums.notna() & (nums == nums.round()) & (nums.abs() < 2**53)
    out = pd.Series("", index=s.index, dtype=object)
    out[integral] = nums[integral].astype("int64").astype(str)
    rest = nums.notna() & ~integral & ok
    out[rest] = nums[rest].map(repr)
    return out, ok


def _ref_plain_number_literals(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    nums = pd.to_numeric(s.str.replace(r"^\+", "", regex=True), errors="coerce")
    ok = (s == "") | (nums.notna() & np.isfinite(nums.fillna(0)))
    integral = nums.notna() & (nums == nums.round()) & (nums.abs() < 2**53)
    out = pd.Series("", index=s.index, dtype=object)
    out[integral] = nums[integral].astype("int64").astype(str)
    rest = nums.notna() & ~integral & ok
    out[rest] = nums[rest].map(repr)
    return out, ok


def ref_bool_literals(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    low = s.str.lower()
    out = pd.Series("", index=s.index, dtype=object)
    out[low.isin(_REF_TRUE)] = "true"
    out[low.isin(_REF_FALSE)] = "false"
    return out, (s == "") | (out != "")


def ref_date_literals(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    out = pd.Series("", index=s.index, dtype=object)
    filled = s != ""
    # one deliberate change from the frozen copy: a plain date is made of ASCII digits only (Python's \d took
    # other scripts' digits and sent "٢٠٢٤-01-01" on as it was); such values are now parsed like other dates
    plain = s.str.match(r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$")
    out[plain] = '"' + s[plain] + '"'
    filled &= ~plain
    if filled.any():
        parsed = pd.to_datetime(s[filled], errors="coerce", format="ISO8601", utc=True)
        if parsed.isna().any():
            retry = parsed.isna()
            parsed[retry] = pd.to_datetime(s[filled][retry], errors="coerce", format="mixed", utc=True)
        good = parsed.notna()
        out.loc[good[good].index] = '"' + parsed[good].dt.strftime("%Y-%m-%dT%H:%M:%S+00:00") + '"'
    return out, (s == "") | (out != "")


def ref_list_literal(value: str) -> str:
    if value.startswith("["):
        try:
            items = json.loads(value)
            if isinstance(items, list):
                return json.dumps([str(i) for i in items])
        except ValueError:
            pass
    if value.startswith('"'):  # by design (item 6): Mailchimp's TAGS cell is a CSV line ('"VIP","Blog"')
        try:
            return json.dumps([p.strip() for p in next(csv.reader([value], skipinitialspace=True)) if p.strip()])
        except (csv.Error, StopIteration):
            pass
    sep = ";" if ";" in value else "|" if "|" in value else ","
    return json.dumps([p.strip() for p in value.split(sep) if p.strip()])


def ref_is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_REF_TZ_LOWER = {name.lower(): name for name in _REF_TIMEZONES}


def ref_text_check(target: str, s: pd.Series) -> pd.Series:
    if target == "locale":
        return (s == "") | s.str.match(_REF_LOCALE)
    if target == "location.timezone":
        return (s == "") | s.isin(_REF_TIMEZONES)
    if target == "location.ip":
        return (s == "") | s.map(ref_is_ip).astype(bool)
    return pd.Series(True, index=s.index)


def ref_coordinate(target: str, s: pd.Series) -> tuple[pd.Series, pd.Series]:
    out, ok = _ref_plain_number_literals(s)
    nums = pd.to_numeric(s, errors="coerce")
    bound = 90 if target.endswith("latitude") else 180
    return out, ok & ((s == "") | (nums.abs() <= bound))


def _ref_phones(s: pd.Series, options: ValidationOptions, countries: pd.Series | None) -> tuple[Any, Any, Any]:
    # by design (item 5): each phone is read for its row's country (the mapped country column), else the default
    default = options.default_country.upper()
    row_country = countries if countries is not None else pd.Series("", index=s.index, dtype=object)
    codes = row_country.where(row_country != "", default)
    out, ok = pd.Series("", index=s.index, dtype=object), pd.Series(True, index=s.index)
    for country in codes.unique():
        at = codes == country
        part_out, part_ok = fields.check_phones(s[at], str(country))
        out[at], ok[at] = part_out, part_ok
    fix = pd.Series(validate.PHONE_OWN_CODE, index=s.index, dtype=object)
    for i in s.index:
        if not s[i].startswith("+"):
            why = "the row's country" if row_country[i] else "the default country"
            fix[i] = validate.PHONE_FIX.format(country=f"{codes[i]} ({why})")
    return out, ok, fix


def ref_encode_column(
    col: ColumnMapping, s: pd.Series, options: ValidationOptions, countries: pd.Series | None = None
) -> tuple[pd.Series, pd.Series, Any]:
    fixes = _REF_FIXES
    target = col.target
    if target == "email":
        out, ok = ref_check_emails(s)
        fix = s.map(_ref_email_fix) if len(s) else pd.Series([], dtype=object)
        return ref_json_strings(out).where(out != "", ""), ok, fix
    if target == "phone_number":
        out, ok, fix = _ref_phones(s, options, countries)
        return ref_json_strings(out).where(out != "", ""), ok, fix
    if target in ("location.latitude", "location.longitude"):
        out, ok = ref_coordinate(target, s)
        return out, ok, fixes[target]
    if col.is_property and col.type != "text":
        if col.type == "number":
            out, ok = ref_number_literals(s)
        elif col.type == "boolean":
            out, ok = ref_bool_literals(s)
        elif col.type == "date":
            out, ok = ref_date_literals(s)
        else:
            out, ok = s.map(lambda v: ref_list_literal(v) if v else ""), pd.Series(True, index=s.index)
        return out, ok, fixes.get(col.type, "")
    if target == "location.timezone":  # by design (item 6): Mailchimp writes "europe/zurich"
        s = s.map(lambda v: v if v in _REF_TIMEZONES else _REF_TZ_LOWER.get(v.lower(), v)) if len(s) else s
    ok = ref_text_check(target, s)
    return ref_json_strings(s).where(s != "", ""), ok, fixes.get(target, "")


def ref_dedupe_keys(values: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    keys = pd.Series("", index=index, dtype=object)
    for target in reversed(IDENTIFIER_FIELDS):
        if target in values:
            lit = values[target]
            present = lit != ""
            raw = lit[present].str.slice(1, -1)
            keys[present] = f"{target}:" + (raw.str.lower() if target == "email" else raw)
    return keys


def _ref_cells(frame: pd.DataFrame, col: ColumnMapping) -> pd.Series:
    s = frame[col.column].astype(str).str.strip()
    s = s.where(~s.str.lower().isin(_REF_BLANKS), "")
    if col.target in ("phone_number", "external_id"):  # by design: a spreadsheet's leading apostrophe is not data
        s = s.str.replace(r"^'([+0-9])", r"\1", regex=True)
    return s


def _ref_countries(frame: pd.DataFrame, mapping: Mapping) -> pd.Series | None:
    column = mapping.column_for("location.country")
    if column is None:
        return None
    s = frame[column].astype(str).str.strip()
    s = s.where(~s.str.lower().isin(_REF_BLANKS), "")
    return s.map(cells.country_code).astype(object) if len(s) else pd.Series([], dtype=object)


def ref_validate_chunk(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions) -> ValidatedChunk:
    # by design (item 4): a bad email rejects the row, so does a bad phone without a valid email; any other
    # bad cell is left out of the profile (the row stays valid) unless options.on_bad_field == "reject-row"
    values: dict[str, pd.Series] = {}
    problems: list[pd.DataFrame] = []
    bad = pd.Series(False, index=frame.index)
    has_email = pd.Series(False, index=frame.index)
    countries = _ref_countries(frame, mapping)
    for col in sorted(mapping.active(), key=lambda c: c.target != "email"):
        s = _ref_cells(frame, col)
        out, ok, fix = ref_encode_column(col, s, options, countries)
        if col.target == "email":
            has_email = (s != "") & ok
        if not ok.all():
            rows = ok[~ok].index
            reason = fix[rows].to_numpy() if isinstance(fix, pd.Series) else fix
            strict = col.target == "email" or options.on_bad_field == "reject-row"
            reject = ~ok if strict else (~ok & ~has_email if col.target == "phone_number" else ok & False)
            found = pd.DataFrame(
                {"row": rows, "column": col.column, "value": s[rows].str.slice(0, 100).to_numpy(), "reason": reason}
            )
            problems.append(found[reject[rows].to_numpy()])
            out = out.where(ok | reject, "")
            bad |= reject
        values[col.target] = out
    keys = ref_dedupe_keys(values, frame.index)
    no_id = (keys == "") & ~bad
    if no_id.any():
        rows = no_id[no_id].index
        problems.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "column": "",
                    "value": "",
                    "reason": "has no identifier; fill in an email, a phone number or an external id",
                }
            )
        )
        bad |= no_id
    good = ~bad
    found = pd.concat(problems, ignore_index=True) if problems else ref_no_problems()
    return ValidatedChunk(
        values={t: v[good] for t, v in values.items()},
        keys=keys[good],
        problems=found,
        rows=len(frame),
        rejected_rows=sorted(set(found["row"].tolist())),
    )


def ref_no_problems() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series([], dtype="int64"), "column": [], "value": [], "reason": []})


def _ref_text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _ref_concat(*parts: pa.Array | str) -> pa.Array:
    args = [_ref_text(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, _ref_text(""))


def _ref_fragment(prefix: str, lit: pd.Series) -> pa.Array:
    arr = pa.array(lit.to_numpy(dtype=object, na_value=""), type=pa.large_string())
    frag = _ref_concat(prefix, arr, ",")
    return pc.if_else(pc.equal(arr, ""), _ref_text(""), frag)


def _ref_joined(frags: list[pa.Array], length: int) -> pa.Array:
    if not frags:
        return pa.array([""] * length, type=pa.large_string())
    return pc.utf8_rtrim(_ref_concat(*frags), characters=",")


def ref_profile_json(values: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    top: list[pa.Array] = []
    groups: dict[str, list[pa.Array]] = {}
    for target, lit in values.items():
        group, _, name = target.partition(".") if "." in target else ("", "", target)
        frag = _ref_fragment('"' + json.dumps(name)[1:-1] + '":', lit)
        (groups.setdefault(group, []) if group else top).append(frag)
    for group, frags in groups.items():
        inner = _ref_joined(frags, len(index))
        top.append(pc.if_else(pc.equal(inner, ""), _ref_text(""), _ref_concat(f'"{group}":{{', inner, "},")))
    body = _ref_concat('{"type":"profile","attributes":{', _ref_joined(top, len(index)), "}}")
    return pd.Series(body.to_numpy(zero_copy_only=False), index=index, dtype=object)


def ref_identity_keys(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions) -> pd.Series:
    values: dict[str, pd.Series] = {}
    by_target = {c.target: c for c in mapping.active() if c.target in IDENTIFIER_FIELDS}
    email_given = pd.Series(False, index=frame.index)
    if "email" in by_target:
        s = _ref_cells(frame, by_target["email"])
        values["email"] = ref_encode_column(by_target["email"], s, options)[0]
        email_given = s != ""
    countries = _ref_countries(frame, mapping)
    for target in ("phone_number", "external_id"):
        if target not in by_target:
            continue
        s = _ref_cells(frame, by_target[target])
        needed = ~email_given
        lit = pd.Series("", index=frame.index, dtype=object)
        if needed.any():
            row_countries = countries[needed] if countries is not None else None
            lit[needed] = ref_encode_column(by_target[target], s[needed], options, row_countries)[0]
        values[target] = lit
    return ref_dedupe_keys(values, frame.index)


def ref_identity_hashes(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions) -> tuple[Any, Any]:
    keys = ref_identity_keys(frame, mapping, options)
    known = keys[keys != ""]
    if not len(known):
        return known.index.to_numpy(dtype=np.int64), np.array([], dtype=np.uint64)
    return known.index.to_numpy(dtype=np.int64), pd.util.hash_pandas_object(
        known, index=False, categorize=False
    ).to_numpy()


def ref_validate(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions, limits: Limits) -> _Validated:
    result = ref_validate_chunk(frame, mapping, options)
    rejected = "" if result.problems.empty else _rejected_text(_problem_reasons(result.problems))
    profiles = ref_profile_json(result.values, result.valid_index)
    sizes = profiles.str.len()
    too_big = sizes > limits.profile_bytes
    if too_big.any():
        reason = "the profile is larger than Klaviyo's 100 KB limit; shorten the longest cells"
        rejected += _rejected_text(pd.Series(reason, index=profiles.index[too_big]))
        profiles, sizes = profiles[~too_big], sizes[~too_big]
    return _Validated(
        rejected,
        profiles.index.to_numpy(dtype=np.int64),
        sizes.to_numpy(dtype=np.int64),
        profiles.tolist(),
        len(frame) - len(result.rejected_rows) - int(too_big.sum()),
    )
