"""The Catalog page's upload step: a known export is read as it is; any other file is mapped on screen first.

Why apart from the page: the page reads file -> plan -> apply -> report; turning an upload into the
`CatalogFile` the plan reads (which format, the mapping widgets, saving a mapping) lives here.

What is shown is what is used: the mapping the plan reads is built from the widgets on screen, never from a
saved copy behind them. Widget keys name the file's content and the mapping they started from, so another file
or a newly saved mapping starts from fresh widgets, never from another file's choices. A mapping is saved per
header signature and offered again, as the starting point, for the next file with the same columns.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from klaviyo_app.ui.text import show_md, show_text
from klaviyo_core.catalog import (
    METADATA_PREFIX,
    TARGETS,
    CatalogFile,
    CatalogFileError,
    CatalogMapping,
    CatalogMappingStore,
    MappingError,
    detect_source,
    file_columns,
    read_catalog_file,
    suggest_mapping,
)

METADATA = "custom metadata"  # the choice that sends a column as a custom_metadata key named after it
READ_KEY = "catalog_read"  # (what was read: file digest, store URL, mapping; the CatalogFile)
PREVIEW_ROWS = 5


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _read(key: str, data: bytes, store_url: str, mapping: CatalogMapping | None) -> CatalogFile:
    """The file read once per (content, store address, mapping): a rerun of the page does not read it again."""
    stored = st.session_state.get(READ_KEY)
    if stored and stored[0] == key:
        return stored[1]  # type: ignore[no-any-return]
    catalog_file = read_catalog_file(data, store_url=store_url or None, mapping=mapping)
    st.session_state[READ_KEY] = (key, catalog_file)
    return catalog_file


def _ragged(catalog_file: CatalogFile) -> None:
    lines = catalog_file.ragged_lines
    if lines:
        shown = ", ".join(str(n) for n in lines[:10]) + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
        show_text(
            "warning",
            f"Line(s) {shown} have more cells than the header: an unquoted comma shifts their values "
            "into the wrong columns. Check those rows in the plan below, or fix the file and upload it again.",
        )


def catalog_file_from_upload(data: bytes, store_url: str) -> tuple[CatalogFile, str] | None:
    """The upload as the plan will read it, and a key naming what produced it (the mapping on screen included,
    so a changed mapping plans again); None, explained on the page, while it cannot be read."""
    file_key = hashlib.sha256(data).hexdigest()[:16]
    try:
        source = detect_source(data)
        if source is not None:
            catalog_file = _read(_digest(file_key, store_url, source.name), data, store_url, None)
            variants = f" and {len(catalog_file.variants)} variant(s)" if catalog_file.variants else ""
            st.caption(f"Read as a {source.value}: {len(catalog_file.rows)} product(s){variants}.")
            _ragged(catalog_file)
            return catalog_file, source.name
        columns = file_columns(data)
    except CatalogFileError as exc:
        show_text("error", f"This file cannot be used: {exc}")
        return None
    mapping = _mapping_step(file_key, columns)
    if mapping is None:
        return None
    how = json.dumps(mapping.to_json(), sort_keys=True)
    try:
        catalog_file = _read(_digest(file_key, how), data, store_url, mapping)
    except CatalogFileError as exc:
        show_text("error", f"This file cannot be used: {exc}")
        return None
    _ragged(catalog_file)
    preview = pd.DataFrame([r.values for r in catalog_file.rows[:PREVIEW_ROWS]])
    st.caption(f"The first rows as they will be read ({len(catalog_file.rows)} product(s) in all):")
    st.dataframe(preview, hide_index=True, key="catalog_mapped_preview")
    return catalog_file, how


def _mapping_step(file_key: str, columns: tuple[str, ...]) -> CatalogMapping | None:
    store = CatalogMappingStore()
    saved = store.load(columns)
    start = saved or suggest_mapping(columns)
    st.subheader("Map your columns")
    if saved is not None:
        st.caption("These columns were mapped before: starting from the mapping you saved for them.")
    else:
        st.caption(
            "This file is not an export we know, so say which column holds what. Columns left on 'ignore' are "
            f"not sent; '{METADATA}' sends a column as a custom_metadata key named after it."
        )
    try:
        mapping = _mapping_editor(start, _digest(file_key, start.to_json()))
    except MappingError as exc:
        show_text("error", exc)
        return None
    missing = mapping.missing()
    if missing:
        show_text("error", f"Choose a column for {', '.join(missing)}: Klaviyo requires it for every product.")
        return None
    if st.button("Remember this mapping for files with these columns", key="catalog_save_mapping"):
        store.save(mapping)
        show_text("success", "Saved: the next file with these columns starts from this mapping.")
    return mapping


def _mapping_editor(start: CatalogMapping, scope: str) -> CatalogMapping:
    """One row per column; each widget's key names its scope and its position in the header."""
    choices = [*TARGETS, METADATA]
    chosen = []
    for pos, (column, target) in enumerate(start.columns):
        left, right = st.columns([2, 3])
        show_md("markdown", "**{column}**", where=left, column=column)  # a file's header: shown as text
        current = METADATA if target.startswith(METADATA_PREFIX) else target
        picked = right.selectbox(
            "goes to",
            choices,
            choices.index(current),
            key=f"catalog_map_{scope}_{pos}",
            label_visibility="collapsed",
        )
        if picked == METADATA:
            name = target[len(METADATA_PREFIX) :] if target.startswith(METADATA_PREFIX) else column.strip()
            chosen.append((column, f"{METADATA_PREFIX}{name}"))
        else:
            chosen.append((column, picked))
    return CatalogMapping(tuple(chosen))
