"""Raw byte blocks parsed one by one give exactly what CsvReader gives for the whole file.

Every test is differential: CsvReader over the file is the reference, and the blocks (cut by
iter_raw_blocks, pickled as they would be to a worker, parsed by parse_block) must give the same rows,
lines, ragged rows, empty lines and file errors, whatever the block size.
"""

from __future__ import annotations

import codecs
import csv
import io
import pickle
import random
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from klaviyo_core.csvfile import blocks
from klaviyo_core.csvfile.blocks import RawBlock, blocks_supported, iter_raw_blocks, parse_block
from klaviyo_core.csvfile.reader import MAX_FIELD_CHARS, CsvReader
from klaviyo_core.csvfile.sniff import CsvError, CsvFormat, detect_format
from klaviyo_core.profiles.workers import map_in_order


@dataclass
class Outcome:
    rows: list[tuple[int, tuple[str, ...]]]
    ragged: list[tuple[int, int, int, tuple[str, ...], str]]
    empty: list[int]
    error: tuple[str, int | None] | None = None

    def __eq__(self, other: object) -> bool:
        """On a file error, only the error counts: the rows seen before it depend on the chunk size."""
        if not isinstance(other, Outcome):
            return NotImplemented
        if self.error or other.error:
            return self.error == other.error
        return (self.rows, self.ragged, self.empty) == (other.rows, other.ragged, other.empty)


def _collect(chunks: object, columns: tuple[str, ...]) -> Outcome:
    out = Outcome([], [], [])
    try:
        for chunk in chunks:  # type: ignore[attr-defined]
            frame = chunk.frame
            assert list(frame.columns) == list(columns) and frame.index.name == "row"
            assert frame.index.dtype == "int64" and all(frame[c].dtype == object for c in columns)
            out.rows += [(int(i), tuple(v)) for i, v in zip(frame.index, frame.itertuples(index=False), strict=True)]
            out.ragged += [(r.line, r.expected, r.found, r.cells, r.reason) for r in chunk.ragged]
            out.empty += chunk.empty_lines
    except CsvError as exc:
        out.error = (str(exc), exc.line)
    return out


def _reference(path: Path, fmt: CsvFormat) -> Outcome:
    with CsvReader(path, fmt, chunk_rows=7) as reader:
        return _collect(reader, reader.header.columns)


def _blocks(path: Path, fmt: CsvFormat, target_rows: int, max_bytes: int | None = None) -> list[RawBlock]:
    with CsvReader(path, fmt) as reader:
        body_line = reader.body_line
    extra = {} if max_bytes is None else {"max_block_bytes": max_bytes}
    return list(iter_raw_blocks(path, fmt, body_line, target_rows=target_rows, **extra))


def _via_blocks(path: Path, fmt: CsvFormat, target_rows: int, max_bytes: int | None = None) -> Outcome:
    with CsvReader(path, fmt) as reader:
        columns, body_line = reader.header.columns, reader.body_line
    extra = {} if max_bytes is None else {"max_block_bytes": max_bytes}
    blocks = iter_raw_blocks(path, fmt, body_line, target_rows=target_rows, **extra)
    # pickled as on the way to a worker process
    return _collect((parse_block(pickle.loads(pickle.dumps(b)), fmt, columns) for b in blocks), columns)


def _check_blocks(path: Path, fmt: CsvFormat, target_rows: int) -> None:
    """The blocks are the file after the header, in order, numbered by csv.reader's physical lines."""
    with CsvReader(path, fmt) as reader:
        body_line = reader.body_line
    blocks = _blocks(path, fmt, target_rows)
    data = path.read_bytes()
    assert b"".join(b.data for b in blocks) == data[len(data) - sum(len(b.data) for b in blocks) :]
    text = data.decode(fmt.encoding, errors="replace")
    lines = list(io.StringIO(text, newline=""))
    if blocks:
        head = "".join(lines[: body_line - 1])
        assert len(head.encode(fmt.encoding, errors="replace")) + sum(len(b.data) for b in blocks) == len(data)
    line = body_line
    for i, block in enumerate(blocks):
        assert block.index == i and block.first_line == line and block.data
        line += len(list(io.StringIO(block.data.decode("latin-1"), newline="")))
        if i < len(blocks) - 1:
            assert block.data.endswith((b"\n", b"\r"))


