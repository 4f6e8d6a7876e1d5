"""The input rows of the result report as ready CSV text: `<cells>` per row, neutralised, in file order.

Why not `CsvReader` + pandas `to_csv`: that path parsed every record in Python, built a DataFrame per chunk,
ran a regex per cell and wrote through `csv.writer` cell by cell, ~17 s for 1M rows while the user waited.
Most lines hold no quote, so one line is one record and its cells need no CSV quoting in the report: such
lines are handled a block (~256 K characters) at a time with C-speed string operations and numpy over the block's bytes
(cell counts, empty first cells, cells to neutralise). A line holding a quote (or a NUL, or a comma in a file
separated by something else) goes through `csv.reader` and the one CSV writer's quoting (`csvfile.write`),
and so does any row that is not a plain row (ragged, empty, malformed).

The result must match `CsvReader` exactly: same records, same starting line numbers, same classification of
ragged/empty/blank rows (tests/core/profiles/test_import_report.py checks it against the reader on tricky files).
Lines are read the way `csv.reader` reads them (text mode, `newline=""`: `\\n`, `\\r\\n` or `\\r` ends a line)
and a record starts one line after the previous one ended.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import TextIO

import numpy as np

from klaviyo_core.csvfile.sniff import CsvError
from klaviyo_core.csvfile.write import FORMULA_FIRST, neutralise_cells, quote_cells

# Characters of whole lines read at a time, and rows handed to the status lookup at a time: they bound memory
# whatever the file size. Small blocks stay in the CPU caches: 256 K was as fast as 4 M and 40 MB lighter.
READ_HINT = 1 << 18
BATCH_ROWS = 10_000
RISKY_FIRST = FORMULA_FIRST  # a cell starting with one of these is a formula to a spreadsheet (csvfile.write)

_NL, _COMMA, _APOSTROPHE = ord("\n"), ord(","), ord("'")
_ZERO, _NINE, _DOT, _PLUS, _MINUS = ord("0"), ord("9"), ord("."), ord("+"), ord("-")
_RISKY_BYTES = np.zeros(256, dtype=bool)
_RISKY_BYTES[[ord(c) for c in RISKY_FIRST if c not in "\r\n"]] = True  # plain lines: no cell starts with CR/LF


class CellFormatter:
    """Cells -> one CSV line fragment, quoted by the one CSV writer's rule (`csvfile.write.quote_cells`)."""

    def __call__(self, cells: list[str]) -> str:
        return quote_cells(cells)


def report_cells(record: list[str] | None, width: int) -> list[str] | None:
    """A record's cells in the report (None: a blank line, not a row), classified as `CsvReader` does."""
    if record is None:  # malformed: reported with empty cells
        return [""] * width
    if len(record) == width and (record[0] or "".join(record).strip()):
        return record
    if not record:
        return None
    if not "".join(record).strip():
        return [""] * width  # an empty row
    return record[:width] + [""] * (width - len(record))  # ragged


class _Lines:
    """The file's physical lines, a block at a time, handed out one by one (to `csv.reader`) or as plain runs."""

    def __init__(self, file: TextIO, delimiter: str) -> None:
        self._file = file
        self._marks = '"\x00' if delimiter == "," else '"\x00,'  # only csv.reader splits such lines
        self._special = re.compile(f"[{self._marks}]")
        self._block: list[str] = []
        self._text = ""  # the whole block joined, when no line of it is special
        self._flags = b""  # per line of the block: 1 if it is special
        self._pos = 0
        self.count = 0  # lines handed out so far

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pos == len(self._block) and not self._refill():
            raise StopIteration
        line = self._block[self._pos]
        self._pos += 1
        self.count += 1
        return line

    def _refill(self) -> bool:
        self._block, self._pos = self._file.readlines(READ_HINT), 0
        text = "".join(self._block)
        if any(mark in text for mark in self._marks):  # memchr speed; the regex is for single lines
            self._text, self._flags = "", bytes(map(bool, map(self._special.search, self._block)))
        else:
            self._text, self._flags = text, bytes(len(self._block))
        return bool(self._block)

    def plain_run(self) -> str:
        """The next lines up to the next special one, joined; "" when the next line is special or at the end."""
        if self._pos == len(self._block) and not self._refill():
            return ""
        end = self._flags.find(1, self._pos)
        end = len(self._block) if end < 0 else end
        text = self._text if self._pos == 0 and self._text else "".join(self._block[self._pos : end])
        self.count += end - self._pos
        self._pos = end
        return text

    def special_next(self) -> bool:
        """Whether the next line is special (False at the end of the file)."""
        if self._pos == len(self._block) and not self._refill():
            return False
        return self._flags[self._pos] == 1


