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

import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from klaviyo_core.csvfile.sniff import (
    Chunk,
    CsvError,
    CsvFormat,
    CsvHeader,
    RaggedRow,
    check_line_lengths,
    detect_format,
)

# One cell. A stray quote can swallow the rest of the file into one cell; this bound says so early. It is
# far above what a profile can hold (100 KB) so that one huge notes cell does not refuse the whole file:
# validation leaves such a cell out of its row's profile, with a reason (issue 13 item 4).
MAX_FIELD_CHARS = 6 * 1024 * 1024  # below sniff.MAX_LINE_CHARS (8 MB), which a one-line cell meets first
DEFAULT_CHUNK_ROWS = 50_000


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


def malformed(start: int, error: str) -> str:
    """The problem text of a record csv.reader refused; raises for the two errors that end the file's reading."""
    if "field larger than field limit" in error:
        raise CsvError(
            f"Line {start}: a cell is larger than {MAX_FIELD_CHARS // (1024 * 1024)} MB. "
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


def rows_frame(columns: list[str], rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
    """Well-formed rows as a frame of strings (dtype object), indexed by the line where each record starts."""
    cells = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    data = {c: pd.Series(list(v), dtype=object) for c, v in zip(columns, cells, strict=True)}
    return pd.DataFrame(data).set_axis(pd.Index(lines, dtype="int64", name="row"))


def file_record(
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
        return malformed(start, error)

    def _read_header(self) -> CsvHeader:
        for line, record in self._records_iter:
            if isinstance(record, str):
                raise CsvError(f"The header row is malformed: {record}.", line)
            if "".join(record).strip():
                columns, warnings = _unique_header(record)
                return CsvHeader(columns, self.format.warnings + warnings, line)
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
                if file_record(chunk, rows, lines, line, record, width) and len(rows) >= self.chunk_rows:
                    break
            if not rows and not chunk.ragged and not chunk.empty_lines:
                return
            chunk.frame = rows_frame(columns, rows, lines)
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
