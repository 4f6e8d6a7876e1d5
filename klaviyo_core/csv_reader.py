"""Robust, chunked CSV reading for spreadsheets exported by anything (Excel, Numbers, Sheets, shop systems).

Why the stdlib `csv` module and not `pandas.read_csv` for the parsing: every report row must name the line
in the file where its record starts, quoted newlines included, and ragged rows must be reported by line
instead of being padded with NaN or silently skipped. `csv.reader` gives both (`line_num`) at C speed;
each chunk is then handed to pandas as a DataFrame of strings for vectorised validation.

Memory stays flat: the file is read line by line (each physical line capped), one chunk of rows at a time.
For a big file, iter_raw_blocks() cuts the bytes at record boundaries and parse_block() turns each block
into the same chunk in a worker process, so the main process does not parse at all (see "Raw blocks").
Encoding: BOM first (UTF-8, UTF-16), then UTF-16 without BOM by its NUL pattern, then a full streaming
UTF-8 check (C speed, ~1 GB/s), then Windows-1252, then Latin-1 (which decodes anything).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE_BYTES = 64 * 1024
MAX_LINE_CHARS = 8 * 1024 * 1024  # one physical line; a profile is at most 100 KB, so this is never legitimate
MAX_FIELD_CHARS = 1024 * 1024  # one cell
DEFAULT_CHUNK_ROWS = 50_000
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class CsvError(ValueError):
    """A file that cannot be read as a CSV; the message says what is wrong and what to do."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str
    skip_first_line: bool = False  # an Excel "sep=;" hint line

    def describe(self) -> str:
        return f"{self.encoding}, {DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}-separated"


@dataclass(frozen=True)
class RaggedRow:
    line: int
    expected: int
    found: int
    cells: tuple[str, ...]
    problem: str = ""  # set for a malformed record (e.g. a stray quote)

    @property
    def reason(self) -> str:
        if self.problem:
            return self.problem
        return (
            f"line {self.line} has {self.found} cells but the header has {self.expected}: "
            "check for an unquoted delimiter or a missing quote"
        )


@dataclass
class Chunk:
    """Rows of one chunk: `frame` holds well-formed rows as strings, indexed by their starting line."""

    frame: pd.DataFrame
    ragged: list[RaggedRow] = field(default_factory=list)
    empty_lines: list[int] = field(default_factory=list)  # rows whose every cell is empty


@dataclass(frozen=True)
class CsvHeader:
    columns: tuple[str, ...]
    warnings: tuple[str, ...]
    line: int


