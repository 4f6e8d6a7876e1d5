"""Sniffing a CSV: encoding, delimiter, format, a file's fingerprint, line lengths."""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

SAMPLE_BYTES = 64 * 1024
MAX_LINE_CHARS = 8 * 1024 * 1024  # one physical line; a profile is at most 100 KB, so this is never legitimate
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
    warnings: tuple[str, ...] = ()  # e.g. a file that mixes UTF-8 and Windows-1252 lines

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


def read_head(path: Path, size: int = SAMPLE_BYTES) -> bytes:
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


def mixed_encoding_line(path: Path) -> int | None:
    """The first line that is not UTF-8 in a file whose other lines hold UTF-8 accents (a file pasted
    together from two exports); None when the file is not such a mix."""
    first_bad, saw_utf8 = None, False
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                first_bad = first_bad or number
            else:
                saw_utf8 = True
            if first_bad and saw_utf8:
                return first_bad
    return None


def _encoding_warnings(path: Path, encoding: str) -> tuple[str, ...]:
    if encoding not in ("cp1252", "latin-1"):
        return ()
    line = mixed_encoding_line(path)
    if line is None:
        return ()
    return (
        f"This file mixes text encodings: some lines are UTF-8, but line {line} is not (it looks like "
        f"Windows-1252). It is read as {encoding}, so accented letters on the UTF-8 lines will look wrong "
        "(é as Ã©). Save the file as CSV UTF-8 and upload it again.",
    )


def detect_encoding(path: Path) -> str:
    sample = read_head(path)
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
    warnings = _encoding_warnings(path, encoding)
    if hint := _EXCEL_SEP.match(text):  # Excel's "sep=;" first line names the delimiter
        return CsvFormat(encoding, hint.group(1), skip_first_line=True, warnings=warnings)
    return CsvFormat(encoding, sniff_delimiter(text), warnings=warnings)


def file_fingerprint(path: Path | str) -> str:
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
