"""Reading product files: which format a header is, and the reader for it.

Formats, tried in this order on the header (case- and space-insensitive; comma, semicolon or tab separated;
UTF-8 with or without a BOM, or Excel's legacy encodings):
- Shopify's product export (shopify.py): Handle + Variant Price;
- WooCommerce's product export (woocommerce.py): Type, SKU, Name, Regular price;
- our plain template: external_id, title, description, url (+ price, image_url, published, images: a
  comma-separated list of URLs, custom_metadata: a flat JSON object), column order free;
- a Google Merchant Center feed (merchant_feed.py): id, title, link.
Any other header is read through a mapping (mapping.py) the user confirms; without one it is refused with a
message that lists what we read.

A variants file of its own (`--variants FILE`) has one row per variant under VARIANT_COLUMNS' names
(column order free, same header rules); `item_external_id` names each variant's item.
"""

from __future__ import annotations

import dataclasses

from klaviyo_core.catalog.mapping import CatalogMapping
from klaviyo_core.catalog.merchant_feed import is_merchant_feed, read_merchant_feed
from klaviyo_core.catalog.rows import (
    KNOWN_FORMATS,
    MAX_FILE_BYTES,
    TEMPLATE_COLUMNS,
    TEMPLATE_REQUIRED,
    VARIANT_COLUMNS,
    VARIANT_REQUIRED,
    CatalogFile,
    CatalogFileError,
    Source,
    SourceRow,
    Table,
    read_table,
)
from klaviyo_core.catalog.shopify import is_shopify, read_shopify
from klaviyo_core.catalog.woocommerce import is_woocommerce, read_woocommerce

__all__ = [
    "MAX_FILE_BYTES",
    "TEMPLATE_COLUMNS",
    "VARIANT_COLUMNS",
    "CatalogFile",
    "CatalogFileError",
    "Source",
    "SourceRow",
    "detect_source",
    "file_columns",
    "read_catalog_file",
    "read_variants_file",
]


def _template_columns(table: Table) -> tuple[str, ...]:
    return tuple(c.replace(" ", "_") for c in table.columns)


def _is_template(table: Table) -> bool:
    return set(TEMPLATE_REQUIRED) <= set(_template_columns(table))


def _detect(table: Table) -> Source | None:
    checks = (
        (Source.SHOPIFY, is_shopify),
        (Source.WOOCOMMERCE, is_woocommerce),
        (Source.TEMPLATE, _is_template),
        (Source.MERCHANT_CENTER, is_merchant_feed),
    )
    return next((source for source, check in checks if check(table)), None)


def detect_source(data: bytes) -> Source | None:
    """Which format the file's header is, or None when its columns need a mapping."""
    return _detect(read_table(data))


def file_columns(data: bytes) -> tuple[str, ...]:
    """The header as the file writes it (what a mapping is made of)."""
    return read_table(data).header


def read_catalog_file(
    data: bytes, *, store_url: str | None = None, mapping: CatalogMapping | None = None
) -> CatalogFile:
    """Parse an upload into products (and variants); CatalogFileError when the file is unusable as a whole.

    With a mapping the file is read through it, whatever its header; without one the header must be a
    format we know. `ragged_lines` lists the records whose cells do not line up with the header."""
    table = read_table(data)
    read = _read(table, store_url, mapping)
    return dataclasses.replace(read, ragged_lines=table.ragged_lines) if table.ragged_lines else read


def _read(table: Table, store_url: str | None, mapping: CatalogMapping | None) -> CatalogFile:
    if mapping is not None:
        return mapping.apply(table)
    source = _detect(table)
    if source is Source.SHOPIFY:
        return read_shopify(table, store_url)
    if source is Source.WOOCOMMERCE:
        return read_woocommerce(table, store_url)
    if source is Source.MERCHANT_CENTER:
        return read_merchant_feed(table)
    if source is Source.TEMPLATE:
        return _read_template(table)
    missing = [c for c in TEMPLATE_REQUIRED if c not in _template_columns(table)]
    raise CatalogFileError(
        f"The header lacks {', '.join(missing)}, and is not one of the formats we read: {KNOWN_FORMATS}."
    )


def _read_template(table: Table) -> CatalogFile:
    columns = _template_columns(table)
    rows = tuple(
        table.row(
            record.line, {new: record.cells.get(old, "") for old, new in zip(table.columns, columns, strict=True)}
        )
        for record in table.records
    )
    return CatalogFile(Source.TEMPLATE, rows)


def read_variants_file(data: bytes) -> tuple[SourceRow, ...]:
    """A variants file's rows, keyed by VARIANT_COLUMNS; CatalogFileError when its header lacks a required one."""
    table = read_table(data)
    columns = _template_columns(table)
    missing = [c for c in VARIANT_REQUIRED if c not in columns]
    if missing:
        raise CatalogFileError(
            f"The variants file's header lacks {', '.join(missing)}. Its columns are {', '.join(VARIANT_COLUMNS)} "
            "(inventory_policy, image_url and published may be left out)."
        )
    return tuple(
        table.row(
            record.line, {new: record.cells.get(old, "") for old, new in zip(table.columns, columns, strict=True)}
        )
        for record in table.records
    )
