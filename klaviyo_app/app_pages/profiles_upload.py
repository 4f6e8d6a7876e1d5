"""Profile upload: CSV -> preview -> mapping -> validation -> options -> confirm -> progress -> results.

Thin on purpose: widgets, then calls into klaviyo_core.profiles. The uploaded file is kept in the data dir
(named by its fingerprint) so an import interrupted by a closed tab can be resumed from the checkpoint;
klaviyo_core.uploads removes the copy once its import has finished, or after a week unused.

What is shown is what is used: the mapping widgets are keyed by the file's content and the chosen starting
mapping, so a new file or a saved mapping starts from fresh widgets (never from another file's choices by
position). Validations and imports run beside the page (klaviyo_app.ui.background): their results stay in
session state under the key of what produced them, so a download or any other rerun does not wipe them.

Writes a marketer can trust (DESIGN §1b): every import and resume is bound to the account the sidebar names
(`_target`), a LIVE one asks for the account's name first (`ui.confirm`), an unfinished import is offered
only on its own account (`ui.unfinished`), and every file, column, account name or server message is shown
as text (`ui.text`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import streamlit as st

from klaviyo_app.ui.background import BackgroundRun, start_run, wait_briefly
from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import confirm_box, confirmed_write
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.import_options import import_options, list_label
from klaviyo_app.ui.import_results import show_outcome
from klaviyo_app.ui.links import HISTORY, page_link
from klaviyo_app.ui.text import md, md_escape, show_md, show_text
from klaviyo_app.ui.unfinished import offer_resume
from klaviyo_core.accounts import LiveConfirmation, Target
from klaviyo_core.csvfile import CsvError, preview
from klaviyo_core.paths import data_dir
from klaviyo_core.profiles import (
    CONSENT_TARGETS,
    IGNORE,
    PROPERTY_TYPES,
    STANDARD_FIELDS,
    ColumnMapping,
    ImportOptions,
    Mapping,
    MappingError,
    MappingStore,
    import_profiles,
    mark_used,
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
VALIDATED_ON = "profiles_validated_on"  # validation key -> the account it ran on (named when importing elsewhere)
CONFIRMING = "profiles_confirming"  # the import key a LIVE confirmation is being asked for


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


# -- runs beside the page ------------------------------------------------------------------------------
def _start(
    key: str,
    label: str,
    path: Path,
    mapping: Mapping,
    options: ImportOptions,
    target: Target | None,
    resume: bool = False,
    confirmation: LiveConfirmation | None = None,
    adopt: bool = False,
) -> None:
    """Start a validation or an import; the client and the target are chosen here, in the script (they read
    the sidebar), and the core binds the import to `target` before anything is sent."""
    client = None if options.dry_run else get_client()

    def work(stop, on_progress):  # type: ignore[no-untyped-def]
        return import_profiles(
            client,
            path,
            mapping,
            options,
            data_dir=DATA_DIR,
            resume=resume,
            on_progress=on_progress,
            stop=stop,
            target=target,
            confirmation=confirmation,
            adopt=adopt,
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
    st.progress(p.share if p else 0.0, text=md_escape(p.text()) if p else f"Starting the {run.label}...")
    if run.stop.is_set():
        st.caption("Stopping: the rows already sent stay sent; you can resume later.")
    elif st.button("Stop", key="profiles_stop", help="Stops after the current step; the import can be resumed."):
        run.stop.set()
        st.caption("Stopping: the rows already sent stay sent; you can resume later.")


# -- resume --------------------------------------------------------------------------------------------
def _resume_offer(target: Target | None) -> None:
    """The newest unfinished import, offered on its own account only (ui.unfinished: Resume, Discard,
    switch back, adopt); a resume runs beside the page like any import."""
    if _running() is not None:
        return  # the running import has a checkpoint too; it is not "unfinished"
    resumed = st.session_state.get(RESULTS, {}).get("profiles_resumed")
    if resumed is not None:
        show_outcome(resumed, "profiles_resumed")
    if target is None:
        return  # the account could not be identified (explained at the top): nothing can be resumed
    for cp in unfinished_imports(DATA_DIR)[:1]:
        choice = offer_resume(cp, target, DATA_DIR, list_label(cp.options.get("list_id")))
        if choice is not None:
            options = ImportOptions(**{**cp.options, "subscribe": tuple(cp.options.get("subscribe") or ())})
            mapping, path = Mapping.from_json(cp.mapping), Path(cp.file_path)
            confirmation, adopt = choice.confirmation, choice.adopt
            _start("profiles_resumed", "resumed import", path, mapping, options, target, True, confirmation, adopt)
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
    choices = [*STANDARD_FIELDS, *CONSENT_TARGETS, CUSTOM, IGNORE]
    chosen = []
    for col in suggested.columns:
        left, mid, right = st.columns([2, 2, 1])
        show_md("markdown", "**{column}**", where=left, column=col.column)  # a CSV header: shown as text
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
            show_text("success", f"Saved mapping '{new_name}'.")
        except MappingError as exc:
            show_text("error", exc)


# -- the target account ----------------------------------------------------------------------------------
def _target() -> Target | None:
    """The account imports go to; None (explained) when it cannot be identified: then only dry runs work."""
    with guarded():
        return get_target()
    return None


def _import_effect(path: Path, options: ImportOptions, counts: dict[str, int]) -> str:
    """What a LIVE confirmation names: how many profiles, from which file, into which list, which consent."""
    effect = f"import {counts.get('to_send', 0):,} profiles from {upload_name(path)}"
    if options.list_id:
        effect += f" into {list_label(options.list_id)}"
    consent = " and ".join(options.subscribe)
    return effect + (f", recording explicit consent for {consent}" if consent else ", recording no consent")


# -- validate, then import -----------------------------------------------------------------------------
def _validate_and_import(path: Path, mapping: Mapping, options: ImportOptions, target: Target | None) -> None:
    """Two buttons and what they produced: the import unlocks after a validation of exactly these
    inputs, and locks again once they have been imported to this account (until the file, mapping, options
    or account change). A LIVE account is named and confirmed first."""
    inputs = _digest(str(path), mapping.to_json(), options.to_json())
    account = target.label() if target is not None else ""
    dry_key, import_key = f"dry:{inputs}", f"import:{inputs}:{_digest(account)}"
    results = st.session_state.get(RESULTS, {})
    running = _running()
    busy = running is not None
    if st.button("Validate (dry run: nothing is sent)", key="profiles_validate", disabled=busy):
        results.pop(dry_key, None)
        st.session_state.setdefault(VALIDATED_ON, {})[dry_key] = account
        dry = ImportOptions(**{**options.to_json(), "dry_run": True})
        _start(dry_key, "validation", path, mapping, dry, target)
        st.rerun()
    dry_done = results.get(dry_key)
    validated = dry_done is not None and dry_done.result is not None
    imported = results.get(import_key)
    done = imported is not None and imported.result is not None and imported.result.finished
    ready = validated and not done and target is not None
    if st.button("Import now", key="profiles_import", disabled=busy or not ready, type="primary"):
        if target is not None and target.live:  # a LIVE import asks first, naming the account and the effect
            st.session_state[CONFIRMING] = import_key
            st.rerun()
        _start(import_key, "import", path, mapping, options, target)
        st.rerun()
    if ready and not busy and target is not None and st.session_state.get(CONFIRMING) == import_key:
        assert dry_done is not None and dry_done.result is not None
        on = st.session_state.get(VALIDATED_ON, {}).get(dry_key, "")
        _confirm_live(path, mapping, options, target, dry_done.result.plan, on, import_key)
    if running is not None and running.key != "profiles_resumed":
        _live_progress()  # also when the inputs have changed since it started: it is still what is running
    if done:
        st.caption("Imported. Change the file, the mapping, the options or the account to import again.")
    elif not validated:
        st.caption("Validate first: the import button unlocks once you have seen what would be sent.")
    if imported is not None:
        show_outcome(imported, "profiles_done")
    elif dry_done is not None:
        show_outcome(dry_done, "profiles_dry")


def _confirm_live(
    path: Path,
    mapping: Mapping,
    options: ImportOptions,
    target: Target,
    plan: dict[str, int],
    validated_on: str,
    import_key: str,
) -> None:
    """The LIVE account's name typed for this one import (ui.confirm), then the import starts with the token."""
    if validated_on and validated_on != target.label():
        show_text("info", f"Validated on {validated_on}; this import goes to {target.label()}.")
    effect = _import_effect(path, options, plan)
    if st.button(
        md("Import to LIVE account '{name}'", name=target.name),
        key="profiles_import_live",
        type="primary",
        disabled=not confirm_box(target, effect, "profiles_confirm"),
    ):
        st.session_state.pop(CONFIRMING, None)

        def start(token: LiveConfirmation | None) -> bool:
            _start(import_key, "import", path, mapping, options, target, confirmation=token)
            return True

        if confirmed_write(target, effect, "profiles_confirm", start):  # else refused or failed, said on the page
            st.rerun()


