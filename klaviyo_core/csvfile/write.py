"""The one CSV writer for every file the workbench writes (reports, exports, downloads).

Why one writer: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, one that starts
with a tab, CR or LF before such a character) as a formula: `=HYPERLINK(...)` in a customer's name becomes a
link, `=cmd|...` a command. OWASP's "CSV Injection" page (https://owasp.org/www-community/attacks/CSV_Injection)
recommends that no cell begin with `=`, `+`, `-`, `@`, tab (0x09) or carriage return (0x0D), by prefixing such a
cell with a single quote (`'`), and that every cell be quoted by RFC 4180's rules; ASVS 5.0 requirement 1.2.10
says the same. We add line feed (0x0A) to the list: a cell holding only a line break then `=...` opens as a
formula too once the spreadsheet trims it. The apostrophe is shown by plain-text readers; that is the lesser evil.

One exception, the lead's decision for issue 18: a cell that is a plain number (an optional leading `+` or `-`,
ASCII digits, at most one decimal point or comma followed by digits, nothing else: `+15551234567`, `-12.50`,
`-3,5`) is written as it is. The trigger characters matter because a formula can call functions, build
links (HYPERLINK, WEBSERVICE) or run commands through DDE (`=cmd|'/c calc'!A0`); a cell with no letters, no
second operator, no `(`, `|`, `!` or `@` can express none of that: at most a spreadsheet reads it as a number,
which it already is. Without the exception an exported phone reads `'+1555...` and ad platforms' customer-list
uploads reject it. Everything else that starts with a trigger (`+1+cmd|...`, `-2+3`, `=1+1`, `@SUM(...)`) is
neutralised as before. The same rule is applied by the profile report's vectorised path (`profiles.report_rows`).

Why not `csv.writer` alone: on Python 3.11 it quotes only the characters of its own line terminator, so with
`lineterminator="\\n"` a cell holding a lone CR goes out unquoted and splits the row when read back (the bug
this module fixes in the profile report). `quote_cells` quotes every cell holding `,`, `"`, CR or LF.

Numbers typed as numbers (int, float, numpy numbers) are never formulas, so `frame_csv` neutralises only text
columns: a negative count stays a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from klaviyo_core.paths import open_private

FORMULA_FIRST = "=+-@\t\r\n"  # a cell starting with one of these is neutralised...
PLAIN_NUMBER = r"[+-]?[0-9]+(?:[.,][0-9]+)?"  # ...unless the whole cell is a plain number (see the docstring)
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)
_QUOTE_IF = (",", '"', "\r", "\n")


def neutralise(cell: str) -> str:
    """`cell`, prefixed with an apostrophe when a spreadsheet would read it as a formula."""
    if cell and cell[0] in FORMULA_FIRST and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralise_cells(cells: Iterable[str]) -> list[str]:
    """`neutralise` of each cell."""
    return [neutralise(c) for c in cells]


def quote_cells(cells: Sequence[str]) -> str:
    """Cells -> one CSV line without its terminator (RFC 4180 quoting: `,` `"` CR LF force quotes)."""
    text = ",".join(cells)
    if text.count(",") == len(cells) - 1 and "\r" not in text and "\n" not in text and '"' not in text:
        return text  # the common case: nothing to quote (a single empty cell is never alone in a row here)
    return ",".join('"' + c.replace('"', '""') + '"' if any(q in c for q in _QUOTE_IF) else c for c in cells)


def csv_line(cells: Iterable[object]) -> str:
    """One row, neutralised and quoted, ending with `\\n` (None is an empty cell)."""
    return quote_cells(neutralise_cells("" if c is None else str(c) for c in cells)) + "\n"


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows (the header first) as CSV text."""
    return "".join(csv_line(row) for row in rows)


def frame_csv(frame: pd.DataFrame) -> str:
    """A DataFrame as CSV text: its header, then its rows; text cells neutralised, numbers left as numbers."""
    columns = [_column_cells(frame[c]) for c in frame.columns] if len(frame.columns) else []
    header = csv_line(str(c) for c in frame.columns)
    return header + "".join(quote_cells(cells) + "\n" for cells in zip(*columns, strict=True))


def _column_cells(column: pd.Series) -> list[str]:
    """One column's cells as text: missing values empty, text neutralised, numbers as `str` writes them."""
    text = pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)
    missing = column.isna().tolist()
    return [
        "" if gone else (neutralise(str(value)) if text else str(value))
        for value, gone in zip(column.tolist(), missing, strict=True)
    ]


def write_csv(path: Path, rows: Iterable[Iterable[object]], bom: bool = False) -> Path:
    """Write rows (the header first) to `path` as a private file (0600; customer data), UTF-8 with an
    optional BOM so Excel reads accents."""
    with open_private(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        for row in rows:
            f.write(csv_line(row))
    return path
