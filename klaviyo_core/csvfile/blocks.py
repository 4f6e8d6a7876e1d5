"""Raw byte blocks cut at record boundaries, and parsing one block."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from klaviyo_core.csvfile.reader import MAX_FIELD_CHARS, file_record, malformed, rows_frame
from klaviyo_core.csvfile.sniff import Chunk, CsvError, CsvFormat, RaggedRow, read_head

BLOCK_ROWS = 20_000  # physical lines per block, like the importer's chunks

_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")
MAX_BLOCK_BYTES = 16 * 1024 * 1024  # a block of long lines is cut earlier: bounds the memory of one block
_READ_BYTES = 1 << 20
_FIRST_WINDOW = 64 * 1024
_NEAR_BYTES = 64 * 1024
_MAX_RESYNCS = 512  # stray quotes resolved one by one per block; after that csv.reader cuts the block itself
_BYTE_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252", "iso8859-1": "latin-1"}
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
    sample = read_head(Path(path))
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

    Mirrors CsvReader._records and CsvReader.__iter__; tests/core/csvfile/test_csv_blocks.py holds them equal.
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
            chunk.ragged.append(RaggedRow(start, width, 0, (), malformed(start, str(exc))))
            continue
        start, last = last + 1, offset + reader.line_num
        file_record(chunk, rows, lines, start, record, width)
    chunk.frame = rows_frame(names, rows, lines)
    return chunk
