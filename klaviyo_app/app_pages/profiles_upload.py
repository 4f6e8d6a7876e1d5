"""👥 Profile upload: CSV -> preview -> mapping -> validation -> options -> confirm -> progress -> results.

Thin on purpose: widgets, then calls into klaviyo_core.profiles. The uploaded file is kept in the data dir
(named by its fingerprint) so an import interrupted by a closed tab can be resumed from the checkpoint;
klaviyo_core.uploads removes the copy once its import has finished, or after a week unused.

What is shown is what is used: the mapping widgets are keyed by the file's content and the chosen starting
mapping, so a new file or a saved mapping starts from fresh widgets (never from another file's choices by
position). Validations and imports run beside the page (klaviyo_app.ui.background): their results stay in
session state under the key of what produced them, so a download or any other rerun does not wipe them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import streamlit as st

from klaviyo_app.ui.background import BackgroundRun, start_run, wait_briefly
from klaviyo_app.ui.client import get_client
from klaviyo_app.ui.import_results import show_outcome
from klaviyo_core.csvfile import CsvError, preview
from klaviyo_core.http import KlaviyoError
from klaviyo_core.paths import data_dir
from klaviyo_core.profiles import (
    CHANNELS,
    IGNORE,
    PROPERTY_TYPES,
    STANDARD_FIELDS,
    ColumnMapping,
    ImportOptions,
    Mapping,
    MappingError,
    MappingStore,
    discard_import,
    import_profiles,
    mark_used,
    progress_text,
    release_upload,
    save_upload,
    suggest_mapping,
    sweep_uploads,
    unfinished_imports,
    upload_name,
)

DATA_DIR = data_dir("profiles")
CUSTOM = "custom property"
SUGGESTED = "(suggested)"
RUN = "profiles_run"  # the BackgroundRun of this session (one at a time)
RESULTS = "profiles_results"  # run key -> Outcome, kept across reruns


# -- the file ------------------------------------------------------------------------------------------
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


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:12]


# -- lists of the account ------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, ttl=30)
def _lists_of(base_url: str, account: str) -> dict[str, str]:
    """List id -> name (at most 200), read once per 30 s rather than on every rerun of the page."""
    found: dict[str, str] = {}
    for item in get_client().iter_resources("/api/lists"):
        found[item["id"]] = item["attributes"]["name"]
        if len(found) >= 200:
            break
    return found


def _account_lists() -> dict[str, str]:
    client = get_client()
    return _lists_of(client.config.base_url, str(st.session_state.get("active_account")))


def _list_choice() -> str | None:
    """Pick a list of the active account (or none); falls back to typing an id if lists cannot be read."""
    try:
        lists = {f"{name} ({list_id})": list_id for list_id, name in _account_lists().items()}
    except KlaviyoError:
        return st.text_input("Add to list (list id, optional)", key="profiles_list").strip() or None
    label = st.selectbox("Add to list (optional)", ["(no list)", *lists], key="profiles_list_pick")
    return lists.get(label)


def _list_label(list_id: str | None) -> str:
    if not list_id:
        return "no list"
    try:
        name = _account_lists().get(list_id)
    except KlaviyoError:
        name = None
    return f"list {name} ({list_id})" if name else f"list {list_id}"


# -- runs beside the page ------------------------------------------------------------------------------
def _start(key: str, label: str, path: Path, mapping: Mapping, options: ImportOptions, resume: bool = False) -> None:
    """Start a validation or an import; the client is chosen here, in the script (it reads the sidebar)."""
    client = None if options.dry_run else get_client()

    def work(stop, on_progress):  # type: ignore[no-untyped-def]
        return import_profiles(
            client, path, mapping, options, data_dir=DATA_DIR, resume=resume, on_progress=on_progress, stop=stop
        )

    run = start_run(key, label, work)
    st.session_state[RUN] = run
    st.session_state["profiles_run_file"] = str(path)
    wait_briefly(run, 1.0)


def _collect_finished_run() -> Path | None:
    """Move a finished run's outcome to the results (before anything is drawn, so the page shows it).

    Returns the file of an import that has just finished: the report holds every row now, so its kept copy
    is removed once the page is drawn (an unfinished import keeps its file; a later rerun keeps it again).
    """
    run: BackgroundRun | None = st.session_state.get(RUN)
    if run is None or run.outcome is None:
        return None
    st.session_state.setdefault(RESULTS, {})[run.key] = run.outcome
    del st.session_state[RUN]
    finished = run.label != "validation" and run.outcome.result is not None
    return Path(st.session_state["profiles_run_file"]) if finished else None


def _running() -> BackgroundRun | None:
    return st.session_state.get(RUN)


@st.fragment(run_every=1.0)
def _live_progress() -> None:
    """The running import's bar and Stop button; redrawn alone every second, the whole page once it ends."""
    run = _running()
    if run is None or wait_briefly(run, 0.5) is not None:  # an end is shown at once, not a second later
        st.rerun()
    p = run.progress
    st.progress(p.share if p else 0.0, text=p.text() if p else f"Starting the {run.label}...")
    if run.stop.is_set():
        st.caption("Stopping: the rows already sent stay sent; you can resume later.")
    elif st.button("Stop", key="profiles_stop", help="Stops after the current step; the import can be resumed."):
        run.stop.set()
        st.caption("Stopping: the rows already sent stay sent; you can resume later.")


