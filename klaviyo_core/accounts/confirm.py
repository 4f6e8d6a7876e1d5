"""A fresh confirmation for every LIVE write: bound to one target and one effect, consumed by one write.

Why a token and not a flag: a flag (or a typed name kept in a text box) is reused silently, so a second bulk
send, or an import whose plan was made on the sandbox, would reach LIVE without anyone reading what it does.
The person types the account's name after reading `prompt(target, effect)`; `confirm_live` turns that into a
`LiveConfirmation`; the writer calls `require_live_confirmation` right before its first request, which checks
that the token names this very account and marks it used. Writes to a non-LIVE target need no token.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from klaviyo_core.accounts.target import Target, TargetError


class LiveWriteNotConfirmed(TargetError):
    """A LIVE write without a fresh confirmation for this account; nothing was sent."""

    def __init__(self, target: Target, reason: str) -> None:
        super().__init__(f"Nothing was sent to {target.label()}: {reason}")
        self.target = target
        self.reason = reason


def prompt(target: Target, effect: str) -> str:
    """What the person reads before typing the name: the account and what the write will do."""
    return (
        f"This writes to {target.label()}: {effect}. Real customers' data changes and flows may run. "
        f"Type the account name '{target.name}' to confirm this one write."
    )


@dataclass(eq=False)
class LiveConfirmation:
    """Permission for one write of `effect` to `target`."""

    target: Target
    effect: str
    _used: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def used(self) -> bool:
        return self._used

    def consume(self, target: Target) -> None:
        """Mark used, or refuse: a token for another account, or one already spent, confirms nothing."""
        if not self.target.same_account(target) or self.target.name != target.name:
            raise LiveWriteNotConfirmed(target, f"the confirmation was given for {self.target.label()}.")
        with self._lock:
            if self._used:
                raise LiveWriteNotConfirmed(target, "that confirmation was used by an earlier write; confirm again.")
            self._used = True


def confirm_live(target: Target, effect: str, typed_name: str | None) -> LiveConfirmation:
    """The token for a write the person confirmed by typing the account's name (surrounding spaces ignored)."""
    if not target.name.strip() or (typed_name or "").strip() != target.name.strip():
        reason = "the name typed does not match." if typed_name else "a LIVE write needs the account name typed."
        raise LiveWriteNotConfirmed(target, f"{reason} Type '{target.name}' to confirm.")
    return LiveConfirmation(target, effect)


def require_live_confirmation(target: Target, confirmation: LiveConfirmation | None) -> None:
    """Called by every writer before its first request: LIVE needs an unused token for this account."""
    if not target.live:
        return
    if confirmation is None:
        raise LiveWriteNotConfirmed(target, f"a LIVE write needs a confirmation. Type '{target.name}' to confirm.")
    confirmation.consume(target)