def _read_head(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    with path.open("rb") as f:
        return f.read(size)


def _reject_binary(sample: bytes) -> None:
    if sample.startswith(b"PK\x03\x04"):
        raise CsvError(
            "This is an Excel workbook (.xlsx) or another zip file, not a CSV. In Excel: File > Save As > CSV."
        )
    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvError("This is an old Excel workbook (.xls), not a CSV. In Excel: File > Save As > CSV.")
    if sample.startswith(b"%PDF"):
        raise CsvError("This is a PDF, not a CSV. Export the data as CSV from the program that made it.")
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    if b"\x00" in sample or controls > max(8, len(sample) // 100):
        raise CsvError(
            "This file is not text (it looks binary). Export the data as CSV (comma or semicolon separated)."
        )


def _utf16_without_bom(sample: bytes) -> str | None:
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 4:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decodes_fully(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    sample = _read_head(path)
    if not sample:
        raise CsvError("The file is empty. Export the spreadsheet again with a header row and at least one row.")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf16 := _utf16_without_bom(sample):
        return utf16
    _reject_binary(sample)
    for encoding in ("utf-8", "cp1252"):
        if _decodes_fully(path, encoding):
            return encoding
    return "latin-1"


def _score(text: str, delimiter: str) -> tuple[float, int]:
    """(share of sampled records with the header's cell count, that count); higher is better."""
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line in half
    try:
        records = [r for r in csv.reader(lines[:200], delimiter=delimiter) if r]
    except csv.Error:
        return (0.0, 0)
    if not records or len(records[0]) < 2:
        return (0.0, 1)
    width = len(records[0])
    return (sum(1 for r in records if len(r) == width) / len(records), width)


def sniff_delimiter(text: str) -> str:
    best = max(DELIMITERS, key=lambda d: _score(text, d))
    return best if _score(text, best)[1] > 1 else ","


_EXCEL_SEP = re.compile(r"^sep=(.)\r?\n", re.IGNORECASE)


def detect_format(path: Path | str) -> CsvFormat:
    path = Path(path)
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="", errors="replace") as f:
        text = f.read(SAMPLE_BYTES)
    if hint := _EXCEL_SEP.match(text):  # Excel's "sep=;" first line names the delimiter
        return CsvFormat(encoding, hint.group(1), skip_first_line=True)
    return CsvFormat(encoding, sniff_delimiter(text))


def fingerprint(path: Path | str) -> str:
    """sha256 of the content plus its size: the identity of a file for resuming an import."""
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return f"sha256:{digest.hexdigest()}:{size}"


def check_line_lengths(path: Path, limit_bytes: int = MAX_LINE_CHARS) -> None:
    """Refuse a file with a physical line over the limit before parsing it (one streaming pass at C speed).

    Why here and not while parsing: the csv module reads a whole physical line into memory before it can
    complain, so a 200 MB single-cell file would cost 200 MB+ of RAM. Counting bytes between newlines
    costs nothing (UTF-16 newlines contain the byte 0x0A too; the limit is then half as many characters).
    """
    since_newline = 0
    line = 1
    with path.open("rb") as f:
        while block := f.read(min(1 << 20, limit_bytes)):  # a line inside one block is never over the limit
            ends = block.replace(b"\r", b"\n")  # old Mac files end lines with CR alone
            last = ends.rfind(b"\n")
            if last < 0:
                since_newline += len(block)
            else:
                first = ends.find(b"\n")
                if since_newline + first > limit_bytes:
                    break
                line += block.count(b"\n") or block.count(b"\r")
                since_newline = len(block) - last - 1
            if since_newline > limit_bytes:
                break
        else:
            return
    raise CsvError(
        f"Line {line} is longer than {limit_bytes // (1024 * 1024)} MB. A profile can hold at most 100 KB: "
        "this is not a list of contacts (or a quote is never closed).",
        line,
    )


def _unique_header(raw: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names: list[str] = []
    warnings: list[str] = []
    for i, cell in enumerate(raw, start=1):
        name = cell.strip() or f"column_{i}"
        if not cell.strip():
            warnings.append(f"Column {i} has no name; it is called '{name}'.")
        if name in names:
            new = f"{name} ({names.count(name) + 1 + sum(1 for n in names if n.startswith(name + ' ('))})"
            warnings.append(f"Column {i} repeats the name '{name}'; it is called '{new}'.")
            name = new
        names.append(name)
    return tuple(names), tuple(warnings)


def _malformed(start: int, error: str) -> str:
    """The problem text of a record csv.reader refused; raises for the two errors that end the file's reading."""
    if "field larger than field limit" in error:
        raise CsvError(
            f"Line {start}: a cell is larger than 1 MB (a profile can hold at most 100 KB). "
            "Check for a quote that is never closed.",
            start,
        )
    if "unexpected end of data" in error:
        raise CsvError(
            f"A quote opened on line {start} is never closed, so every line after it would become one cell. "
            "Close or remove that quote and try again.",
            start,
        )
    return f"line {start} is malformed ({error}): check the quotes on that line"


def _frame(columns: list[str], rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
    """Well-formed rows as a frame of strings (dtype object), indexed by the line where each record starts."""
    cells = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    data = {c: pd.Series(list(v), dtype=object) for c, v in zip(columns, cells, strict=True)}
    return pd.DataFrame(data).set_axis(pd.Index(lines, dtype="int64", name="row"))


def _file_record(
    chunk: Chunk, rows: list[list[str]], lines: list[int], line: int, record: list[str], width: int
) -> bool:
    """File one record as a row, an empty row, a ragged row or nothing (a blank line); True for a row.

    The one rule for what a record is, shared by CsvReader and parse_block so that both read a file alike.
    """
    if len(record) == width and (record[0] or "".join(record).strip()):
        rows.append(record)
        lines.append(line)
        return True
    if record and not "".join(record).strip():
        chunk.empty_lines.append(line)
    elif record:
        chunk.ragged.append(RaggedRow(line, width, len(record), tuple(record)))
    return False


class CsvReader:
    """Iterate a CSV file as chunks of rows. `header` is available after construction."""

    def __init__(self, path: Path | str, fmt: CsvFormat | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        self.path = Path(path)
        self.format = fmt or detect_format(self.path)
        self.chunk_rows = chunk_rows
        check_line_lengths(self.path)
        self._file = self.path.open("r", encoding=self.format.encoding, newline="")
        csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
        self._reader = csv.reader(self._file, delimiter=self.format.delimiter, strict=True)
        self._last_line = 0
        if self.format.skip_first_line:
            next(self._reader, None)
            self._last_line = self._reader.line_num
        self._records_iter = self._records()
        self.header = self._read_header()
        self.body_line = self._last_line + 1  # the first physical line after the header, for iter_raw_blocks

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _records(self) -> Iterator[tuple[int, list[str] | str]]:
        """(line where the record starts, cells) per record; (line, problem text) for a malformed record.

        The reader is strict, so a stray quote is reported on its own line instead of silently swallowing
        the following rows into one cell; after such an error the reader carries on with the next line.
        """
        reader = self._reader
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start, self._last_line = self._last_line + 1, reader.line_num
                yield start, self._malformed(start, str(exc))
                continue
            except UnicodeDecodeError:
                raise CsvError(
                    f"Line {reader.line_num + 1} is not valid {self.format.encoding}. Save the file as CSV UTF-8.",
                    reader.line_num + 1,
                ) from None
            start, self._last_line = self._last_line + 1, reader.line_num
            yield start, record

    def _malformed(self, start: int, error: str) -> str:
        return _malformed(start, error)

    def _read_header(self) -> CsvHeader:
        for line, record in self._records_iter:
            if isinstance(record, str):
                raise CsvError(f"The header row is malformed: {record}.", line)
            if "".join(record).strip():
                columns, warnings = _unique_header(record)
                return CsvHeader(columns, warnings, line)
        raise CsvError("The file has no header row (it is empty or holds only blank lines).")

    def __iter__(self) -> Iterator[Chunk]:
        columns = list(self.header.columns)
        width = len(columns)
        records = self._records_iter
        while True:
            rows: list[list[str]] = []
            lines: list[int] = []
            chunk = Chunk(pd.DataFrame())
            for line, record in records:
                if isinstance(record, str):
                    chunk.ragged.append(RaggedRow(line, width, 0, (), record))
                    continue
                if _file_record(chunk, rows, lines, line, record, width) and len(rows) >= self.chunk_rows:
                    break
            if not rows and not chunk.ragged and not chunk.empty_lines:
                return
            chunk.frame = _frame(columns, rows, lines)
            yield chunk


def preview(path: Path | str, rows: int = 20) -> tuple[CsvFormat, CsvHeader, pd.DataFrame]:
    """The detected format, the header and the first rows, for the mapping editor."""
    with CsvReader(path, chunk_rows=rows) as reader:
        first = next(iter(reader), None)
        frame = first.frame if first is not None else pd.DataFrame(columns=list(reader.header.columns))
        return reader.format, reader.header, frame


# Raw blocks: the main process cuts the file's bytes at record boundaries, worker processes parse them.
#
# Why: parsing (csv.reader, the per-record loop, the DataFrame) costs ~4-5 s of CPU per million rows; done in
# the main process it starves the validation workers. Cutting bytes costs a few numpy passes per block.
#
# Where a block may end: RFC 4180 doubles quotes inside quoted fields, so a line ending ends a record iff
# an even number of `"` bytes precede it since the last known record start. That holds only while every
# quote stands where csv.reader (strict) gives it that meaning: an opening quote right after a delimiter, a
# line ending or another quote; a closing quote right before a delimiter, a line ending, another quote or
# the end of the file. A quote anywhere else (`55" TV`, `"a"b`) is "stray": csv.reader keeps it as text or
# rejects the rest of its line, and the parity no longer tells. From the last known record start before a
# stray quote, the main process then runs csv.reader itself over the few lines up to the end of that record.
#
# Line numbers are csv.reader's `line_num` over a file opened with newline="": a physical line ends with
# \n, \r\n or a lone \r (old Mac), and a record is numbered by the line where it starts.

BLOCK_ROWS = 20_000  # physical lines per block, like the importer's chunks
MAX_BLOCK_BYTES = 16 * 1024 * 1024  # a block of long lines is cut earlier: bounds the memory of one block
_READ_BYTES = 1 << 20
_FIRST_WINDOW = 64 * 1024
_NEAR_BYTES = 64 * 1024
_MAX_RESYNCS = 512  # stray quotes resolved one by one per block; after that csv.reader cuts the block itself
_BYTE_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252", "iso8859-1": "latin-1"}
_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")
Buffer = bytes | memoryview


@dataclass(frozen=True)
class RawBlock:
    """Bytes of whole records, as in the file; `first_line` is the file line of the block's first byte."""

    data: bytes
    first_line: int
    index: int


def _block_encoding(encoding: str) -> str | None:
    """The codec a block decodes with, or None when `"`, \\r, \\n and delimiters are not single ASCII bytes.

    A block never starts the file, so a UTF-8 BOM is not in it (and a U+FEFF inside it is text to keep).
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    return _BYTE_ENCODINGS.get(name)


def blocks_supported(fmt: CsvFormat, path: Path | str) -> bool:
    """Whether iter_raw_blocks + parse_block may replace CsvReader for this file (else: use CsvReader).

    Not for UTF-16 (every character is two bytes, NULs included), an unknown codec, a delimiter that is
    not one ASCII byte, or old-Mac files whose lines end with a lone CR (the cutting handles them and the
    tests prove it, but they are rare and gain nothing from workers: kept on the proven path).
    """
    if _block_encoding(fmt.encoding) is None:
        return False
    if len(fmt.delimiter) != 1 or not fmt.delimiter.isascii() or fmt.delimiter in '"\r\n':
        return False
    sample = _read_head(Path(path))
    return b"\x00" not in sample and not (b"\r" in sample and b"\n" not in sample)


def _terminators(arr: np.ndarray, eof: bool) -> np.ndarray:
    """Sorted positions of the last byte of each line ending (\\n, the \\n of \\r\\n, a lone \\r).

    A \\r as the last byte is a line ending only at the end of the file: the next read may bring its \\n.
    """
    lf = np.flatnonzero(arr == _LF)
    cr = np.flatnonzero(arr == _CR)
    if not cr.size:
        return lf
    nxt = cr + 1
    inside = nxt < arr.size
    lone = cr[inside][arr[nxt[inside]] != _LF]
    if eof and not inside[-1]:
        lone = np.append(lone, cr[-1])
    return np.sort(np.concatenate((lf, lone))) if lone.size else lf


def _count_lines(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


class _Strays:
    """The quotes of a buffer that break the parity rule, for a count started at any record start.

    Whether a quote opens or closes depends on the parity of its index counted from the segment's first
    quote, so both answers are computed once; a segment's first stray is then one binary search away.
    `quotes` ends before the last complete line ending, so every quote's next byte is known (or is EOF);
    a segment starts at 0 or just after a line ending, so its first quote may always open.
    """

    def __init__(self, arr: np.ndarray, quotes: np.ndarray, delimiter: int) -> None:
        allowed = np.zeros(256, dtype=bool)  # the bytes a quote may follow (opening) or precede (closing)
        allowed[[delimiter, _LF, _CR, _QUOTE]] = True
        cannot_open = ~allowed[arr[np.maximum(quotes - 1, 0)]] & (quotes > 0)
        after = quotes + 1
        cannot_close = ~allowed[arr[np.minimum(after, arr.size - 1)]] & (after < arr.size)
        # counted from a segment whose first quote has an even (odd) index, even (odd) indices open
        from_even, from_odd = cannot_open.copy(), cannot_close.copy()
        from_even[1::2], from_odd[1::2] = cannot_close[1::2], cannot_open[1::2]
        self.quotes = quotes
        self.bad = (np.flatnonzero(from_even), np.flatnonzero(from_odd))

    def first(self, seg: int) -> int:
        """Position of the first stray quote at or after `seg`, or -1."""
        i0 = int(np.searchsorted(self.quotes, seg))
        bad = self.bad[i0 % 2]
        j = int(np.searchsorted(bad, i0))
        return int(self.quotes[bad[j]]) if j < bad.size else -1


@dataclass(frozen=True)
class _Cut:
    end: int  # the block is buf[:end]
    lines: int  # physical lines in it (line endings before `end`)
    fatal: bool = False  # parsing it raises a file error: the last block


def _resync(
    buf: Buffer, terms: np.ndarray, start: int, min_end: int, limit: int, eof: bool, fmt: CsvFormat
) -> int | _Cut | None:
    """The first record end >= min_end, found by csv.reader itself from `start` (a record start).

    None: no record ends there in the complete lines held so far (read more). At the end of the file the
    last record ends at `limit`. A cell over the field limit is a file error: a fatal cut just after it.
    Lines are decoded one by one as csv.reader asks for them, so a stray quote costs a few lines' work.
    """
    ends = terms[np.searchsorted(terms, start) :]  # of the lines from `start` on, inclusive (a view)
    first = int(np.searchsorted(ends, min_end - 1)) + 1  # the first line (from 1) ending at or after min_end
    encoding = _block_encoding(fmt.encoding) or "latin-1"

    def lines() -> Iterator[str]:
        begin = start
        for last in ends:
            yield str(buf[begin : last + 1], encoding, "replace")
            begin = int(last) + 1
        if begin < limit:
            yield str(buf[begin:limit], encoding, "replace")

    def line_end(n: int) -> int:
        return int(ends[n - 1]) + 1 if n <= ends.size else limit

    near = min_end - start <= _NEAR_BYTES  # a stray quote's record: decode line by line, as csv.reader asks
    source = lines() if near else io.StringIO(str(buf[start:limit], encoding, "replace"), newline="")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    reader = csv.reader(source, delimiter=fmt.delimiter, strict=True)
    while True:
        try:
            for _ in reader:
                if reader.line_num >= first:
                    return line_end(reader.line_num)
            return limit if eof else None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                return _Cut(line_end(reader.line_num), 0, fatal=True)
            if "unexpected end of data" in str(exc):
                return limit if eof else None
            if reader.line_num >= first:  # a malformed record ends with its line
                return line_end(reader.line_num)


def _next_cut(buf: Buffer, eof: bool, target_rows: int, max_bytes: int, fmt: CsvFormat) -> _Cut | None:
    """Where the block starting at buf[0] (a record start) ends; None: look at more bytes first.

    `eof`: nothing follows `buf`. The block ends at the first record end from `target_rows` lines or
    `max_bytes` bytes on; earlier if what follows is one quoted field that does not end within `buf`.
    """
    arr = np.frombuffer(buf, dtype=np.uint8)
    terms = _terminators(arr, eof)
    limit = len(buf) if eof else int(terms[-1]) + 1 if terms.size else 0  # complete lines only
    want = min(int(terms[target_rows - 1]) + 1 if terms.size >= target_rows else len(buf) + 1, max_bytes)
    if want > limit:
        return _Cut(limit, terms.size) if eof else None
    strays = _Strays(arr, np.flatnonzero(arr[:limit] == _QUOTE), ord(fmt.delimiter))
    quotes = strays.quotes
    seg = last = 0  # seg: where the parity count starts; last: the last record end found
    resyncs = 0
    while True:
        stray = strays.first(seg)
        stop = limit if stray < 0 else stray
        cand = terms[np.searchsorted(terms, seg) : np.searchsorted(terms, stop)]
        even = (np.searchsorted(quotes, cand) - np.searchsorted(quotes, seg)) % 2 == 0
        safe = cand[even] + 1
        if safe.size and safe[-1] >= want:
            return _cut_at(int(safe[np.searchsorted(safe, want)]), terms)
        if safe.size:
            last = int(safe[-1])
        if stray < 0:
            if last > 0:
                return _cut_at(last, terms)
            if eof:
                return _Cut(limit, terms.size)
            if len(buf) <= MAX_FIELD_CHARS:
                return None
            # One quoted field so far: csv.reader tells a cell over the limit (a file error) from one still open
            found = _resync(buf, terms, 0, want, limit, eof, fmt)
            return found if isinstance(found, _Cut) else None
        resyncs += 1
        min_end = stray + 1 if resyncs <= _MAX_RESYNCS else max(want, stray + 1)
        found = _resync(buf, terms, last, min_end, limit, eof, fmt)
        if found is None:
            return _cut_at(last, terms) if last > 0 else None
        if isinstance(found, _Cut):
            return _cut_at(found.end, terms, fatal=True)
        if found >= want:
            return _cut_at(found, terms)
        seg = last = found


def _cut_at(end: int, terms: np.ndarray, fatal: bool = False) -> _Cut:
    return _Cut(end, int(np.searchsorted(terms, end)), fatal)


def _body_offset(f: io.BufferedReader, lines: int) -> int:
    """Byte offset just after the first `lines` physical lines (the header and what precedes it)."""
    offset, carry = 0, b""  # carry: a \r that ended the previous read, its \n maybe still to come
    while lines > 0:
        piece = f.read(_READ_BYTES)
        data = carry + piece
        terms = _terminators(np.frombuffer(data, dtype=np.uint8), eof=not piece)
        if terms.size >= lines:
            return offset + int(terms[lines - 1]) + 1
        if not piece:
            return offset + len(data)
        lines -= terms.size
        keep = 1 if data.endswith(b"\r") else 0
        offset, carry = offset + len(data) - keep, data[len(data) - keep :]
    return offset


def iter_raw_blocks(
    path: Path | str,
    fmt: CsvFormat,
    body_line: int,
    target_rows: int = BLOCK_ROWS,
    max_block_bytes: int = MAX_BLOCK_BYTES,
) -> Iterator[RawBlock]:
    """The file from line `body_line` on (CsvReader.body_line: after the header) as blocks of whole records.

    Each block holds about `target_rows` physical lines (fewer if they pass `max_block_bytes`, more if a
    record spans the cut). Run only where blocks_supported() says so, after CsvReader has checked line
    lengths (its constructor does), so no line is over MAX_LINE_CHARS. The last block may end inside an
    unclosed quote or hold a cell over the field limit: parse_block then raises CsvReader's error; after a
    block known to do so the iteration stops.
    """
    if _block_encoding(fmt.encoding) is None:
        raise ValueError(f"{fmt.encoding} files cannot be cut into byte blocks; read them with CsvReader")
    target_rows = max(1, target_rows)
    with Path(path).open("rb") as f:
        f.seek(_body_offset(f, body_line - 1))
        buf, pos, eof, line, index = b"", 0, False, body_line, 0
        window = _FIRST_WINDOW  # bytes looked at for the next cut: about one block, doubled when too few
        while True:
            if len(buf) - pos < window and not eof:
                piece = f.read(max(_READ_BYTES, window))
                eof = not piece
                buf = buf[pos:] + piece  # drops the blocks already cut
                pos = 0
                continue
            if pos == len(buf):
                return
            view = memoryview(buf)[pos : pos + window]
            cut = _next_cut(view, eof and pos + window >= len(buf), target_rows, max_block_bytes, fmt)
            if cut is None:
                window *= 2
                continue
            yield RawBlock(bytes(view[: cut.end]), line, index)
            if cut.fatal:
                return
            pos, line, index = pos + cut.end, line + cut.lines, index + 1
            window = cut.end + cut.end // 4 + _FIRST_WINDOW  # the next block is likely of a similar size


def parse_block(block: RawBlock, fmt: CsvFormat, columns: Sequence[str]) -> Chunk:
    """The rows, ragged rows and empty lines CsvReader yields for these records (runs in a worker process).

    Mirrors CsvReader._records and CsvReader.__iter__; tests/core/test_csv_blocks.py holds them equal.
    """
    encoding = _block_encoding(fmt.encoding)
    if encoding is None:
        raise ValueError(f"{fmt.encoding} blocks cannot be parsed from bytes")
    try:
        text = block.data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = block.first_line + _count_lines(block.data[: exc.start])
        raise CsvError(f"Line {bad} is not valid {fmt.encoding}. Save the file as CSV UTF-8.", bad) from None
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))  # a worker process starts at 128 KB
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter, strict=True)
    names = list(columns)
    width = len(names)
    chunk = Chunk(pd.DataFrame())
    rows: list[list[str]] = []
    lines: list[int] = []
    offset = last = block.first_line - 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            start, last = last + 1, offset + reader.line_num
            chunk.ragged.append(RaggedRow(start, width, 0, (), _malformed(start, str(exc))))
            continue
        start, last = last + 1, offset + reader.line_num
        _file_record(chunk, rows, lines, start, record, width)
    chunk.frame = _frame(names, rows, lines)
    return chunk