def _resumed_progress() -> None:
    running = _running()
    if running is not None and running.key == "profiles_resumed":
        _live_progress()


def _page() -> None:
    """Inputs -> the core (beside the page) -> results, top to bottom."""
    st.title("Profile upload")
    st.caption("CSV (any encoding, comma/semicolon/tab) → map columns → validate every row → import as bulk jobs.")
    page_link(HISTORY, "Earlier imports and their reports: History", ":material/history:")
    target = _target()
    _sweep_once()
    _resume_offer(target)
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
        show_text("error", exc)
        st.stop()
    show_text("caption", f"Detected: {fmt.describe()} · {len(header.columns)} columns")
    for note in header.warnings:
        show_text("caption", f"Note: {note}")
    st.dataframe(sample.head(10), key="profiles_preview")

    st.subheader("Map columns")
    store = MappingStore(DATA_DIR)
    try:
        suggested, scope = _starting_mapping(path, header, sample, store)
        mapping = _mapping_editor(suggested, scope)
    except MappingError as exc:
        show_text("error", exc)
        st.stop()
    _save_mapping_form(store, mapping)
    if not mapping.has_identifier():
        st.error("Map at least one column to email, phone_number or external_id.")
        st.stop()

    st.subheader("Options")
    options = import_options()
    if options is None:
        st.stop()

    st.subheader("Validate, then import")
    _validate_and_import(path, mapping, options, target)


just_imported = _collect_finished_run()
try:
    _page()
finally:  # also after st.stop(); no Streamlit call here (after a stop each one raises again)
    if just_imported is not None:
        release_upload(DATA_DIR, just_imported)
