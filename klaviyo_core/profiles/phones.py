"""Phone numbers decided many at a time, with exactly the answer `phonenumbers.parse` + `is_valid_number` +
`format_number(E164)` would give, for the ways people usually write them.

Why: phonenumbers parses one value at a time in pure Python (~30 µs a value); on a million-row file with a
phone column that is the biggest single cost of preparing an import. Most values are written in a handful
of shapes ("+14155550123", "(415) 555-0123", "+1 415 555 0123", "0044 20 7946 0958"), and for those the
whole of `parse` comes down to: keep the digits, find the country calling code, maybe strip a national
prefix; and `is_valid_number` comes down to a few regular expressions from the region's metadata. Those
regular expressions are built here from phonenumbers' own metadata (lazily, once per calling code), so a
metadata update changes both paths alike.

What is reproduced and how:
- Shape: a value that is "+"? then only ASCII digits, spaces, "-", ".", "(" and ")" (with at least three
  digits and at most 250 characters) is parsed by phonenumbers as its digit string alone: no extension, no
  letters, no RFC 3966 parts can be found in it, and it is always a viable number. Any other value is left
  to phonenumbers.
- "+" and digits: the calling code is the shortest 1-3 digit prefix that phonenumbers knows (none: left to
  phonenumbers, which then retries without the "+").
- Without "+": numbers that start with the default region's international prefix or with its calling code
  go through phonenumbers' own `_maybe_extract_country_code` (they are few); the others are national
  numbers of the default region.
- The national prefix is stripped by phonenumbers' own `_maybe_strip_national_prefix_carrier_code`, only
  for the values whose start matches the region's prefix pattern, and kept under the same length rule as
  `parse` (`_test_number_length`, tabulated per length).
- Validity: one regular expression per region whose full match means `_number_type_helper(...) !=
  UNKNOWN` (the general pattern and lengths, then any of the type patterns with their lengths, mobile only
  where phonenumbers checks it), and for calling codes shared by several regions the region is chosen as
  `_region_code_for_number_from_list` does (leading digits, else the first region where it is valid).

Whatever this module cannot decide with certainty it reports as undecided; the caller asks phonenumbers.
If phonenumbers' internals this relies on ever change name, nothing is decided here (see `AVAILABLE`),
and a test notices.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata, PhoneNumber, phonenumberutil

# Private phonenumbers functions and constants, written against phonenumbers==9.0.43 (the pin in
# requirements.txt; TESTED_WITH below, checked by tests/core/profiles/test_phone_fast.py) and compared value by
# value with phonenumbers itself there. Before raising the pin, rerun that differential test.
TESTED_WITH = "9.0.43"
_INTERNALS = (
    "_maybe_extract_country_code",
    "_maybe_strip_national_prefix_carrier_code",
    "_test_number_length",
    "_MAX_INPUT_STRING_LENGTH",
    "_MIN_LENGTH_FOR_NSN",
    "_MAX_LENGTH_FOR_NSN",
)
AVAILABLE = all(hasattr(phonenumberutil, name) for name in _INTERNALS) and hasattr(phonenumberutil, "ValidationResult")

# Values phonenumbers reads as their digits alone; "+" only in front (see the module docstring).
_SHAPE = r"^\+?[0-9 ().\-]+$"
_LITERALS = re.compile(r"[0-9]+(?:\|[0-9]+)*")  # a prefix pattern that is only literal digit strings
_MIN_DIGITS = 3  # fewer digits may be a two-digit "short number" or not viable at all: phonenumbers decides
_MAX_INPUT = getattr(phonenumberutil, "_MAX_INPUT_STRING_LENGTH", 250)
_MIN_NSN = getattr(phonenumberutil, "_MIN_LENGTH_FOR_NSN", 2)
_MAX_NSN = getattr(phonenumberutil, "_MAX_LENGTH_FOR_NSN", 17)
# The number types _number_type_helper tries; any match (with the general one) makes a number valid.
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)
_NON_GEO = phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY


def _desc_regex(desc: phonenumbers.PhoneNumberDesc | None) -> str | None:
    """A regex whose full match is `_is_number_matching_desc(nsn, desc)`, or None if nothing matches."""
    if desc is None or not desc.national_number_pattern:
        return None
    body = f"(?:{desc.national_number_pattern})"
    if len(desc.possible_length) == 0:
        return body
    lengths = sorted({n for n in desc.possible_length if n > 0})
    if not lengths:
        return None
    return "(?=(?:" + "|".join(f"[0-9]{{{n}}}" for n in lengths) + r")\Z)" + body


def _valid_regex(meta: PhoneMetadata) -> re.Pattern[str] | None:
    """Full match <=> `_number_type_helper(nsn, meta) != UNKNOWN`, for strings of ASCII digits."""
    general = _desc_regex(meta.general_desc)
    types = []
    for name in _TYPES:
        if name == "mobile" and meta.same_mobile_and_fixed_line_pattern:
            continue  # phonenumbers never looks at mobile then
        found = _desc_regex(getattr(meta, name))
        if found is not None:
            types.append(found)
    if general is None or not types:
        return None
    # The general pattern as a look-ahead over the whole string, then one of the types over the whole string.
    return re.compile(f"(?={general}\\Z)(?:{'|'.join(types)})")


@dataclass(frozen=True)
class _Rules:
    """One region's metadata, as the fast path asks it."""

    region: str
    meta: PhoneMetadata
    valid: re.Pattern[str] | None  # full match: a valid number of this region (None: never)
    leading: re.Pattern[str] | None  # metadata.leading_digits, for regions sharing a calling code
    keep_stripped: frozenset[int]  # NSN lengths for which parse keeps the number with its prefix stripped
    exact: bool  # False when a rule here would make phonenumbers itself fail: leave those numbers to it


