"""The Arrow fast parse gives exactly what the exact reader gives, or declines."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from klaviyo_core.csvfile.fast import parse_plain_block
from klaviyo_core.csvfile.reader import CsvReader

HEADER = "Email,First Name,Phone,Points"


def exact(path: Path) -> tuple[pd.DataFrame, list[int], list[int]]:
    with CsvReader(path, chunk_rows=10_000) as reader:
        chunks = list(reader)
    frame = pd.concat([c.frame for c in chunks])
    return frame, [e for c in chunks for e in c.empty_lines], [r.line for c in chunks for r in c.ragged]


def fast(path: Path, encoding: str = "utf-8", delimiter: str = ","):  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    body = data[data.index(b"\n") + 1 :]
    return parse_plain_block(body, 2, encoding, delimiter, HEADER.split(delimiter))


@pytest.mark.parametrize("seed", range(12))
def test_plain_blocks_parse_like_the_exact_reader(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    cells = ["", " ", "a", "Zoë", "x@y.co", "+1 415", "=1+1", "\t", "\u00a0", "ü ü", "1.5", "   "]
    end = rnd.choice(["\n", "\r\n"])
    rows = [",".join(rnd.choice(cells) for _ in range(4)) for _ in range(rnd.randint(1, 60))]
    rows += [",,,", " ,,,", ",\u2003, ,"]
    rnd.shuffle(rows)
    path = tmp_path / "f.csv"
    path.write_bytes((HEADER + end + end.join(rows) + rnd.choice([end, ""])).encode("utf-8"))
    frame, empty, ragged = exact(path)
    got = fast(path)
    assert got is not None and not ragged
    assert got.frame.index.tolist() == frame.index.tolist()
    assert got.frame.astype(object).values.tolist() == frame.astype(object).values.tolist()
    assert got.empty_lines == empty
    assert list(got.frame.columns) == HEADER.split(",")


@pytest.mark.parametrize(
    "body",
    [
        'a@x.com,"Ann",,1\n',  # a quote
        "a@x.com,Ann,,1\n\nb@x.com,Bo,,2\n",  # a blank line
        "a@x.com,Ann,,1,extra\n",  # ragged
        "a@x.com,Ann,1\n",  # short
        "a@x.com,Ann,,1\rb@x.com,Bo,,2\r",  # CR-only endings
        "a@x.com,A\x00nn,,1\n",  # NUL
        "",
    ],
)
def test_anything_else_is_declined(tmp_path: Path, body: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes((HEADER + "\n" + body).encode("utf-8"))
    assert fast(path) is None


def test_windows_1252_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(("Email;First Name;Phone;Points\na@x.com;Zoë;;1\nb@x.com;Ærø;;2\n").encode("cp1252"))
    data = path.read_bytes()
    got = parse_plain_block(data[data.index(b"\n") + 1 :], 2, "cp1252", ";", HEADER.split(","))
    assert got is not None and got.frame["First Name"].tolist() == ["Zoë", "Ærø"]
