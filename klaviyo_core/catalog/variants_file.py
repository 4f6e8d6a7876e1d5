"""Reading a plain variants CSV (`--variants FILE`): one row per variant, columns VARIANT_COLUMNS (order free,
header case- and space-insensitive), `item_external_id` naming the parent product's external_id.

Store exports that carry variants (Shopify's) are read by files.py into `CatalogFile.variants`; this module is
only for a separate plain file. Rows keep their line numbers so problems and the report point at the file.
"""

from __future__ import annotations

import csv
import io

from klaviyo_core.catalog.files import MAX_FILE_BYTES, VARIANT_COLUMNS, CatalogFileError, SourceRow

REQUIRED = ("external_id", "item_external_id")


def read_variants_file(data: bytes) -> tuple[SourceRow, ...]:
    """Variant rows keyed by VARIANT_COLUMNS; CatalogFileError when the file is unusable as a whole."""
    if len(data) > MAX_FILE_BYTES:
        raise CatalogFileError(f"The variants file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogFileError("The variants file is not UTF-8 text: save it as CSV (UTF-8).") from None
    if "\x00" in text:
        raise CatalogFileError("The variants file is not text: give a CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = ["_".join(cell.strip().lower().split()) for cell in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CatalogFileError(
            f"The variants file's header lacks {', '.join(missing)}. Use the variants template "
            f"({','.join(VARIANT_COLUMNS)})."
        )
    return tuple(
        SourceRow(reader.line_num, {c: cell.strip() for c, cell in zip(header, cells, strict=False) if c})
        for cells in reader
        if any(cell.strip() for cell in cells)
    )