def _rules(region: str, meta: PhoneMetadata, country_code: int) -> _Rules:
    exact = True
    valid = _valid_regex(meta)
    if region != _NON_GEO and meta.country_code != country_code:
        valid = None  # is_valid_number_for_region refuses a region of another calling code
    prefix = meta.national_prefix_for_parsing
    if prefix and meta.national_prefix_transform_rule and re.compile(prefix).groups == 0:
        exact = False  # phonenumbers would index an empty group tuple here
    keep: set[int] = set()
    result = phonenumberutil.ValidationResult
    refused = (result.TOO_SHORT, result.IS_POSSIBLE_LOCAL_ONLY, result.INVALID_LENGTH)
    try:
        for length in range(_MAX_INPUT + 1):  # the length test looks at the length alone
            # private in phonenumbers 9.0.43 (TESTED_WITH): the length rule `parse` applies
            if phonenumberutil._test_number_length("0" * length, meta) not in refused:
                keep.add(length)
    except IndexError:  # a region without possible lengths: phonenumbers itself would fail
        exact = False
    leading = re.compile(meta.leading_digits) if meta.leading_digits is not None else None
    return _Rules(region, meta, valid, leading, frozenset(keep), exact)


@dataclass(frozen=True)
class _Code:
    """A calling code: the rules parse strips national prefixes by, and the regions validation chooses from."""

    code: int
    main: _Rules  # region_code_for_country_code(code): its metadata is used by parse
    choices: tuple[_Rules | None, ...]  # region_code_for_number's candidates, in order (None: no metadata)

    @property
    def exact(self) -> bool:
        return self.main.exact


@cache
def _region_rules(region: str) -> _Rules | None:
    meta = PhoneMetadata.metadata_for_region(region, None)
    return None if meta is None or meta.country_code is None else _rules(region, meta, meta.country_code)


@cache
def _code_rules(code: int) -> _Code | None:
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions:
        return None
    main_meta = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
    if main_meta is None:
        return None
    main = _rules(regions[0], main_meta, code)
    if len(regions) == 1:
        return _Code(code, main, (main,))
    # _region_code_for_number_from_list reads each region's own metadata (None is skipped)
    choices = []
    for region in regions:
        meta = PhoneMetadata.metadata_for_region(region.upper(), None)
        choices.append(None if meta is None else _rules(region, meta, code))
    return _Code(code, main, tuple(choices))


@lru_cache(maxsize=1)
def _calling_codes() -> pa.Array:
    return pa.array(sorted(str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE), type=pa.string())


