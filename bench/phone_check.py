"""How long check_phones takes on 200,000 distinct phone numbers: phonenumbers value by value (the path
before phone_fast) against check_phones now, for E.164 numbers and for mixed US national formats.
Prints figures; asserts nothing beyond both paths agreeing.

Run: python bench/phone_check.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

from klaviyo_core.profiles import phones as phone_fast
from klaviyo_core.profiles.fields import _phone, check_phones

AREAS = ("415", "212", "646", "312", "617", "202", "305", "713", "206", "503")
CHUNK = 4_000  # phone cells in one 20,000-row preparation chunk when one row in five has a phone


def per_value(s: pd.Series, country: str) -> tuple[pd.Series, pd.Series]:
    """check_phones as it was before phone_fast: phonenumbers for each distinct value."""
    empty = s == ""
    out = s.copy()
    ok = empty.copy()
    if (~empty).any():
        parsed = s[~empty].map(lambda v: _phone(v, country))
        out[~empty] = parsed.fillna("")
        ok[~empty] = parsed.notna()
    return out, ok


def e164_numbers(rng: np.random.Generator, rows: int) -> pd.Series:
    subscriber = rng.choice(np.arange(2_000_000, 10_000_000), rows, replace=False)
    return pd.Series([f"+1415{x}" for x in subscriber])


def national_numbers(rng: np.random.Generator, rows: int) -> pd.Series:
    subscriber = rng.choice(np.arange(2_000_000, 10_000_000), rows, replace=False)
    styles = ("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{a}{b}{c}", "+1 {a} {b} {c}")
    values = []
    for i, x in enumerate(subscriber):
        digits = str(x)
        values.append(styles[i % len(styles)].format(a=AREAS[i % len(AREAS)], b=digits[:3], c=digits[3:]))
    return pd.Series(values)


def timed(fn, s: pd.Series) -> tuple[float, tuple[pd.Series, pd.Series]]:
    _phone.cache_clear()
    started = time.perf_counter()
    result = fn(s, "US")
    return time.perf_counter() - started, result


def in_chunks(s: pd.Series, country: str) -> tuple[pd.Series, pd.Series]:
    parts = [check_phones(s.iloc[i : i + CHUNK], country) for i in range(0, len(s), CHUNK)]
    return pd.concat([p[0] for p in parts]), pd.concat([p[1] for p in parts])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    rng = np.random.default_rng(20_260_101)
    phone_fast.e164_many(np.array(["+14155550123", "4155550123"], dtype=object), "US")  # rules built once
    for name, s in (("E.164 (+1415...)", e164_numbers(rng, rows)), ("US national, mixed", national_numbers(rng, rows))):
        before, (out_a, ok_a) = timed(per_value, s)
        after, (out_b, ok_b) = timed(check_phones, s)
        chunked, (out_c, ok_c) = timed(in_chunks, s)
        assert out_a.equals(out_b) and ok_a.equals(ok_b) and out_a.equals(out_c) and ok_a.equals(ok_c)
        _, _, decided = phone_fast.e164_many(s.to_numpy(dtype=object), "US")
        print(
            f"{name}: {rows:,} distinct, {ok_b.mean():.1%} valid, {decided.mean():.1%} decided by phone_fast | "
            f"per value {before:.2f} s, check_phones {after:.2f} s ({before / after:.0f}x), "
            f"in chunks of {CHUNK:,} {chunked:.2f} s"
        )


if __name__ == "__main__":
    main()
