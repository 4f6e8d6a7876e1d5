"""The offer to resume an unfinished profile import, bound to the account it was sending to (DESIGN §1b).

Why here and not in the page: the same rules hold wherever an import is resumed. An import resumes only on
its own account (a replaced key or a new sandbox port is the same account); on another account the person
may discard it or switch back; one started by an older version, which did not record its account, is
"from an older version": discard it, or adopt it for the current account after saying that is where it was
going. A LIVE resume needs the account's name typed, like every LIVE write (`ui.confirm`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from klaviyo_app.ui.accounts import choices, set_active
from klaviyo_app.ui.confirm import confirm_box, take_confirmation
from klaviyo_app.ui.text import md, show_md, show_text
from klaviyo_core.accounts import LiveConfirmation, Target
from klaviyo_core.profiles import Checkpoint, discard_import, progress_text


@dataclass(frozen=True)
class ResumeChoice:
    """The person chose to resume: with this confirmation (LIVE), adopting an older checkpoint or not."""

    confirmation: LiveConfirmation | None
    adopt: bool


def _effect(cp: Checkpoint) -> str:
    return f"resume importing the profiles in {Path(cp.file_path).name} ({progress_text(cp)})"


def _discard_button(cp: Checkpoint, data_dir: Path) -> None:
    if st.button("Discard it", key=f"profiles_discard_{cp.import_id}"):
        discard_import(data_dir, cp.import_id)
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


def offer_resume(cp: Checkpoint, target: Target, data_dir: Path) -> ResumeChoice | None:
    """Render the offer for one unfinished import; returns the person's choice to resume it, if made now."""
    show_md(
        "warning",
        "An import of **{name}** did not finish: {progress}.",
        name=Path(cp.file_path).name,
        progress=progress_text(cp),
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
    if resume_col.button(label, key="profiles_resume", disabled=not ready):
        return ResumeChoice(take_confirmation(target, _effect(cp), key), adopt=older)
    return None
