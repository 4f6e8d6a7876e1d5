"""An import is bound to the account it writes to (DESIGN §1b): the target lives inside the checkpoint.

Why: a resume used to go to whichever account was active at the time, so an import started on a sandbox
could push the rest of a file into a LIVE store. Now the first run records its target (the account id from
GET /api/accounts, with name, base URL and key fingerprint to show), a resume on another account is refused
naming both, and a checkpoint written before targets were recorded resumes only when the user adopts it for
the current account (`adopt=True`, after confirming it) or is discarded.
"""

from __future__ import annotations

from typing import Any

from klaviyo_core.accounts.confirm import LiveConfirmation, require_live_confirmation
from klaviyo_core.accounts.target import Target, TargetError, check_same_target, target_or_own
from klaviyo_core.profiles.checkpoint import Checkpoint


class OlderCheckpoint(TargetError):
    """An unfinished import from before targets were recorded: resume only after adopting it, or discard it."""

    def __init__(self, checkpoint: Checkpoint, current: Target) -> None:
        super().__init__(
            f"This unfinished import of {checkpoint.file_path} is from an older version that did not record "
            f"which account it was sending to. Nothing was sent. Discard it, or adopt it for {current.label()} "
            "if that is where it was going (CLI: --adopt)."
        )
        self.checkpoint = checkpoint
        self.current = current


def bind(cp: Checkpoint, fresh: bool, target: Target, adopt: bool) -> None:
    """Record the target on a new checkpoint; on a resumed one, refuse any other account."""
    if fresh or (cp.target is None and adopt):
        cp.target = target.to_dict()
        return
    if cp.target is None:
        raise OlderCheckpoint(cp, target)
    check_same_target("unfinished import", Target.from_dict(cp.target), target)


def guard_send(
    client: Any, cp: Checkpoint, fresh: bool, target: Target | None, confirmation: LiveConfirmation | None, adopt: bool
) -> Target:
    """Everything checked before the first request of a (resumed) import: binding, then LIVE confirmation."""
    current = target_or_own(client, target)
    bind(cp, fresh, current, adopt)
    require_live_confirmation(current, confirmation)
    return current
