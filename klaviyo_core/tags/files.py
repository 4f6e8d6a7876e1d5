"""Reading tag CSV files: detect the shape from the header, check every row, keep line numbers.

Three shapes (column order free, header names case- and space-insensitive):
- `tag_group,tag[,exclusive]`: the groups and tags that should exist (missing ones are created).
- `resource_type,resource,tag[,tag_group][,action]`: tag (or, with action=remove, untag) lists, segments,
  campaigns and flows, named by id or exact name (no tag_group: the default group).
- `email,label`: profile labels. Klaviyo cannot tag profiles; these become a list-valued custom profile
  property (see labels.py).
Headers people actually write (`Type,Name,Tag`, `Tag Group`, `Resource ID`) are read through SYNONYMS; a
header that still fits no shape is rejected as a whole (TagFileError, which carries the file's header so the
page can offer a column mapping, `read_tag_file(data, mapping=...)`). A bad row is kept with its problem, so
the plan can report it and the other rows still go ahead.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from enum import Enum

from charset_normalizer import from_bytes

from klaviyo_core.csvfile.write import csv_text

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
RESOURCE_TYPES = {
    "list": "list",
    "lists": "list",
    "segment": "segment",
    "segments": "segment",
    "campaign": "campaign",
    "campaigns": "campaign",
    "flow": "flow",
    "flows": "flow",
}
ADD_ACTIONS = {"", "add", "assign", "tag"}
REMOVE_ACTIONS = {"remove", "untag", "delete"}
TRUE = {"true", "yes", "y", "1", "exclusive"}
FALSE = {"", "false", "no", "n", "0"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Shape(Enum):
    GROUPS = "tag groups and tags"
    ASSIGNMENTS = "tag assignments"
    PROFILE_LABELS = "profile labels"


REQUIRED = {
    Shape.GROUPS: ("tag_group", "tag"),
    Shape.ASSIGNMENTS: ("resource_type", "resource", "tag"),
    Shape.PROFILE_LABELS: ("email", "label"),
}
OPTIONAL = {Shape.GROUPS: ("exclusive",), Shape.ASSIGNMENTS: ("tag_group", "action"), Shape.PROFILE_LABELS: ()}
#: Every column name the shapes know, in the order a mapping offers them.
FIELDS = ("resource_type", "resource", "tag_group", "tag", "action", "exclusive", "email", "label")
#: Common header names (normalised) -> the column they mean; a file's own canonical name always wins.
SYNONYMS = {
    "type": "resource_type",
    "resource": "resource",
    "kind": "resource_type",
    "object_type": "resource_type",
    "name": "resource",
    "id": "resource",
    "resource_id": "resource",
    "resource_name": "resource",
    "object": "resource",
    "group": "tag_group",
    "tag_group_name": "tag_group",
    "taggroup": "tag_group",
    "tag_name": "tag",
    "tags": "tag",
    "exclusive_group": "exclusive",
    "email_address": "email",
    "labels": "label",
}


class TagFileError(ValueError):
    """The file as a whole cannot be used (not CSV, unknown header, empty, too large). `header` is the file's
    header when that is what was not recognised (the page then offers a column mapping), else empty."""

    def __init__(self, message: str, header: list[str] | None = None) -> None:
        super().__init__(message)
        self.header = header or []


@dataclass(frozen=True)
class TagRow:
    line: int  # 1-based line in the file (the header is line 1)
    values: dict[str, str]
    problem: str = ""  # why this row cannot be used, or ""

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class TagFile:
    shape: Shape
    columns: list[str]
    rows: list[TagRow] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[TagRow]:
        return [r for r in self.rows if r.problem]


def normalise_header(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise TagFileError("This file is not text: upload a CSV file.") from None
        return str(best)


def detect_shape(columns: list[str], header: list[str] | None = None) -> Shape:
    present = set(columns)
    for shape in (Shape.ASSIGNMENTS, Shape.GROUPS, Shape.PROFILE_LABELS):
        if set(REQUIRED[shape]) <= present:
            return shape
    expected = "; ".join(",".join(REQUIRED[s]) + "".join(f"[,{o}]" for o in OPTIONAL[s]) for s in Shape)
    shown = ",".join(header if header is not None else columns) or "(empty)"
    raise TagFileError(f"Unrecognised header {shown}. Expected one of: {expected}.", header or columns)


def canonical_columns(header: list[str], mapping: dict[str, str] | None = None) -> list[str]:
    """The column each header cell means: the user's `mapping` (header cell -> field) first, then the
    normalised name, then a synonym when the file does not also carry that field under its own name."""
    mapping = mapping or {}
    names = [normalise_header(h) for h in header]
    own = {n for h, n in zip(header, names, strict=True) if h not in mapping and n in FIELDS}
    out = []
    for cell, name in zip(header, names, strict=True):
        if cell in mapping:
            out.append(mapping[cell] or name)
        elif name in FIELDS or SYNONYMS.get(name) in own:
            out.append(name)
        else:
            out.append(SYNONYMS.get(name, name))
    return out


def read_tag_file(data: bytes | str, mapping: dict[str, str] | None = None) -> TagFile:
    """Parse a CSV upload into a TagFile; raises TagFileError when the file cannot be used at all. `mapping`
    names what a header cell means when the header is not one the reader recognises."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise TagFileError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.")
        data = decode(data)
    if "\x00" in data:
        raise TagFileError("This file is not text: upload a CSV file.")
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=_delimiter(data))
    try:
        header = next(reader, [])
        columns = canonical_columns(header, mapping)
        if len(set(columns)) != len(columns):
            raise TagFileError(f"The header repeats a column: {','.join(header)}.", header)
        shape = detect_shape(columns, header)
        out = TagFile(shape, columns)
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue  # blank lines are not rows
            if len(out.rows) >= MAX_ROWS:
                raise TagFileError(f"The file has more than {MAX_ROWS:,} rows; split it.")
            out.rows.append(_check_row(shape, columns, reader.line_num, raw))
    except csv.Error as exc:
        raise TagFileError(f"This is not valid CSV: {exc}.") from None
    if not out.rows:
        raise TagFileError("The file has a header but no rows.")
    return out


