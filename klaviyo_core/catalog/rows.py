"""What every catalog reader produces, and the parsed table they all start from.

Kept apart from files.py (which picks a reader) so that each reader module can import these types without an
import cycle. A reader turns a `Table` into a `CatalogFile`: product rows keyed by TEMPLATE_COLUMNS, variant
rows keyed by VARIANT_COLUMNS, raw text everywhere (validate.py decides what a cell means), each row with the
line where its record starts so problems point at the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import Enum

MAX_FILE_BYTES = 50 * 1024 * 1024
TEMPLATE_COLUMNS = (
    "external_id",
    "title",
    "description",
    "url",
    "price",
    "image_url",
    "published",
    "images",
    "custom_metadata",
)
TEMPLATE_REQUIRED = ("external_id", "title", "description", "url")
#: One row per variant, in a file of its own (`--variants FILE`) or read from a store export that has variants.
#: `item_external_id` names the parent product's external_id.
VARIANT_COLUMNS = (
    "external_id",
    "item_external_id",
    "title",
    "description",
    "sku",
    "url",
    "price",
    "inventory_quantity",
    "inventory_policy",
    "image_url",
    "published",
)
VARIANT_REQUIRED = (
    "external_id",
    "item_external_id",
    "title",
    "description",
    "sku",
    "url",
    "price",
    "inventory_quantity",
)
DELIMITERS = (",", ";", "\t")


class CatalogFileError(ValueError):
    """The file cannot be used at all (not text, no known header); the message says what to do."""


class Source(Enum):
    TEMPLATE = "plain template"
    SHOPIFY = "Shopify product export"
    WOOCOMMERCE = "WooCommerce product export"
    MERCHANT_CENTER = "Google Merchant Center feed"
    MAPPED = "your columns, mapped"


#: What an unknown header's message lists, so the user knows which exports to reach for.
KNOWN_FORMATS = (
    f"our template ({', '.join(TEMPLATE_REQUIRED)} required), Shopify's product export, WooCommerce's product "
    "export or a Google Merchant Center feed (CSV or TSV); on the Catalog page any other file can be mapped "
    "column by column"
)


@dataclass(frozen=True)
class SourceRow:
    """One product (or variant) as the file gives it: raw text per column, and the line it starts on.

    `decimal_comma` travels with the row (set for semicolon files, where "12,99" is a price) so that every
    checker reads numbers the way the file writes them, whoever calls it."""

    line: int
    values: dict[str, str]
    decimal_comma: bool = False


@dataclass(frozen=True)
class CatalogFile:
    source: Source
    rows: tuple[SourceRow, ...]
    #: Variant rows, values keyed by VARIANT_COLUMNS; empty when the file has none.
    variants: tuple[SourceRow, ...] = ()
    #: Lines with more cells than the header (an unquoted comma shifts their values into the wrong columns).
    ragged_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts (a quoted HTML description may span lines)
    cells: dict[str, str]  # normalised header -> stripped cell


@dataclass(frozen=True)
class Table:
    """A decoded, split file: its header as written and normalised, its non-blank records, its delimiter."""

    header: tuple[str, ...]
    columns: tuple[str, ...]  # normalised: lower case, single spaces
    records: tuple[Record, ...]
    delimiter: str
    ragged_lines: tuple[int, ...] = ()

    @property
    def decimal_comma(self) -> bool:
        return self.delimiter == ";"

    def row(self, line: int, values: dict[str, str]) -> SourceRow:
        return SourceRow(line, values, self.decimal_comma)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM) or UTF-16 with a BOM; otherwise Windows-1252, what Excel writes in
    Western Europe and the Americas (the profile reader's order, csvfile/sniff.py), then Latin-1."""
    if len(data) > MAX_FILE_BYTES:
        raise CatalogFileError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.")
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1252", "latin-1")
    text = ""
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CatalogFileError("This file is not text: upload a CSV file.")
    if "\x00" in text:
        raise CatalogFileError("This file is not text: upload a CSV file (not a spreadsheet or a zip).")
    return text


def norm(cell: str) -> str:
    return " ".join(cell.strip().lower().split())


def _delimiter(first_line: str) -> str:
    """The separator the header uses most (comma on a tie): feeds are often TSV, European Excel uses ';'."""
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def read_table(data: bytes) -> Table:
    """Split a file into header and records; blank records are dropped, every cell is stripped."""
    text = decode(data)
    first = text.split("\n", 1)[0].strip()
    skipped = 0
    if len(first) == 5 and first.lower().startswith("sep="):  # Excel's separator hint line
        delimiter, text, skipped = first[4], text.split("\n", 1)[1] if "\n" in text else "", 1
    else:
        delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = tuple(c.strip() for c in next(reader, []))
    columns = tuple(norm(c) for c in header)
    records: list[Record] = []
    ragged: list[int] = []
    start = reader.line_num + 1 + skipped
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append(Record(start, {k: v.strip() for k, v in zip(columns, cells, strict=False) if k}))
                if any(c.strip() for c in cells[len(columns) :]):  # short rows only lack trailing cells
                    ragged.append(start)
            start = reader.line_num + 1 + skipped
    except csv.Error as exc:
        raise CatalogFileError(f"Line {start} cannot be read ({exc}): check its quotes.") from None
    return Table(header, columns, tuple(records), delimiter, tuple(ragged))


def store_base(store_url: str | None, what: str) -> str:
    """The store's address without a trailing slash; exports that lack product URLs need it."""
    if not store_url or not store_url.strip():
        raise CatalogFileError(
            f"{what} has no product URLs: give your store's address (e.g. https://shop.example.com)."
        )
    return store_url.strip().rstrip("/")