# -- resume --------------------------------------------------------------------------------------------
def _resume_offer() -> None:
    """The newest unfinished import: its file's own name, where it was going, Resume or Discard."""
    if _running() is not None:
        return  # the running import has a checkpoint too; it is not "unfinished"
    resumed = st.session_state.get(RESULTS, {}).get("profiles_resumed")
    if resumed is not None:
        show_outcome(resumed, "profiles_resumed")
    for cp in unfinished_imports(DATA_DIR)[:1]:
        where = _list_label(cp.options.get("list_id"))
        st.warning(f"An import of {upload_name(cp.file_path)} ({where}) did not finish: {progress_text(cp)}.")
        resume_col, discard_col = st.columns([1, 1])
        if resume_col.button("Resume it", key="profiles_resume", type="primary"):
            options = ImportOptions(**{**cp.options, "subscribe": tuple(cp.options.get("subscribe") or ())})
            path = Path(cp.file_path)
            _start("profiles_resumed", "resumed import", path, Mapping.from_json(cp.mapping), options, resume=True)
            st.rerun()
        if discard_col.button("Discard it", key="profiles_discard", help="Rows already sent stay in Klaviyo."):
            discard_import(DATA_DIR, cp.import_id)
            release_upload(DATA_DIR, Path(cp.file_path))
            st.rerun()


# -- mapping and options -------------------------------------------------------------------------------
def _starting_mapping(path: Path, header, sample, store: MappingStore) -> tuple[Mapping, str]:  # type: ignore[no-untyped-def]
    """The mapping the widgets start from, and the scope of their keys (this file + this starting point)."""
    file_scope = path.name.split("-", 1)[0]  # the kept copy's name starts with its content's hash
    choices = [SUGGESTED, *store.names()]
    saved = st.selectbox("Start from a saved mapping", choices, key=f"profiles_saved_mapping_{file_scope}")
    if saved == SUGGESTED:
        return suggest_mapping(header.columns, sample), _digest(file_scope, SUGGESTED)
    return store.apply(saved, header.columns, sample), _digest(file_scope, saved, store.load(saved).to_json())


def _mapping_editor(suggested: Mapping, scope: str) -> Mapping:
    """One row per column; each widget's key names its file scope and its column, never its position."""
    choices = [*STANDARD_FIELDS, CUSTOM, IGNORE]
    chosen = []
    for col in suggested.columns:
        left, mid, right = st.columns([2, 2, 1])
        left.markdown(f"**{col.column}**")
        current = CUSTOM if col.is_property else col.target
        key = f"profiles_map_{scope}_{col.column}"
        target = mid.selectbox("to", choices, choices.index(current), key=key, label_visibility="collapsed")
        if target == CUSTOM:
            kind = right.selectbox(
                "type",
                PROPERTY_TYPES,
                PROPERTY_TYPES.index(col.type),
                key=f"profiles_type_{scope}_{col.column}",
                label_visibility="collapsed",
            )
            name = col.property_name if col.is_property else col.column.strip()
            chosen.append(ColumnMapping(col.column, f"properties.{name}", kind))
        else:
            chosen.append(ColumnMapping(col.column, target))
    return Mapping(tuple(chosen))