def _valid_nsn(code: _Code, nsn: list[str]) -> np.ndarray:
    """is_valid_number for numbers of this calling code, given their national significant numbers."""
    result = np.zeros(len(nsn), dtype=bool)
    if len(code.choices) == 1:
        rules = code.choices[0]
        if rules is not None and rules.valid is not None:
            full = rules.valid.fullmatch
            result = np.fromiter((full(x) is not None for x in nsn), dtype=bool, count=len(nsn))
        return result
    undecided = np.arange(len(nsn))
    for rules in code.choices:
        if rules is None or not len(undecided):
            continue
        sub = [nsn[i] for i in undecided]
        if rules.leading is not None:  # the region is chosen by its leading digits alone
            match = rules.leading.match
            chosen = np.fromiter((match(x) is not None for x in sub), dtype=bool, count=len(sub))
            if rules.valid is not None and chosen.any():
                full = rules.valid.fullmatch
                picked = undecided[chosen]
                result[picked] = [full(nsn[i]) is not None for i in picked]
        else:  # the region is chosen when the number is valid there
            if rules.valid is None:
                continue
            full = rules.valid.fullmatch
            chosen = np.fromiter((full(x) is not None for x in sub), dtype=bool, count=len(sub))
            result[undecided[chosen]] = True
        undecided = undecided[~chosen]
    return result


def _at_start(strings: pa.Array, pattern: str) -> np.ndarray:
    """Where `re.match(pattern, s)` finds a match (at the start); a pattern that is only literal digits or
    alternatives of them ("0", "00", "0|180020") is decided by Arrow without a Python loop."""
    if _LITERALS.fullmatch(pattern):
        hit = np.zeros(len(strings), dtype=bool)
        for literal in pattern.split("|"):
            hit |= pc.starts_with(strings, literal).to_numpy(zero_copy_only=False)
        return hit
    match = _compiled(pattern).match
    return np.fromiter((match(x) is not None for x in strings.to_pylist()), dtype=bool, count=len(strings))


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _finish(code: _Code, strip: _Rules, nsn0: pa.Array) -> tuple[np.ndarray, list[str]]:
    """(valid, E.164 or "") once parse has found the calling code: the tail of `parse`, then validation.

    `strip` is the metadata parse strips the national prefix by (the default region's when no calling code
    was written, else the calling code's main region).
    """
    nsn = nsn0.to_pylist()
    lengths = pc.utf8_length(nsn0).to_numpy(zero_copy_only=False).astype(np.int64)
    long_enough = lengths >= _MIN_NSN  # shorter: TOO_SHORT_NSN, before any prefix is stripped
    if strip.meta.national_prefix_for_parsing:
        for i in np.flatnonzero(long_enough & _at_start(nsn0, strip.meta.national_prefix_for_parsing)):
            # private in phonenumbers 9.0.43 (TESTED_WITH): the prefix stripping `parse` does
            _, stripped, _ = phonenumberutil._maybe_strip_national_prefix_carrier_code(nsn[i], strip.meta)
            if len(stripped) in strip.keep_stripped:
                nsn[i] = stripped
                lengths[i] = len(stripped)
    fits = long_enough & (lengths >= _MIN_NSN) & (lengths <= _MAX_NSN)
    if fits.all():
        valid = _valid_nsn(code, nsn)
    else:
        valid = np.zeros(len(nsn), dtype=bool)
        idx = np.flatnonzero(fits)
        if len(idx):
            valid[idx] = _valid_nsn(code, [nsn[i] for i in idx])
    plus = f"+{code.code}"
    return valid, [plus + x if ok else "" for x, ok in zip(nsn, valid.tolist(), strict=True)]


