"""The one LIVE confirmation every page uses: name the account and the effect, take a one-write token.

Why one helper: the rule (DESIGN §1b) is that every LIVE write needs a fresh confirmation naming the account
and summarising the effect, consumed by one write. The core enforces it (`require_live_confirmation`); this
module is the only place pages ask for it, so they all read and behave the same. A typed name is good for one
write: once a token is taken, the box is emptied on the next run, so a second write asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from klaviyo_app.ui.errors import guarded, render_error
from klaviyo_app.ui.text import show_text
from klaviyo_core.accounts import LiveConfirmation, Target, TargetError, confirm_live, prompt
from klaviyo_core.http import explain

CONFIRM_LABEL = "Type the account name to confirm"
T = TypeVar("T")


def _spent(key: str) -> str:
    return f"{key}.spent"


def confirm_box(target: Target, effect: str, key: str, label: str = CONFIRM_LABEL) -> bool:
    """Show what the write does to which LIVE account and a box for its name; True when it may go.

    Off LIVE there is nothing to confirm (True). Call it before the write's button; give a `label` of its own
    when a page has two such boxes."""
    if not target.live:
        return True
    if st.session_state.pop(_spent(key), False):
        st.session_state.pop(key, None)  # the last token was used: this write asks again
    show_text("warning", prompt(target, effect), icon=":material/warning:")
    typed = st.text_input(label, key=key)
    return (typed or "").strip() == target.name.strip()


def take_confirmation(target: Target, effect: str, key: str) -> LiveConfirmation | None:
    """The token for this one write (None off LIVE); raises LiveWriteNotConfirmed when the name is wrong."""
    if not target.live:
        return None
    token = confirm_live(target, effect, st.session_state.get(key))
    st.session_state[_spent(key)] = True
    return token


def render_refusal(exc: TargetError) -> None:
    """A write the core refused (another account, no confirmation): its message, as plain text."""
    show_text("error", str(exc), icon=":material/block:")


@dataclass(frozen=True)
class WriteFailure:
    """Why a confirmed write did not happen: a refusal by the core (another account, no confirmation) or any
    other failure, kept so that a caller which cannot draw yet (an on_click callback) can show it later."""

    error: Exception

    @property
    def refused(self) -> bool:
        return isinstance(self.error, TargetError)

    def text(self) -> str:
        """The failure in plain words: the refusal's own message, else 'what happened. What to do: ...'."""
        if self.refused:
            return str(self.error)
        explanation = explain(self.error)
        return f"{explanation.what} What to do: {explanation.todo}"

    def render(self) -> None:
        if isinstance(self.error, TargetError):
            render_refusal(self.error)
        else:
            render_error(self.error)


def attempt_write(
    target: Target, effect: str, key: str, write: Callable[[LiveConfirmation | None], T]
) -> T | WriteFailure:
    """The confirm -> guard -> refusal sequence without drawing: the write's result, or why it did not happen.

    For on_click callbacks, which run before the page is drawn and keep what they have to say in session state;
    pages drawing in place use `confirmed_write`."""
    with guarded(show=False) as outcome:
        try:
            return write(take_confirmation(target, effect, key))
        except TargetError as exc:
            return WriteFailure(exc)
    assert outcome.failed is not None  # guarded() records every failure it catches
    return WriteFailure(outcome.failed)


def confirmed_write(target: Target, effect: str, key: str, write: Callable[[LiveConfirmation | None], T]) -> T | None:
    """Run one write with this write's token (from the box `key`); None, explained on the page, when the core
    refuses it (another account, no confirmation) or it fails."""
    result = attempt_write(target, effect, key, write)
    if isinstance(result, WriteFailure):
        result.render()
        return None
    return result
