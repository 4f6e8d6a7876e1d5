"""The fast phone path against phonenumbers itself, value by value, on a large generated set.

The reference is the per-value path check_phones used before phone_fast: parse, is_valid_number, E.164.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from klaviyo_core.profiles import phones as phone_fast
from klaviyo_core.profiles.fields import check_phones

DEFAULTS = ("US", "GB", "DE", "FR", "IN", "BR")
# Regions that share a calling code without being its main region: parse strips their own national prefix
# (AG and GG turn local numbers into national ones with a transform rule) but validates against all regions.
SHARING = ("AG", "GG")
JUNK = [
    "abc",
    "+",
    "++1",
    "++14155550123",
    "+1 (415) 555-0123 ext 5",
    "+1 415 555 0123 x5",
    "415-555-0123 #5",
    "415-555-0123;ext=5",
    "tel:+1-415-555-0123",
    "1-800-FLOWERS",
    "+1-800-FLOWERS",
    "(+1) 415 555 0123",
    "+(1) 415 555 0123",
    "+1 415 555 0123 / x 44",
    "\uff0b1 415 555 0123",
    "\u0664\u0661\u0665\u0665\u0665\u0665\u0660\u0661\u0662\u0663",
    "+\u0661\u0664\u0661\u0665\u0665\u0665\u0665\u0660\u0661\u0662\u0663",
    "4155550123\u00a0",
    "415\t555 0123",
    "0",
    "00",
    "000",
    "+0",
    "+00",
    "+000",
    "+01415555012",
    "+999123456",
    "+8001234567",
    "+80012345678",
    "+88213456789",
    "+979123456789",
    "+1" + "5" * 300,
    "4" * 251,
    "+" + "1" * 249,
    "+" + "1" * 250,
    "1" * 17,
    "1" * 18,
    "12",
    "1-2",
    "(1) 2",
    "123",
    "-415-555-0123-",
    "(415)555-0123",
    "415..555--0123",
    ".4155550123",
    "()4155550123",
    "+ 1 415 555 0123",
    "+1-415-555-0123.",
    "1 415 555 0123",
    "1-800-555-0199",
    "011 44 20 7946 0958",
    "011 0 20 7946 0958",
    "0011 44 20 7946 0958",
    "00 44 20 7946 0958",
    "0044 (0) 20 7946 0958",
    "+44 (0) 20 7946 0958",
    "44 20 7946 0958",
    "49 30 123456",
    "0049 30 123456",
    "33 1 42 68 53 00",
    "91 98765 43210",
    "55 11 91234 5678",
    "0 21 11 91234 5678",
    "0xx11 91234 5678",
    "014 11 91234 5678",
    "+55 0 11 91234 5678",
    "+7 8 495 123 45 67",
    "8 495 123 45 67",
    "+1 268 464 1234",
    "+1 1 268 464 1234",
    "268 464 1234",
    "4641234",
]


def slow(value: str, country: str) -> str | None:
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


@lru_cache(maxsize=1)
def _examples() -> tuple[tuple[str, phonenumbers.PhoneNumber], ...]:
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                found.append((region, example))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            found.append(("001", example))
    return tuple(found)


def _near_misses(rng: random.Random, e164: str) -> list[str]:
    """One digit more or less, changed leading digits, a national prefix written after the code."""
    number = phonenumbers.parse(e164)
    code, nsn = str(number.country_code), phonenumbers.national_significant_number(number)
    other = str((int(nsn[0]) + rng.randint(1, 9)) % 10)
    return [
        e164 + str(rng.randint(0, 9)),
        e164[:-1],
        f"+{code}{other}{nsn[1:]}",
        f"+{code}{nsn[:-2]}{_digits(rng, 2)}",
        f"+{code}{_digits(rng, 2)}{nsn[2:]}",
        f"+{code}0{nsn}",
        f"+{code}1{nsn}",
        f"+{code}8{nsn}",
        f"+{code}{code}{nsn}",
    ]


def _international_values(rng: random.Random) -> list[str]:
    """Written with +: random digits behind every calling code, example numbers and their near misses."""
    values = []
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        for length in range(0, 19):
            values.append(f"+{code}{_digits(rng, length)}")
            values.append(f"+{code}{rng.randint(1, 9)}{_digits(rng, max(length - 1, 0))}")
    for _, example in _examples():
        e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
        values.append(e164)
        values.append(phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL))
        values.extend(_near_misses(rng, e164))
    for length in range(1, 22):
        values.extend("+" + _digits(rng, length) for _ in range(6))
    return values


def _national_values(rng: random.Random, country: str) -> list[str]:
    """Written as a person in `country` would: national forms, international prefixes, random digits."""
    code = str(phonenumbers.country_code_for_region(country))
    values = []
    for region, example in _examples():
        nsn = phonenumbers.national_significant_number(example)
        values.append(phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL))
        values.append(nsn)
        if region == country:
            values.append(code + nsn)
            values.append(f"{code} {nsn[:-1]}")
            values.append(f"{code}0{nsn}")
            values.extend([nsn[-7:], nsn[-6:], "0" + nsn[-6:]])  # local numbers, as dialled within an area
        values.append(phonenumbers.format_out_of_country_calling_number(example, country))
    for length in range(1, 20):
        values.extend(_digits(rng, length) for _ in range(8))
        values.extend(code + _digits(rng, length) for _ in range(3))
        values.extend("0" + _digits(rng, length) for _ in range(3))
        values.extend("00" + _digits(rng, length) for _ in range(3))
        values.extend("011" + _digits(rng, length) for _ in range(3))
    return values


def _formatted(rng: random.Random, values: list[str]) -> list[str]:
    """A sample again with separators people type: (415) 555-0123, 415.555.0123, 415 555 0123."""
    out = []
    for value in rng.sample(values, min(len(values), 1500)):
        head = "+" if value.startswith("+") else ""
        digits = value.lstrip("+")
        if not digits.isdigit() or len(digits) < 4:
            continue
        cut = rng.randint(1, len(digits) - 2)
        sep = rng.choice([" ", "-", ".", ") ", "--"])
        lead = "(" if sep == ") " and not head else ""
        out.append(f"{head}{lead}{digits[:cut]}{sep}{digits[cut:]}")
    return out


def _compare(values: list[str], country: str) -> np.ndarray:
    """Assert fast == slow for every value; return which ones the fast path decided."""
    unique = list(dict.fromkeys(values))
    e164, valid, decided = phone_fast.e164_many(np.array(unique, dtype=object), country)
    mismatches = []
    for value, text, ok, done in zip(unique, e164, valid, decided, strict=True):
        if not done:
            continue
        expected = slow(value, country)
        got = text if ok else None
        if got != expected:
            mismatches.append((value, got, expected))
    assert not mismatches, f"{len(mismatches)} differ for {country}, e.g. {mismatches[:10]}"
    return decided


def test_fast_path_is_available() -> None:
    assert phone_fast.AVAILABLE, "phonenumbers' internals changed: every phone now takes the slow path"


def test_the_private_calls_name_the_pinned_phonenumbers() -> None:
    """phones.py calls private phonenumbers functions: the version it names is the one pinned and installed."""
    pins = (Path(__file__).resolve().parents[3] / "requirements.txt").read_text(encoding="utf-8")
    assert f"phonenumbers=={phone_fast.TESTED_WITH}" in pins.split()
    assert phonenumbers.__version__ == phone_fast.TESTED_WITH


def test_international_numbers_match_phonenumbers() -> None:
    rng = random.Random(1)
    values = _international_values(rng)
    values += _formatted(rng, values)
    decided = _compare(values, "US")  # with "+", the default region plays no part in what is decided
    assert decided.mean() > 0.9  # the fast path does the work


@pytest.mark.parametrize("country", DEFAULTS + SHARING)
def test_national_numbers_match_phonenumbers(country: str) -> None:
    rng = random.Random(country)
    values = _national_values(rng, country)
    values += _formatted(rng, values)
    values += JUNK
    decided = _compare(values, country)
    assert decided.mean() > 0.6


def test_every_e164_example_is_decided_fast() -> None:
    values = [phonenumbers.format_number(n, PhoneNumberFormat.E164) for _, n in _examples()]
    _, valid, decided = phone_fast.e164_many(np.array(values, dtype=object), "US")
    assert decided.all() and valid.all()


def test_junk_is_left_to_phonenumbers_or_agrees() -> None:
    for country in DEFAULTS:
        _compare(JUNK, country)


def test_unknown_default_region_decides_nothing() -> None:
    _, _, decided = phone_fast.e164_many(np.array(["+14155550123", "4155550123"], dtype=object), "ZZ")
    assert not decided.any()


@pytest.mark.parametrize("dtype", [object, "str"])
def test_check_phones_equals_the_per_value_path(dtype: object) -> None:
    rng = random.Random(7)
    values = [*JUNK, "", ""]
    values += rng.sample(_national_values(rng, "US"), 3000) + rng.sample(_international_values(rng), 3000)
    values += values[:500]  # repeats are decided once and handed to every row
    s = pd.Series(values, index=pd.RangeIndex(5, 5 + len(values)), dtype=dtype)
    out, ok = check_phones(s, "US")
    expected = [slow(v, "US") if v else "" for v in values]
    assert list(out) == [e or "" for e in expected]
    assert list(ok) == [e is not None for e in expected]
    assert out.dtype == s.dtype and ok.dtype == bool
    assert out.index.equals(s.index) and ok.index.equals(s.index)


def test_check_phones_missing_value_is_invalid_as_before() -> None:
    s = pd.Series(["+14155550123", None, ""], dtype=object)
    out, ok = check_phones(s, "US")
    assert list(out) == ["+14155550123", "", ""] and list(ok) == [True, False, True]
    out, ok = check_phones(pd.Series([None], dtype=object), "US")
    assert list(out) == [""] and list(ok) == [False]