class _Groups:
    """Numbers whose calling code is known, gathered by (calling code, region whose national prefix parse strips)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, str], list[np.ndarray]] = {}
        self.nsn: dict[tuple[int, str], list[pa.Array]] = {}

    def add(self, code: int, strip: str, rows: np.ndarray, nsn: pa.Array) -> None:
        self.rows.setdefault((code, strip), []).append(rows)
        self.nsn.setdefault((code, strip), []).append(nsn)

    def items(self) -> Iterator[tuple[int, str, np.ndarray, pa.Array]]:
        for (code, strip), rows in self.rows.items():
            yield code, strip, np.concatenate(rows), pa.concat_arrays(self.nsn[(code, strip)])


def _ascii_digits(arr: pa.StringArray) -> pa.StringArray:
    """Each string with everything but its ASCII digits removed (nulls become ""), without a Python loop.

    In UTF-8 the bytes 0x30-0x39 are never part of a longer character, so keeping them byte by byte is exact.
    """
    _, offset_buffer, data_buffer = arr.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    data = data[offsets[0] : offsets[-1]]
    keep = (data >= 0x30) & (data <= 0x39)
    kept = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    new_offsets = kept[offsets - offsets[0]].astype(np.int32)
    out = pa.StringArray.from_buffers(len(arr), pa.py_buffer(new_offsets), pa.py_buffer(data[keep].tobytes()))
    return out


def _written_with_plus(digits: pa.Array, rows: np.ndarray, groups: _Groups) -> None:
    """ "+" then digits: the calling code is the shortest known 1-3 digit prefix (none: left undecided,
    phonenumbers then retries without the "+")."""
    d = digits.take(pa.array(rows))
    code_text = pa.nulls(len(rows), pa.string())
    for width in (3, 2, 1):  # the shortest known prefix wins, as in _extract_country_code
        head = pc.utf8_slice_codeunits(d, 0, width)
        code_text = pc.if_else(pc.is_in(head, value_set=_calling_codes()), head, code_text)
    codes = pc.fill_null(pc.cast(code_text, pa.int64()), 0).to_numpy(zero_copy_only=False)
    for code in np.unique(codes[codes > 0]).tolist():
        rules = _code_rules(code)
        if rules is None or not rules.exact:
            continue
        picked = np.flatnonzero(codes == code)
        nsn = pc.utf8_slice_codeunits(d.take(pa.array(picked)), len(str(code)))
        groups.add(code, rules.main.region, rows[picked], nsn)


def _written_without_plus(
    digits: pa.Array, rows: np.ndarray, home: _Rules, code: int, groups: _Groups, decided: np.ndarray
) -> None:
    """No "+": a national number of the default region, unless it starts with the region's international
    prefix or its calling code; those few go through phonenumbers' own _maybe_extract_country_code."""
    meta = home.meta
    d = digits.take(pa.array(rows))
    special = pc.starts_with(d, str(code)).to_numpy(zero_copy_only=False)
    if meta.international_prefix is not None:
        special |= _at_start(d, meta.international_prefix)
    plain = np.flatnonzero(~special)
    groups.add(code, home.region, rows[plain], d.take(pa.array(plain)))
    picked = np.flatnonzero(special)
    for row, number in zip(rows[picked].tolist(), d.take(pa.array(picked)).to_pylist(), strict=True):
        try:
            # private in phonenumbers 9.0.43 (TESTED_WITH): the calling-code search `parse` does
            found, nsn = phonenumberutil._maybe_extract_country_code(number, meta, False, PhoneNumber())
        except phonenumbers.NumberParseException:
            decided[row] = True  # parse fails too (no "+" to retry without): not valid
            continue
        if found == 0:  # no calling code after all: a national number
            groups.add(code, home.region, np.array([row]), pa.array([number], pa.string()))
            continue
        rules = _code_rules(found)
        if rules is not None and rules.exact:
            groups.add(found, rules.main.region, np.array([row]), pa.array([nsn], pa.string()))


def e164_many(values: Sequence[str] | np.ndarray, country: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(E.164 or "", valid, decided) per value, as phonenumbers would parse it with `country` as default.

    Values not decided (valid and E.164 then mean nothing) must be asked of phonenumbers.
    """
    n = len(values)
    e164 = np.full(n, "", dtype=object)
    valid = np.zeros(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)
    home = _region_rules(country) if AVAILABLE and country in phonenumbers.SUPPORTED_REGIONS else None
    home_code = _code_rules(home.meta.country_code) if home is not None else None
    if n == 0 or home is None or home_code is None or not (home.exact and home_code.exact):
        return e164, valid, decided

    try:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all strings: phonenumbers answers (or fails) as before
        return e164, valid, decided
    digits = _ascii_digits(arr)
    shaped = pc.and_(pc.match_substring_regex(arr, _SHAPE), pc.less_equal(pc.utf8_length(arr), _MAX_INPUT))
    shaped = pc.fill_null(pc.and_(shaped, pc.greater_equal(pc.utf8_length(digits), _MIN_DIGITS)), False)
    plus = pc.fill_null(pc.starts_with(arr, "+"), False)
    shaped_np = shaped.to_numpy(zero_copy_only=False)
    plus_np = plus.to_numpy(zero_copy_only=False)

    groups = _Groups()
    intl = np.flatnonzero(shaped_np & plus_np)
    if len(intl):
        _written_with_plus(digits, intl, groups)
    local = np.flatnonzero(shaped_np & ~plus_np)
    if len(local):
        _written_without_plus(digits, local, home, home_code.code, groups, decided)

    for code, strip, rows, nsn0 in groups.items():
        rules = _code_rules(code)
        if rules is None:
            continue
        strip_rules = rules.main if strip == rules.main.region else _region_rules(strip)
        if strip_rules is None or not strip_rules.exact:
            continue
        ok, text = _finish(rules, strip_rules, nsn0)
        valid[rows] = ok
        e164[rows] = text
        decided[rows] = True
    return e164, valid, decided
