"""Any product file: which column goes to which template column, suggested from the header, saved per header.

A file whose header is none of the formats we read (files.py) is mapped: each column goes to a template
column (external_id, title, ...), to `custom_metadata.<name>` (a key of the item's flat custom_metadata
object), or is ignored. Suggestions come from a table of common spellings (as profiles/mapping.py does for
profiles); unknown columns are ignored rather than sent, so nothing leaves the file unless the user says so.

A mapping is saved under its header's signature (the normalised column names, in order): the next file with
the same columns starts from it. The mapping applied is the one given, column for column: one made for other
columns is refused, never stretched to fit.

The CLI says the same thing in words: `--map "Their column=target"` (`with_overrides`) takes the targets the
page offers, `custom_metadata.<name>` included (a bare `custom_metadata` names the key after the column, as the
page's "custom metadata" choice does).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from klaviyo_core.catalog.rows import (
    TEMPLATE_COLUMNS,
    TEMPLATE_REQUIRED,
    CatalogFile,
    CatalogFileError,
    Source,
    Table,
    norm,
)
from klaviyo_core.paths import data_dir, write_private_text

IGNORE = "ignore"
CATEGORIES = "categories"
METADATA_PREFIX = "custom_metadata."
#: Targets a column can take, besides `custom_metadata.<name>` (the template's JSON column is not offered:
#: metadata comes one column per key). `categories` is the template's optional column (plan_categories.py).
TARGETS = (*(c for c in TEMPLATE_COLUMNS if c != "custom_metadata"), CATEGORIES, IGNORE)

_SPELLINGS = {
    "external_id": (
        "externalid",
        "id",
        "sku",
        "productid",
        "itemid",
        "productcode",
        "itemnumber",
        "itemno",
        "articlenumber",
        "articleno",
        "productnumber",
        "productno",
        "partnumber",
    ),
    "title": ("title", "name", "productname", "producttitle", "itemname", "articlename"),
    "description": ("description", "body", "bodyhtml", "longdescription", "productdescription", "details"),
    "url": ("url", "link", "producturl", "productlink", "permalink", "productpage", "pageurl", "weburl"),
    "price": ("price", "regularprice", "unitprice", "retailprice", "listprice", "saleprice", "amount"),
    "image_url": (
        "imageurl",
        "image",
        "imagelink",
        "imagesrc",
        "mainimage",
        "mainpicture",
        "picture",
        "photo",
        "thumbnail",
    ),
    "published": ("published", "active", "enabled", "visible", "status", "online"),
    "images": ("images", "additionalimages", "additionalimagelink", "gallery", "imageurls"),
    "categories": ("categories", "category", "productcategory", "producttype", "collections", "collection"),
}
_LOOKUP = {spelling: (target, rank) for target, names in _SPELLINGS.items() for rank, spelling in enumerate(names)}


class MappingError(ValueError):
    """A mapping that cannot be used as it stands; the message names the column and what to do."""


def _key(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def header_signature(columns: Iterable[str]) -> str:
    """The same columns in the same order (whatever their case or spacing) give the same signature."""
    return hashlib.sha256("\x1f".join(norm(c) for c in columns).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CatalogMapping:
    columns: tuple[tuple[str, str], ...]  # (the column as the header writes it, its target)

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for column, target in self.columns:
            if target not in TARGETS and not (target.startswith(METADATA_PREFIX) and target[len(METADATA_PREFIX) :]):
                raise MappingError(
                    f"Column '{column}' goes to '{target}': use one of {', '.join(TARGETS)} or {METADATA_PREFIX}<name>."
                )
            if target != IGNORE and target in seen:
                raise MappingError(f"Columns '{seen[target]}' and '{column}' both go to {target}: keep one.")
            seen[target] = column

    def target_of(self, column: str) -> str:
        return next((t for c, t in self.columns if c == column), IGNORE)

    def missing(self) -> list[str]:
        """The required template columns no file column goes to (the file cannot be read without them)."""
        mapped = {t for _c, t in self.columns}
        return [c for c in TEMPLATE_REQUIRED if c not in mapped]

    def to_json(self) -> list[dict[str, str]]:
        return [{"column": c, "target": t} for c, t in self.columns]

    @classmethod
    def from_json(cls, doc: Iterable[dict[str, str]]) -> CatalogMapping:
        return cls(tuple((d["column"], d["target"]) for d in doc))

    def with_overrides(self, options: Iterable[str]) -> CatalogMapping:
        """This mapping with each `"Their column=target"` applied; MappingError naming the bad option.

        The column is matched whatever its case or spacing; the text after the last `=` is the target."""
        chosen = dict(self.columns)
        by_norm = {norm(c): c for c, _t in self.columns}
        for option in options:
            column, sep, target = option.rpartition("=")
            found = by_norm.get(norm(column))
            if not sep or not column.strip() or found is None:
                raise MappingError(
                    f'--map {option!r}: write "Their column=target" with one of this file\'s columns: '
                    f"{', '.join(c for c, _t in self.columns)}."
                )
            target = target.strip()
            if target == METADATA_PREFIX.rstrip("."):
                target = METADATA_PREFIX + found.strip()
            chosen[found] = target
        return CatalogMapping(tuple((c, chosen[c]) for c, _t in self.columns))

    def apply(self, table: Table) -> CatalogFile:
        """The file's rows as template rows, exactly as this mapping says."""
        if tuple(c for c, _t in self.columns) != table.header:
            raise CatalogFileError("This mapping was made for other columns: map this file's columns again.")
        missing = self.missing()
        if missing:
            raise CatalogFileError(f"No column goes to {', '.join(missing)}: choose one for each.")
        plain = [(norm(c), t) for c, t in self.columns if t in TEMPLATE_COLUMNS]
        metadata = [(norm(c), t[len(METADATA_PREFIX) :]) for c, t in self.columns if t.startswith(METADATA_PREFIX)]
        categories = next((norm(c) for c, t in self.columns if t == CATEGORIES), None)
        rows = []
        for record in table.records:
            values = dict.fromkeys(TEMPLATE_COLUMNS, "")
            values.update({t: record.cells.get(c, "") for c, t in plain})
            extra = {name: record.cells[c] for c, name in metadata if record.cells.get(c)}
            values["custom_metadata"] = json.dumps(extra, ensure_ascii=False) if extra else ""
            if categories is not None:  # only then: a file without categories leaves the items' categories alone
                values[CATEGORIES] = record.cells.get(categories, "")
            rows.append(table.row(record.line, values))
        return CatalogFile(Source.MAPPED, tuple(rows))