def _save_mapping_form(store: MappingStore, mapping: Mapping) -> None:
    name_col, button_col = st.columns([3, 1])
    new_name = name_col.text_input("Save this mapping as", key="profiles_mapping_name")
    if button_col.button("Save mapping", key="profiles_save_mapping") and new_name:
        try:
            store.save(new_name, mapping)
            st.success(f"Saved mapping '{new_name}'.")
        except MappingError as exc:
            st.error(str(exc))


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
    try:
        return ImportOptions((country or "US").upper(), keep, list_id, tuple(subscribe))
    except ValueError as exc:
        st.error(str(exc))
        return None


# -- validate, then import -----------------------------------------------------------------------------
def _validate_and_import(path: Path, mapping: Mapping, options: ImportOptions) -> None:
    """Two buttons and what they produced: the import unlocks after a validation of exactly these
    inputs, and locks again once they have been imported (until the file, mapping or options change)."""
    inputs = _digest(str(path), mapping.to_json(), options.to_json())
    dry_key, import_key = f"dry:{inputs}", f"import:{inputs}"
    results = st.session_state.get(RESULTS, {})
    running = _running()
    busy = running is not None
    if st.button("Validate (dry run: nothing is sent)", key="profiles_validate", disabled=busy):
        results.pop(dry_key, None)
        dry = ImportOptions(**{**options.to_json(), "dry_run": True})
        _start(dry_key, "validation", path, mapping, dry)
        st.rerun()
    dry_done = results.get(dry_key)
    validated = dry_done is not None and dry_done.result is not None
    imported = results.get(import_key)
    done = imported is not None and imported.result is not None and imported.result.finished
    if st.button("Import now", key="profiles_import", disabled=busy or not validated or done, type="primary"):
        _start(import_key, "import", path, mapping, options)
        st.rerun()
    if running is not None and running.key != "profiles_resumed":
        _live_progress()  # also when the inputs have changed since it started: it is still what is running
    if done:
        st.caption("Imported. Change the file, the mapping or the options to import again.")
    elif not validated:
        st.caption("Validate first: the import button unlocks once you have seen what would be sent.")
    if imported is not None:
        show_outcome(imported, "profiles_done")
    elif dry_done is not None:
        show_outcome(dry_done, "profiles_dry")


def _resumed_progress() -> None:
    running = _running()
    if running is not None and running.key == "profiles_resumed":
        _live_progress()


def _page() -> None:
    """Inputs -> the core (beside the page) -> results, top to bottom."""
    st.title("👥 Profile upload")
    st.caption("CSV (any encoding, comma/semicolon/tab) → map columns → validate every row → import as bulk jobs.")
    _sweep_once()
    _resume_offer()
    _resumed_progress()
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
        st.error(str(exc))
        st.stop()
    st.caption(f"Detected: {fmt.describe()} · {len(header.columns)} columns")
    for note in header.warnings:
        st.caption(f"Note: {note}")
    st.dataframe(sample.head(10), key="profiles_preview")

    st.subheader("Map columns")
    store = MappingStore(DATA_DIR)
    try:
        suggested, scope = _starting_mapping(path, header, sample, store)
        mapping = _mapping_editor(suggested, scope)
    except MappingError as exc:
        st.error(str(exc))
        st.stop()
    _save_mapping_form(store, mapping)
    if not mapping.has_identifier():
        st.error("Map at least one column to email, phone_number or external_id.")
        st.stop()

    st.subheader("Options")
    options = _options()
    if options is None:
        st.stop()

    st.subheader("Validate, then import")
    _validate_and_import(path, mapping, options)


just_imported = _collect_finished_run()
try:
    _page()
finally:  # also after st.stop(); no Streamlit call here (after a stop each one raises again)
    if just_imported is not None:
        release_upload(DATA_DIR, just_imported)
