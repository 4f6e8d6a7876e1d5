"""The offer to resume an unfinished profile import, bound to the account it was sending to (DESIGN §1b).

Why here and not in the page: the same rules hold wherever an import is resumed. An import resumes only on
its own account (a replaced key or a new sandbox port is the same account); on another account the person
may discard it or switch back; one started by an older version, which did not record its account, is
"from an older version": discard it, or adopt it for the current account after saying that is where it was
going. A LIVE resume needs the account's name typed, like every LIVE write (`ui.confirm`).

One banner per unfinished import: the file's own name (not the kept copy's), where it was going (list and
account), how far it got, then Resume / Discard (and "switch back" or "adopt" where the account says so).
Discard also drops the kept copy of the upload, unless another import still needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from klaviyo_app.ui.accounts import choices, set_active
from klaviyo_app.ui.confirm import confirm_box, take_confirmation
from klaviyo_app.ui.text import md, show_text
from klaviyo_core.accounts import LiveConfirmation, Target
from klaviyo_core.profiles import Checkpoint, ImportBusy, discard_import, progress_text, release_upload, upload_name


@dataclass(frozen=True)
class ResumeChoice:
    """The person chose to resume: with this confirmation (LIVE), adopting an older checkpoint or not."""

    confirmation: LiveConfirmation | None
    adopt: bool


def _effect(cp: Checkpoint) -> str:
    return f"resume importing the profiles in {upload_name(cp.file_path)} ({progress_text(cp)})"


def _discard_button(cp: Checkpoint, data_dir: Path) -> None:
    """Keyed by the import, so a click lands only on the import it was shown for."""
    if st.button("Discard it", key=f"profiles_discard_{cp.import_id}", help="Rows already sent stay in Klaviyo."):
        try:
            discard_import(data_dir, cp.import_id)
        except ImportBusy as exc:  # still running somewhere (another tab, a Stop not landed yet)
            show_text("warning", exc)
            return
        release_upload(data_dir, Path(cp.file_path))
        st.rerun()


def _elsewhere(cp: Checkpoint, target: Target, data_dir: Path) -> None:
    """Started on another account: nothing is sent here; offer to discard it or to switch back."""
    recorded = Target.from_dict(cp.target or {})
    show_text(
        "error",
        f"This import belongs to {recorded.label()}, but you are working on {target.label()}. "
        "It can only continue on its own account.",
    )
    discard_col, switch_col = st.columns(2)
    with discard_col:
        _discard_button(cp, data_dir)
    if recorded.name in choices() and switch_col.button(
        md("Switch back to '{name}'", name=recorded.name), key=f"profiles_switch_{cp.import_id}"
    ):
        set_active(recorded.name)
        st.rerun()


def offer_resume(cp: Checkpoint, target: Target, data_dir: Path, where: str = "no list") -> ResumeChoice | None:
    """Render the offer for one unfinished import; returns the person's choice to resume it, if made now.
    `where`: its list in words ("no list", "list VIP (AbC123)"), named by the page that can read lists."""
    show_text(
        "warning",
        f"An import of {upload_name(cp.file_path)} ({where}) did not finish: {progress_text(cp)}. "
        f"It was sending to {cp.target_label}.",
    )
    older = cp.from_older_version
    if not older and not Target.from_dict(cp.target or {}).same_account(target):
        _elsewhere(cp, target, data_dir)
        return None
    if older:
        show_text(
            "info",
            "It was started by an older version of the workbench, which did not record the account it was sending "
            f"to. Resume it on {target.label()} only if that is where it was going; otherwise discard it.",
        )
    key = f"profiles_resume_confirm_{cp.import_id}"
    ready = confirm_box(target, _effect(cp), key)
    label = md("Resume it on '{name}'", name=target.name) if older else "Resume it"
    resume_col, discard_col = st.columns(2)
    with discard_col:
        _discard_button(cp, data_dir)
    if resume_col.button(label, key="profiles_resume", type="primary", disabled=not ready):
        return ResumeChoice(take_confirmation(target, _effect(cp), key), adopt=older)
    return None
