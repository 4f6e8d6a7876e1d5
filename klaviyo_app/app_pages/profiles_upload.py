"""👥 Profile upload: CSV -> preview -> mapping -> validation -> options -> confirm -> progress -> results.

Thin on purpose: widgets, then calls into klaviyo_core.profiles. The uploaded file is kept in the data dir
(named by its fingerprint) so an import interrupted by a closed tab can be resumed from the checkpoint;
klaviyo_core.uploads removes the copy once its import has finished, or after a week unused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import confirm_box, render_refusal, take_confirmation
from klaviyo_app.ui.errors import guarded, render_error
from klaviyo_app.ui.text import md_escape, show_md, show_text
from klaviyo_app.ui.unfinished import offer_resume
from klaviyo_core.accounts import LiveConfirmation, Target, TargetError
from klaviyo_core.csvfile import CsvError, frame_csv, preview
from klaviyo_core.http import KlaviyoError
from klaviyo_core.paths import data_dir
from klaviyo_core.profiles import (
    CHANNELS,
    CONSENT_TARGETS,
    DECIMALS,
    IGNORE,
    ON_BAD_FIELD,
    PROPERTY_TYPES,
    STANDARD_FIELDS,
    ColumnMapping,
    ImportBusy,
    ImportOptions,
    ImportResult,
    ImportStopped,
    Mapping,
    MappingError,
    MappingStore,
    Progress,
    UnfinishedImport,
    import_profiles,
    mark_used,
    problem_rows,
    release_upload,
    save_upload,
    suggest_mapping,
    sweep_uploads,
    top_problems,
    unfinished_imports,
)

DATA_DIR = data_dir("profiles")
CUSTOM = "custom property"


def _keep_upload(upload) -> Path:  # type: ignore[no-untyped-def]
    """The upload, saved once per file (reruns reuse it), where a resumed import can find it again."""
    kept = st.session_state.get("profiles_upload_kept")
    if kept and kept[0] == upload.file_id and Path(kept[1]).exists():
        mark_used(Path(kept[1]))
        return Path(kept[1])
    final = save_upload(DATA_DIR, upload.name, upload.getvalue())
    st.session_state["profiles_upload_kept"] = (upload.file_id, str(final))
    return final


def _sweep_once() -> None:
    """Once per session: drop uploads left unused for a week that no unfinished import needs."""
    if not st.session_state.get("profiles_uploads_swept"):
        st.session_state["profiles_uploads_swept"] = True
        sweep_uploads(DATA_DIR)


@st.cache_data(show_spinner=False, max_entries=4)
def _preview(path: str, size: int, mtime: float):  # type: ignore[no-untyped-def]
    return preview(path, rows=200)


def _list_choice() -> str | None:
    """Pick a list of the active account (or none); falls back to typing an id if lists cannot be read."""
    try:
        lists = {f"{item['attributes']['name']} ({item['id']})": item["id"] for item in _account_lists()}
    except KlaviyoError:
        return st.text_input("Add to list (list id, optional)", key="profiles_list").strip() or None
    label = st.selectbox("Add to list (optional)", ["(no list)", *lists], key="profiles_list_pick")
    return lists.get(label)


def _account_lists() -> list[dict]:  # type: ignore[type-arg]
    client = get_client()
    found = []
    for item in client.iter_resources("/api/lists"):
        found.append(item)
        if len(found) >= 200:
            break
    return found


def _progress_callback() -> Callable[[Progress], None]:
    bar = st.progress(0.0, text="Starting...")

    def show(p: Progress) -> None:
        bar.progress(p.share, text=md_escape(p.text()))

    return show


def _run(
    path: Path,
    mapping: Mapping,
    options: ImportOptions,
    resume: bool = False,
    confirmation: LiveConfirmation | None = None,
    adopt: bool = False,
) -> ImportResult | None:
    client = None if options.dry_run else get_client()
    try:
        return import_profiles(
            client,
            path,
            mapping,
            options,
            data_dir=DATA_DIR,
            resume=resume,
            on_progress=_progress_callback(),
            target=TARGET,
            confirmation=confirmation,
            adopt=adopt,
        )
    except TargetError as exc:
        render_refusal(exc)
    except ImportBusy as exc:
        show_text("warning", str(exc))
    except UnfinishedImport as exc:
        show_md("warning", "{exc} Use **Resume** at the top of the page.", exc=exc)
    except ImportStopped as exc:
        show_text("warning", exc)
    except (CsvError, MappingError, ValueError) as exc:
        show_text("error", exc)
    except KlaviyoError as exc:
        render_error(exc)
    return None


def _show_result(result: ImportResult, key: str) -> None:
    counts = result.counts
    cols = st.columns(5)
    for col, status in zip(
        cols,
        ("valid" if counts["valid"] else "imported", "rejected", "rejected_by_klaviyo", "skipped_duplicate", "pending"),
        strict=True,
    ):
        col.metric(status.replace("_", " "), f"{counts[status]:,}")
    for warning in result.warnings:
        show_text("caption", f"Note: {warning}")
    for note in result.consent:  # "N of M rows will be subscribed (column X)"
        show_text("info", note)
    if result.warned:
        rows = f"{result.warned:,} row{'s' if result.warned != 1 else ''}"
        st.caption(f"{rows} kept with a field left out (a bad optional cell); the report says which.")
    report = result.report_path
    if report is None or not report.exists():
        return
    problems = top_problems(report)
    if not problems.empty:
        st.subheader("Top problems")
        st.dataframe(problems, hide_index=True)
        rows = problem_rows(report)
        st.download_button(
            "Download problem rows", frame_csv(rows).encode("utf-8-sig"), "problems.csv", key=f"{key}_problems"
        )
    st.download_button("Download full report", report.read_bytes(), "report.csv", key=f"{key}_report")
    if result.first_job is not None and counts["valid"]:
        with st.expander(f"Exact JSON of the first job (of {result.plan.get('jobs', 0)})"):
            st.code(json.dumps(result.first_job, indent=2, ensure_ascii=False)[:200_000], language="json")


def _resume_offer() -> None:
    for cp in unfinished_imports(DATA_DIR)[:1]:
        choice = offer_resume(cp, TARGET, DATA_DIR) if TARGET is not None else None  # bound to its account
        if choice is not None:
            options = ImportOptions(**{**cp.options, "subscribe": tuple(cp.options.get("subscribe") or ())})
            result = _run(
                Path(cp.file_path), Mapping.from_json(cp.mapping), options, True, choice.confirmation, choice.adopt
            )
            if result:
                release_upload(DATA_DIR, Path(cp.file_path))
                _show_result(result, "profiles_resumed")


def _mapping_editor(columns: tuple[str, ...], suggested: Mapping) -> Mapping:
    choices = [*STANDARD_FIELDS, *CONSENT_TARGETS, CUSTOM, IGNORE]
    chosen = []
    for i, col in enumerate(suggested.columns):
        left, mid, right = st.columns([2, 2, 1])
        show_md("markdown", "**{column}**", where=left, column=col.column)  # a CSV header: shown as text
        current = CUSTOM if col.is_property else col.target
        target = mid.selectbox(
            "to", choices, choices.index(current), key=f"profiles_map_{i}", label_visibility="collapsed"
        )
        if target == CUSTOM:
            kind = right.selectbox(
                "type",
                PROPERTY_TYPES,
                PROPERTY_TYPES.index(col.type),
                key=f"profiles_type_{i}",
                label_visibility="collapsed",
            )
            name = col.property_name if col.is_property else col.column.strip()
            chosen.append(ColumnMapping(col.column, f"properties.{name}", kind))
        else:
            chosen.append(ColumnMapping(col.column, target))
    return Mapping(tuple(chosen))


def _options() -> ImportOptions | None:
    left, right = st.columns(2)
    country = left.text_input("Default country for phone numbers", "US", key="profiles_country", max_chars=2)
    keep = right.radio(
        "Same person twice in the file",
        ("last", "first"),
        key="profiles_keep",
        horizontal=True,
        format_func=lambda k: f"the {k} row wins",
    )
    list_id = _list_choice()
    subscribe = st.multiselect("Subscribe to marketing (explicit consent)", CHANNELS, key="profiles_subscribe")
    if subscribe and not st.checkbox(
        "These people gave explicit consent for the channels above.", key="profiles_consent"
    ):
        st.info("Subscribing needs explicit consent; tick the box or clear the channels.")
        return None
    bad_left, decimal_right = st.columns(2)
    on_bad_field = bad_left.radio(
        "A bad optional cell (a phone, number or date that is not one)",
        ON_BAD_FIELD,
        key="profiles_on_bad_field",
        format_func=lambda p: "leave that field out, keep the person" if p == "skip-field" else "reject the row",
    )
    decimal = decimal_right.selectbox(
        "Decimal mark in numbers",
        DECIMALS,
        key="profiles_decimal",
        format_func=lambda d: {"auto": "detect (comma in a ; file)", "comma": "comma: 1.234,50"}.get(
            d, "dot: 1,234.50"
        ),
    )
    try:
        return ImportOptions(
            (country or "US").upper(), keep, list_id, tuple(subscribe), on_bad_field=on_bad_field, decimal=decimal
        )
    except ValueError as exc:
        show_text("error", exc)
        return None


def _target() -> Target | None:
    """The account imports go to; None (explained) when it cannot be identified: then only dry runs work."""
    with guarded():
        return get_target()
    return None


def _import_effect(path: Path, options: ImportOptions, counts: dict[str, int]) -> str:
    """What a LIVE confirmation names: how many profiles, from which file, into which list, which consent."""
    effect = f"import {counts.get('to_send', 0):,} profiles from {path.name}"
    if options.list_id:
        effect += f" into list {options.list_id}"
    consent = " and ".join(options.subscribe)
    return effect + (f", recording explicit consent for {consent}" if consent else ", recording no consent")


def _import(path: Path, mapping: Mapping, options: ImportOptions, confirmation: LiveConfirmation | None) -> None:
    result = _run(path, mapping, options, confirmation=confirmation)
    if result:
        release_upload(DATA_DIR, path)  # the report holds every row now; an unfinished import keeps its file
        st.success(f"Done: {result.counts['imported']:,} of {result.total:,} rows imported.")
        _show_result(result, "profiles_done")


st.title("👥 Profile upload")
st.caption("CSV (any encoding, comma/semicolon/tab) → map columns → validate every row → import as bulk jobs.")
TARGET = _target()
_sweep_once()
_resume_offer()
upload = st.file_uploader(
    "Customer CSV",
    type=["csv", "txt", "tsv"],
    key="profiles_file",
    help="A copy is kept on this computer until its import finishes, so an interrupted import can resume.",
)
if upload is None:
    st.stop()
path = _keep_upload(upload)
try:
    fmt, header, sample = _preview(str(path), path.stat().st_size, path.stat().st_mtime)
except CsvError as exc:
    show_text("error", exc)
    st.stop()
show_text("caption", f"Detected: {fmt.describe()} · {len(header.columns)} columns")
for note in header.warnings:
    show_text("caption", f"Note: {note}")
st.dataframe(sample.head(10), key="profiles_preview")

st.subheader("Map columns")
store = MappingStore(DATA_DIR)
saved = st.selectbox("Start from a saved mapping", ["(suggested)", *store.names()], key="profiles_saved_mapping")
suggested = (
    suggest_mapping(header.columns, sample) if saved == "(suggested)" else store.apply(saved, header.columns, sample)
)
try:
    mapping = _mapping_editor(header.columns, suggested)
except MappingError as exc:
    show_text("error", exc)
    st.stop()
name_col, button_col = st.columns([3, 1])
new_name = name_col.text_input("Save this mapping as", key="profiles_mapping_name")
if button_col.button("Save mapping", key="profiles_save_mapping") and new_name:
    try:
        store.save(new_name, mapping)
        show_text("success", f"Saved mapping '{new_name}'.")
    except MappingError as exc:
        show_text("error", exc)
if not mapping.has_identifier():
    st.error("Map at least one column to email, phone_number or external_id.")
    st.stop()

st.subheader("Options")
options = _options()
if options is None:
    st.stop()

st.subheader("Validate, then import")
if st.button("Validate (dry run: nothing is sent)", key="profiles_validate"):
    dry = _run(path, mapping, ImportOptions(**{**options.to_json(), "dry_run": True}))
    if dry:
        st.session_state["profiles_validated"] = (str(path), mapping.to_json(), options.to_json())
        st.session_state["profiles_validated_plan"] = (dict(dry.plan), TARGET.label() if TARGET else "")
        _show_result(dry, "profiles_dry")
validated = st.session_state.get("profiles_validated") == (str(path), mapping.to_json(), options.to_json())
plan, validated_on = st.session_state.get("profiles_validated_plan", ({}, ""))
confirming = validated and TARGET is not None and st.session_state.get("profiles_confirming") == TARGET.label()
if st.button("Import now", key="profiles_import", disabled=not validated or TARGET is None, type="primary"):
    if TARGET is not None and TARGET.live:  # a LIVE import asks first, naming the account and the effect
        st.session_state["profiles_confirming"] = TARGET.label()
        st.rerun()
    _import(path, mapping, options, None)
elif confirming and TARGET is not None:
    if validated_on and validated_on != TARGET.label():
        show_text("info", f"Validated on {validated_on}; this import goes to {TARGET.label()}.")
    effect = _import_effect(path, options, plan)
    if st.button(
        f"Import to LIVE account '{TARGET.name}'",
        key="profiles_import_live",
        type="primary",
        disabled=not confirm_box(TARGET, effect, "profiles_confirm"),
    ):
        st.session_state.pop("profiles_confirming", None)
        _import(path, mapping, options, take_confirmation(TARGET, effect, "profiles_confirm"))
elif not validated:
    st.caption("Validate first: the import button unlocks once you have seen what would be sent.")