def suggest_mapping(columns: Iterable[str]) -> CatalogMapping:
    """Known spellings to template columns (the best-ranked spelling wins a target); the rest are ignored."""
    columns = list(columns)
    best: dict[str, tuple[int, int]] = {}  # target -> (rank, position) of the column that gets it
    for pos, column in enumerate(columns):
        found = _LOOKUP.get(_key(column))
        if found and (found[0] not in best or (found[1], pos) < best[found[0]]):
            best[found[0]] = (found[1], pos)
    winners = {pos: target for target, (_rank, pos) in best.items()}
    return CatalogMapping(tuple((c, winners.get(pos, IGNORE)) for pos, c in enumerate(columns)))


class CatalogMappingStore:
    """Saved catalog mappings, one JSON file per header signature (0600, in the workbench's data folder)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory or data_dir("catalog")) / "mappings"

    def path_for(self, columns: Iterable[str]) -> Path:
        """Where the mapping for these columns is (or would be) saved: what the CLI names when it reuses one."""
        return self.directory / f"{header_signature(columns)}.json"

    def save(self, mapping: CatalogMapping) -> Path:
        path = self.path_for(c for c, _t in mapping.columns)
        tmp = path.with_suffix(".tmp")
        write_private_text(tmp, json.dumps({"columns": mapping.to_json()}, indent=2, ensure_ascii=False))
        tmp.replace(path)
        return path

    def load(self, columns: Iterable[str]) -> CatalogMapping | None:
        """The mapping saved for these columns, fitted to the header as this file writes it; None if none."""
        columns = list(columns)
        path = self.path_for(columns)
        if not path.exists():
            return None
        try:
            saved = CatalogMapping.from_json(json.loads(path.read_text(encoding="utf-8"))["columns"])
        except (ValueError, KeyError, TypeError):
            return None  # a damaged file: start from the suggestion again
        targets = [t for _c, t in saved.columns]
        return CatalogMapping(tuple(zip(columns, targets, strict=True))) if len(targets) == len(columns) else None