def _delimiter(text: str) -> str:
    """Comma, or the semicolon/tab that spreadsheet exports in some locales use, judged from the header."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=lambda d: (header.count(d), d == ","))


def _check_row(shape: Shape, columns: list[str], line: int, raw: list[str]) -> TagRow:
    if len(raw) != len(columns):
        values = dict(zip(columns, (c.strip() for c in raw), strict=False))
        return TagRow(line, values, f"expected {len(columns)} values, found {len(raw)}")
    values = {c: v.strip() for c, v in zip(columns, raw, strict=True)}
    return TagRow(line, values, _problem(shape, values))


def _problem(shape: Shape, v: dict[str, str]) -> str:
    if shape is Shape.PROFILE_LABELS:
        if not _EMAIL.match(v["email"]):
            return f"'{v['email']}' is not an email address"
        return "" if v["label"] else "label is empty"
    if shape is Shape.GROUPS:
        if not v["tag_group"]:
            return "tag_group is empty"
        if v.get("exclusive", "").lower() not in TRUE | FALSE:
            return f"exclusive must be true or false, not '{v['exclusive']}'"
        return ""
    kind = v["resource_type"].lower()
    if kind in ("profile", "profiles"):
        return "profiles cannot be tagged in Klaviyo; use an email,label file for profile labels"
    if kind not in RESOURCE_TYPES:
        return f"resource_type must be list, segment, campaign or flow, not '{v['resource_type']}'"
    if not v["resource"]:
        return "resource is empty (give an id or the exact name)"
    if not v["tag"]:
        return "tag is empty"
    if v.get("action", "").lower() not in ADD_ACTIONS | REMOVE_ACTIONS:
        return f"action must be add or remove, not '{v['action']}'"
    return ""


def is_exclusive(value: str) -> bool:
    return value.strip().lower() in TRUE


def is_remove(row: TagRow) -> bool:
    return row.get("action").lower() in REMOVE_ACTIONS


TEMPLATES = {
    Shape.ASSIGNMENTS: [
        ["resource_type", "resource", "tag_group", "tag", "action"],
        ["campaign", "Summer Sale", "Season", "Summer", "add"],
        ["flow", "Welcome Series", "", "Onboarding", "add"],
        ["list", "Newsletter", "Season", "Winter", "remove"],
    ],
    Shape.GROUPS: [["tag_group", "tag", "exclusive"], ["Season", "Summer", "true"], ["Season", "Winter", "true"]],
    Shape.PROFILE_LABELS: [["email", "label"], ["ana@example.com", "vip"], ["ben@example.com", "wholesale"]],
}
TEMPLATE_FILES = {
    Shape.ASSIGNMENTS: "tag-assignments-template.csv",
    Shape.GROUPS: "tag-groups-template.csv",
    Shape.PROFILE_LABELS: "profile-labels-template.csv",
}


def template_csv(shape: Shape) -> str:
    """A small example file of one shape, to download and fill in (through the one CSV writer)."""
    return csv_text(TEMPLATES[shape])