def _plain_numbers(data: np.ndarray, starts: np.ndarray, seps: np.ndarray) -> np.ndarray:
    """Which risky cells are plain numbers (`+15551234567`, `-12.5`), left as they are by the one CSV writer's
    rule (`csvfile.write.PLAIN_NUMBER`): a sign, digits, at most one `.` between digits (a plain line's cells
    hold no comma), up to the cell's end."""
    digit = (data >= _ZERO) & (data <= _NINE)
    digits = np.concatenate(([0], np.cumsum(digit)))
    dots = np.concatenate(([0], np.cumsum(data == _DOT)))
    first, end = starts + 1, seps[np.searchsorted(seps, starts)]
    n_digits, n_dots = digits[end] - digits[first], dots[end] - dots[first]
    signed = (data[starts] == _PLUS) | (data[starts] == _MINUS)
    whole = (n_digits + n_dots == end - first) & (n_dots <= 1) & (end > first)
    return np.asarray(signed & whole & digit[first] & digit[end - 1])


def _plain_rows(text: str, first: int, delimiter: str, width: int, fmt: CellFormatter) -> tuple[list[int], list[str]]:
    """Report cells of whole lines without quotes (one line, one record), vectorised over the block's bytes."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"  # the file's last line
    if delimiter != ",":
        text = text.replace(delimiter, ",")  # plain lines of such files hold no comma
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(data == _NL)
    commas = np.flatnonzero(data == _COMMA)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lead = data[starts]
    odd = (np.diff(np.searchsorted(commas, ends), prepend=0) != width - 1) | (lead == _COMMA) | (lead == _NL)
    cell_starts = np.concatenate((starts, commas + 1))
    risky = np.sort(cell_starts[_RISKY_BYTES[data[cell_starts]]])
    if risky.size:
        risky = risky[~_plain_numbers(data, risky, np.sort(np.concatenate((commas, ends))))]
    cells_text = np.insert(data, risky, _APOSTROPHE).tobytes().decode("utf-8") if risky.size else text
    bodies = cells_text.split("\n")
    bodies.pop()
    numbers = list(range(first, first + len(bodies)))
    if not odd.any():
        return numbers, bodies
    originals = text.split("\n")
    keep = np.ones(len(bodies), dtype=bool)
    for i in np.flatnonzero(odd).tolist():
        cells = report_cells(originals[i].split(",") if originals[i] else [], width)
        if cells is None:
            keep[i] = False
        else:
            bodies[i] = fmt(neutralise_cells(cells))
    if keep.all():
        return numbers, bodies
    kept = np.flatnonzero(keep).tolist()
    return [numbers[i] for i in kept], [bodies[i] for i in kept]


def report_rows(file: TextIO, delimiter: str, width: int, header_line: int) -> Iterator[tuple[list[int], list[str]]]:
    """(starting lines, report cells text) of every row after the header, in batches, in file order.

    `file` is the CSV opened in text mode with `newline=""`; `header_line` is where `CsvReader` found the header.
    """
    lines = _Lines(file, delimiter)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    for _ in range(header_line - 1):
        next(lines, None)  # a "sep=" hint and blank lines before the header
    next(reader, None)  # the header record
    fmt = CellFormatter()
    numbers: list[int] = []
    bodies: list[str] = []
    ended = False
    while not ended:
        first = lines.count + 1
        if text := lines.plain_run():
            more_numbers, more_bodies = _plain_rows(text, first, delimiter, width, fmt)
            numbers += more_numbers
            bodies += more_bodies
        else:
            ended = _parsed_rows(lines, reader, width, fmt, numbers, bodies)
        if len(numbers) >= BATCH_ROWS or (ended and numbers):
            yield numbers, bodies
            numbers, bodies = [], []


def _parsed_rows(
    lines: _Lines, reader: Iterator[list[str]], width: int, fmt: CellFormatter, numbers: list[int], bodies: list[str]
) -> bool:
    """Records read by csv.reader, as long as they start on a special line (at least one); True at the end."""
    while True:
        first = lines.count + 1
        try:
            record: list[str] | None = next(reader)
        except StopIteration:
            return True
        except csv.Error as exc:
            _check_malformed(exc, first)
            record = None
        if (cells := report_cells(record, width)) is not None:
            numbers.append(first)
            bodies.append(fmt(neutralise_cells(cells)))
        if len(numbers) >= BATCH_ROWS or not lines.special_next():
            return False


def _check_malformed(exc: csv.Error, line: int) -> None:
    """A malformed record is a row with empty cells, unless the reader could not have read past it either."""
    if "field larger than field limit" in str(exc) or "unexpected end of data" in str(exc):
        raise CsvError(f"Line {line} can no longer be read ({exc}); was the file changed?", line) from None
