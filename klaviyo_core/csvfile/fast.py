"""A fast parse for the common CSV block: no quotes, no blank lines, every row as wide as the header.

Why: `csv.reader` plus building a DataFrame of Python strings costs ~6 s of CPU for a million rows; Arrow's
C++ CSV parser reads the same block in a fraction of that and hands back Arrow strings, the form the
validation runs on anyway. It is used only where its result is certainly the same as the exact reader's
(csv_reader.parse_block): without a quote character every record is one physical line split at the
delimiter, so rows map one to one onto lines. Anything else (a quote anywhere in the block, a blank line,
a NUL, a lone carriage return, a ragged row, an oversized cell) returns None and the block goes through
the exact reader, which also produces the right messages.
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from klaviyo_core.csvfile.reader import MAX_FIELD_CHARS
from klaviyo_core.csvfile.sniff import Chunk

_UTF8 = ("utf-8", "utf-8-sig", "utf_8", "utf8")


def _plain(data: bytes) -> bool:
    if not data or b'"' in data or b"\x00" in data or data[:1] in (b"\n", b"\r"):
        return False
    if b"\n\n" in data or b"\n\r\n" in data:
        return False  # a blank line: the exact reader skips it, Arrow would shift every line number after it
    return data.count(b"\r") == data.count(b"\r\n")  # LF or CRLF endings only


def parse_plain_block(data: bytes, first_line: int, encoding: str, delimiter: str, columns: list[str]) -> Chunk | None:
    """The block's rows as a Chunk (frame of Arrow-backed strings indexed by line), or None if not plain."""
    if not _plain(data):
        return None
    if encoding.lower() not in _UTF8:
        data = data.decode(encoding).encode("utf-8")
    width = len(columns)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(
                column_names=columns, use_threads=False, block_size=max(1 << 20, len(data) + 1)
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                double_quote=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # e.g. a row with more or fewer cells than the header
    if table.num_rows != data.count(b"\n") + (0 if data.endswith(b"\n") else 1) or table.num_columns != width:
        return None
    for col in table.columns:
        if len(col) and pc.max(pc.utf8_length(col)).as_py() > MAX_FIELD_CHARS:
            return None  # the exact reader refuses the file with its own message
    lines = np.arange(first_line, first_line + table.num_rows, dtype=np.int64)
    empty = _all_empty(table)
    frame = table.to_pandas()
    frame.index = lines
    frame.index.name = "row"
    if not empty.any():
        return Chunk(frame)
    return Chunk(frame[~empty], empty_lines=lines[empty].tolist())


def _all_empty(table: pa.Table) -> np.ndarray:
    """Rows the exact reader calls empty: first cell "" and every cell blank by Python's own `str.strip`."""
    candidates = np.flatnonzero(pc.equal(table.column(0), "").to_numpy(zero_copy_only=False))
    empty = np.zeros(table.num_rows, dtype=bool)
    if len(candidates):
        cells = table.take(pa.array(candidates)).to_pylist()
        empty[candidates] = [not "".join(row.values()).strip() for row in cells]
    return empty