def _same(path: Path, fmt: CsvFormat | None = None, sizes: tuple[int, ...] = (1, 2, 3, 5, 20_000)) -> Outcome:
    fmt = fmt or detect_format(path)
    expected = _reference(path, fmt)
    for size in sizes:
        assert _via_blocks(path, fmt, size) == expected, f"target_rows={size}"
        if expected.error is None:
            _check_blocks(path, fmt, size)
    return expected


def _write(tmp_path: Path, data: bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


CORPUS: dict[str, bytes] = {
    "plain": b"email,name,city\n" + b"".join(b"u%d@example.com,N%d,Paris\n" % (i, i) for i in range(40)),
    "quoted_newlines": (
        b'email,note\na@example.com,"two\nlines"\nb@example.com,"three\n\nlines"\n'
        b'c@example.com,"x"\n"d@example.com","a\nb\nc\nd\ne"\ne@example.com,plain\n'
    ),
    "doubled_quotes": (
        b'email,note\na@example.com,"say ""hi"""\nb@example.com,""""\nc@example.com,""\n'
        b'd@example.com,"""\nquoted newline"""\ne@example.com,"a"",""b"\n'
    ),
    "crlf": b'email,note\r\na@example.com,"two\r\nlines"\r\nb@example.com,ok\r\n\r\nc@example.com,x\r\n',
    "mixed_endings": b'email,note\na@example.com,one\r\nb@example.com,"x\ry"\nc@example.com,z\r\r\nd@example.com,w\n',
    "bom": codecs.BOM_UTF8 + "Email;Name\nzoë@example.com;Zoë\n\ufeffb@example.com;B\n".encode(),
    "semicolon": b'email;name\na@example.com;"Smith; Jo"\nb@example.com;B,C\n',
    "tab": b'email\tname\na@example.com\t"tab\there"\nb@example.com\tB\n',
    "pipe": b'email|name\na@example.com|"x|y"\nb@example.com|B\n',
    "excel_sep": b'sep=;\r\nemail;name\r\na@example.com;Ann, Jr\r\nb@example.com;"B\r\nC"\r\n',
    "blank_lines": b"\n\nemail,name\n\n\na@example.com,A\n\n\r\nb@example.com,B\n\n",
    "empty_rows": b"email,name,city\n,,\na@example.com,A,P\n , ,\n,\n,,,\n\t,,\n",
    "ragged": b"email,name\na@example.com,A\nb@example.com,B,extra\nc@example.com\n,\n\nd@example.com,D\n",
    "stray_quote_open": b'email,name\n"a@example.com,"Ann\nb@example.com,Bob\nc@example.com,"multi\nline"\n',
    "stray_quote_inch": (
        b'email,tv\na@example.com,55" screen\nb@example.com,"quoted\nnewline"\nc@example.com,32" tv\n'
        b'd@example.com,"x\ny"\ne@example.com,plain\n'
    ),
    "stray_then_quoted": b'email,note\na@example.com,b"c\nd@example.com,"multi\nline"\ne@example.com,ok\n',
    "stray_space_quote": b'email,note\na@example.com, "spaced\nb@example.com,ok"\nc@example.com,z\n',
    "stray_swallows_lines": b'email,note\na@example.com,x"y,"open\nstill\nclosed"z\nb@example.com,ok\n',
    "never_closed": b'email,name\na@example.com,"Ann\nb@example.com,Bob\nc@example.com,Cy\n',
    "never_closed_at_end": b'email,name\na@example.com,Ann\nb@example.com,"Bob',
    "no_trailing_newline": b'email,name\na@example.com,Ann\nb@example.com,"Bob\nBobson"',
    "no_trailing_newline_plain": b"email,name\na@example.com,Ann\nb@example.com,Bob",
    "trailing_cr": b"email,name\ra@example.com,Ann\nb@example.com,Bob\r",
    "header_only": b"email,first_name\n",
    "header_only_no_newline": b"email,first_name",
    "header_with_quoted_newline": b'"e\nmail",name\na@example.com,Ann\n',
    "header_after_empty_rows": b",,\n\n,\nemail,name\na@example.com,A\n",
    "cr_only": b'email,name\ra@example.com,"A\rB"\rb@example.com,B\r',
    "unicode_separators": "email,note\na@example.com,x\x0by\x0cz\u2028w\x1cv\x85u\nb@example.com,ok\n".encode(),
    "nul_bytes": b"email,note\n" + b"x@example.com,ok\n" * 5000 + b'a@example.com,x\x00y\nb@example.com,"q\x00\nr"\n',
    "quote_at_line_end": b'email,note\na@example.com,""\nb@example.com,"""\n"""\nc@example.com,"a""\n"\n',
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_blocks_match_reader(tmp_path: Path, name: str) -> None:
    data = CORPUS[name]
    _same(_write(tmp_path, data), sizes=(1, 2, 3, 5, 20_000) if len(data) < 10_000 else (700, 20_000))


def test_cp1252_bytes(tmp_path: Path) -> None:
    body = 'Email;Name;Note\nj@example.com;José;«guillemets» €\nm@example.com;Müller;"quoted\n€ newline"\n'
    path = _write(tmp_path, body.encode("cp1252"))
    fmt = detect_format(path)
    assert fmt.encoding == "cp1252" and blocks_supported(fmt, path)
    expected = _same(path, fmt)
    assert [cells[1] for _, cells in expected.rows] == ["José", "Müller"]


def test_latin1_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path, b"email,name\na@example.com,\x81\x8d\xe9\nb@example.com,ok\n")
    fmt = detect_format(path)
    assert fmt.encoding == "latin-1" and blocks_supported(fmt, path)
    _same(path, fmt)


def test_expected_results_on_a_few_files(tmp_path: Path) -> None:
    """The reference itself says what the brief expects (so the differential tests compare the right thing)."""
    out = _same(_write(tmp_path, CORPUS["stray_quote_inch"], "a.csv"))
    assert [line for line, _ in out.rows] == [2, 3, 5, 6, 8]
    assert out.rows[0][1] == ("a@example.com", '55" screen')
    out = _same(_write(tmp_path, CORPUS["stray_quote_open"], "b.csv"))
    assert [r[0] for r in out.ragged] == [2] and "line 2 is malformed" in out.ragged[0][4]
    assert [line for line, _ in out.rows] == [3, 4]
    out = _same(_write(tmp_path, CORPUS["never_closed"], "c.csv"))
    assert out.error is not None and "A quote opened on line 2 is never closed" in out.error[0]
    out = _same(_write(tmp_path, CORPUS["ragged"], "d.csv"))
    assert [(r[0], r[2]) for r in out.ragged] == [(3, 3), (4, 1)] and out.empty == [5]
    out = _same(_write(tmp_path, CORPUS["header_only"], "e.csv"))
    assert out == Outcome([], [], [])


def test_quoted_field_spanning_many_block_boundaries(tmp_path: Path) -> None:
    cell = "\n".join(f"line {i}, with a comma" for i in range(50))
    body = "email,note\n" + "".join(f'u{i}@example.com,"{cell if i % 3 == 0 else i}"\n' for i in range(30))
    path = _write(tmp_path, body.encode())
    _same(path, sizes=(1, 2, 7, 49, 50, 51, 100))
    blocks = _blocks(path, detect_format(path), 10)
    assert len(blocks) > 10 and all(b.data.count(b'"') % 2 == 0 for b in blocks)


@pytest.mark.parametrize("budget", [0, 3, 512])
def test_many_stray_quotes_in_one_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    """Stray quotes resolved one by one, and past the per-block budget by csv.reader cutting the block."""
    monkeypatch.setattr(blocks, "_MAX_RESYNCS", budget)
    rows = [f'u{i}@example.com,{i}" tv' if i % 2 else f'u{i}@example.com,"a\nb"' for i in range(300)]
    rows[100] = 'u100@example.com,"a"b'  # rejected by the strict reader: its line is malformed
    path = _write(tmp_path, ("email,note\n" + "\n".join(rows) + "\n").encode())
    out = _same(path, sizes=(1, 4, 50, 1000))
    assert [r[0] for r in out.ragged] == [152]


def test_header_after_a_megabyte_of_blank_lines(tmp_path: Path) -> None:
    """The body starts after the header's line even when a \r\n before it is split by a read."""
    path = _write(tmp_path, b"\n" + b"\r\n" * 600_000 + b"email,name\r\na@example.com,A\r\nb@example.com,B\r\n")
    out = _same(path, sizes=(1, 20_000))
    assert out.rows == [(600_003, ("a@example.com", "A")), (600_004, ("b@example.com", "B"))]


def test_max_block_bytes_cuts_long_lines_early(tmp_path: Path) -> None:
    path = _write(tmp_path, b"email,note\n" + b"".join(b"u%d@example.com,%s\n" % (i, b"x" * 1000) for i in range(100)))
    fmt = detect_format(path)
    with CsvReader(path, fmt) as reader:
        columns = reader.header.columns
        blocks = list(iter_raw_blocks(path, fmt, reader.body_line, target_rows=1000, max_block_bytes=10_000))
    assert len(blocks) == 10 and all(len(b.data) <= 11_000 for b in blocks)
    assert _collect((parse_block(b, fmt, columns) for b in blocks), columns) == _reference(path, fmt)


@pytest.mark.parametrize("quoted", [True, False])
def test_cell_over_the_field_limit(tmp_path: Path, quoted: bool) -> None:
    big = b"y" * (MAX_FIELD_CHARS + 10)
    cell = b'"' + big + b'"' if quoted else big
    path = _write(tmp_path, b"email,note\na@example.com,ok\nb@example.com," + cell + b"\nc@example.com,ok\n")
    out = _same(path, sizes=(1, 20_000))
    assert out.error is not None and "Line 3: a cell is larger than 6 MB" in out.error[0]


def test_never_closed_quote_in_a_long_file_stops_early(tmp_path: Path) -> None:
    """Short lines after an unclosed quote: CsvReader fails once the cell passes 6 MB; so do the blocks,
    without holding the rest of the file in one block."""
    tail = b"".join(b"u%d@example.com,line %d\n" % (i, i) for i in range(400_000))  # ~11 MB
    path = _write(tmp_path, b'email,note\na@example.com,ok\nb@example.com,"never closed\n' + tail)
    fmt = detect_format(path)
    expected = _reference(path, fmt)
    assert expected.error is not None and "Line 3: a cell is larger than 6 MB" in expected.error[0]
    assert _via_blocks(path, fmt, 20_000) == expected
    blocks = _blocks(path, fmt, 20_000)
    size = path.stat().st_size
    assert max(len(b.data) for b in blocks) < 4 * MAX_FIELD_CHARS and sum(len(b.data) for b in blocks) < 0.8 * size


def test_never_closed_quote_a_little_before_the_end(tmp_path: Path) -> None:
    head = b"".join(b"u%d@example.com,line %d\n" % (i, i) for i in range(5000))
    path = _write(tmp_path, b"email,note\n" + head + b'b@example.com,"open\n' + head[:5000])
    out = _same(path, sizes=(700, 20_000))
    assert out.error is not None and "A quote opened on line 5002 is never closed" in out.error[0]


def test_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    """CsvReader names the line its text decoder had reached (it decodes 8 KB ahead); a block names the
    line of the bad byte itself. Same error otherwise."""
    path = _write(tmp_path, b"email,name\n" + b"a@example.com,Ann\n" * 2000 + b"b@example.com,\xff\xfe\n" + b"c,d\n")
    fmt = CsvFormat("utf-8", ",")
    expected = _reference(path, fmt)
    got = _via_blocks(path, fmt, 500)
    assert expected.error is not None and got.error is not None
    assert got.error == ("Line 2002 is not valid utf-8. Save the file as CSV UTF-8.", 2002)
    assert expected.error[0].replace(str(expected.error[1]), "N") == got.error[0].replace("2002", "N")


def test_invalid_utf8_line_counts_every_line_ending() -> None:
    block = RawBlock(b'a@example.com,"x\ry"\r\nb@example.com,"\n\xff"\n', first_line=10, index=0)
    with pytest.raises(CsvError) as caught:
        parse_block(block, CsvFormat("utf-8", ","), ("email", "name"))
    assert caught.value.line == 13 and str(caught.value).startswith("Line 13 is not valid utf-8.")


def test_blocks_supported(tmp_path: Path) -> None:
    text = "email;name\na@example.com;Zoë\n"
    cases = {
        "utf8.csv": (text.encode(), True),
        "bom.csv": (codecs.BOM_UTF8 + text.encode(), True),
        "cp1252.csv": (text.encode("cp1252") + b"\x80\n", True),
        "utf16.csv": (text.encode("utf-16"), False),
        "utf16le.csv": (text.encode("utf-16-le"), False),
        "cr_only.csv": (text.replace("\n", "\r").encode(), False),
        "crlf.csv": (text.replace("\n", "\r\n").encode(), True),
    }
    for name, (data, supported) in cases.items():
        path = _write(tmp_path, data, name)
        assert blocks_supported(detect_format(path), path) is supported, name
    path = tmp_path / "utf8.csv"
    assert not blocks_supported(CsvFormat("utf-16", ","), path)
    assert not blocks_supported(CsvFormat("no-such-codec", ","), path)
    assert not blocks_supported(CsvFormat("utf-8", '"'), path)
    with pytest.raises(ValueError):
        next(iter_raw_blocks(path, CsvFormat("utf-16", ","), 2))


def test_blocks_through_worker_processes(tmp_path: Path) -> None:
    """parse_block is importable by name: worker processes parse the blocks, results come back in order."""
    body = "email,note\n" + "".join(f'u{i}@example.com,"n\n{i}"\n' for i in range(3000))
    path = _write(tmp_path, body.encode())
    fmt = detect_format(path)
    with CsvReader(path, fmt) as reader:
        columns = reader.header.columns
        jobs = ((b, fmt, columns) for b in iter_raw_blocks(path, fmt, reader.body_line, target_rows=500))
        got = _collect(map_in_order(parse_block, jobs, 2), columns)
    assert got == _reference(path, fmt) and len(got.rows) == 3000
    broken = _write(tmp_path, body.encode() + b'x@example.com,"never closed\n', "broken.csv")
    with CsvReader(broken, fmt) as reader:
        jobs = ((b, fmt, columns) for b in iter_raw_blocks(broken, fmt, reader.body_line, target_rows=500))
        got = _collect(map_in_order(parse_block, jobs, 2), columns)
    assert got.error is not None and got.error == _reference(broken, fmt).error and got.error[1] == 6002


def _random_cell(rnd: random.Random) -> str:
    pieces = ["a", "Zoë", " ", '"', '""', ",", ";", "\t", "|", "\n", "\r\n", "\r", "x@example.com", "€", "\ufeff"]
    kind = rnd.random()
    if kind < 0.25:
        return ""
    if kind < 0.5:
        return rnd.choice(["plain", "Ann", "42", "+14155550100"])
    return "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6)))


def _random_file(rnd: random.Random) -> tuple[bytes, str]:
    delimiter = rnd.choice([",", ";", "\t", "|"])
    width = rnd.randint(1, 5)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=rnd.choice(["\n", "\r\n"]))
    writer.writerow([f"col{i}" for i in range(width)])
    for _ in range(rnd.randint(0, 60)):
        roll = rnd.random()
        if roll < 0.05:
            out.write(rnd.choice(["\n", "\r\n"]))  # a blank line
            continue
        n = width if roll < 0.85 else rnd.randint(0, width + 2)
        writer.writerow([_random_cell(rnd) for _ in range(n)])
    data = out.getvalue().encode(rnd.choice(["utf-8", "utf-8-sig"]))
    if rnd.random() < 0.3:  # damage: a stray quote or one quote fewer, somewhere after the header
        cut = rnd.randint(data.index(b"\n") + 1, len(data))
        if rnd.random() < 0.5:
            data = data[:cut] + b'"' + data[cut:]
        elif (q := data.find(b'"', cut)) >= 0:
            data = data[:q] + data[q + 1 :]
    if rnd.random() < 0.2:
        data = data.rstrip(b"\r\n")
    return data, delimiter


@pytest.mark.parametrize("seed", range(16))
def test_random_files_blocks_match_reader(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    for case in range(8):
        data, delimiter = _random_file(rnd)
        path = _write(tmp_path, data, f"r{case}.csv")
        encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        fmt = CsvFormat(encoding, delimiter)
        try:
            expected = _reference(path, fmt)
        except CsvError:
            continue  # no readable header: CsvReader refuses the file before any block is cut
        for size in (1, rnd.randint(2, 9), 20_000):
            assert _via_blocks(path, fmt, size) == expected, (seed, case, size, data)


def test_frames_are_equal_chunk_by_chunk_with_one_block(tmp_path: Path) -> None:
    """With one block and one chunk, the frames are identical objects-wise (columns, dtypes, index)."""
    path = _write(tmp_path, CORPUS["quoted_newlines"])
    fmt = detect_format(path)
    with CsvReader(path, fmt) as reader:
        (ref,) = list(reader)
        columns, body_line = reader.header.columns, reader.body_line
    (block,) = list(iter_raw_blocks(path, fmt, body_line))
    got = parse_block(block, fmt, columns)
    pd.testing.assert_frame_equal(got.frame, ref.frame)
    assert got.ragged == ref.ragged and got.empty_lines == ref.empty_lines
