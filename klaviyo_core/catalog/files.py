"""Reading product CSVs: our plain template, or Shopify's product export (one row per variant).

Plain template (column order free, header case- and space-insensitive):
    external_id,title,description,url,price,image_url,published
Shopify's export has no product URL, so its rows need the store's address (`store_url`): an item's URL is
`<store_url>/products/<Handle>`. Its variant rows repeat the Handle with the product columns left blank; the
first row of each Handle carries the product and its first variant's price (variants are not synced yet).
Every row keeps its line number so problems and the report point at the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from charset_normalizer import from_bytes

MAX_FILE_BYTES = 50 * 1024 * 1024
TEMPLATE_COLUMNS = ("external_id", "title", "description", "url", "price", "image_url", "published")
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
SHOPIFY_COLUMNS = {
    "handle": "external_id",
    "title": "title",
    "body (html)": "description",
    "variant price": "price",
    "image src": "image_url",
    "published": "published",
}


class CatalogFileError(ValueError):
    """The file cannot be used at all (not text, no known header); the message says what to do."""


class Source(Enum):
    TEMPLATE = "plain template"
    SHOPIFY = "Shopify product export"


@dataclass(frozen=True)
class SourceRow:
    """One product as the file gives it: raw text per template column, and the line it came from."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class CatalogFile:
    source: Source
    rows: tuple[SourceRow, ...]
    #: Variant rows, values keyed by VARIANT_COLUMNS; empty when the file has none.
    variants: tuple[SourceRow, ...] = ()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise CatalogFileError("This file is not text: upload a CSV file.") from None
        return str(best)


def _norm(cell: str) -> str:
    return " ".join(cell.strip().lower().split())


def read_catalog_file(data: bytes, *, store_url: str | None = None) -> CatalogFile:
    """Parse an upload into products; CatalogFileError when the file is unusable as a whole."""
    if len(data) > MAX_FILE_BYTES:
        raise CatalogFileError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.")
    text = _decode(data)
    if "\x00" in text:
        raise CatalogFileError("This file is not text: upload a CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [_norm(c) for c in next(reader, [])]
    if {"handle", "variant price"} <= set(header):
        records = ((reader.line_num, cells) for cells in reader)  # the line where each record ends
        return CatalogFile(Source.SHOPIFY, _shopify_rows(header, records, store_url))
    header = [h.replace(" ", "_") for h in header]
    missing = [c for c in TEMPLATE_REQUIRED if c not in header]
    if missing:
        raise CatalogFileError(
            f"The header lacks {', '.join(missing)}. Use the template ({','.join(TEMPLATE_COLUMNS)}) "
            "or Shopify's product export."
        )
    rows = tuple(
        SourceRow(reader.line_num, {c: cell.strip() for c, cell in zip(header, cells, strict=False)})
        for cells in reader
        if any(cell.strip() for cell in cells)
    )
    return CatalogFile(Source.TEMPLATE, rows)


def _shopify_rows(
    header: list[str], records: Iterator[tuple[int, list[str]]], store_url: str | None
) -> tuple[SourceRow, ...]:
    if not store_url:
        raise CatalogFileError(
            "Shopify's export has no product URLs: give your store's address (e.g. https://shop.example.com)."
        )
    base = store_url.rstrip("/")
    seen: set[str] = set()
    rows: list[SourceRow] = []
    for line, cells in records:
        raw = dict(zip(header, cells, strict=False))
        handle = raw.get("handle", "").strip()
        if not handle or handle in seen:
            continue  # a variant or image row of a product already read
        seen.add(handle)
        values = {ours: raw.get(theirs, "").strip() for theirs, ours in SHOPIFY_COLUMNS.items()}
        values["url"] = f"{base}/products/{handle}"
        rows.append(SourceRow(line, values))
    return tuple(rows)
