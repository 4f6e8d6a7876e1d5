"""What a workbench writes with: its client, the account name a LIVE write is confirmed with, the LIVE mark.

Why not just the client: DESIGN §1b binds every plan to a `Target` (account id from GET /api/accounts) and asks
a fresh confirmation naming the account for every LIVE write. The client alone knows neither the name the user
knows the account by nor whether they marked a loopback tunnel LIVE, so the workbench keeps both beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from klaviyo_core.accounts import (
    LiveConfirmation,
    LiveWriteNotConfirmed,
    Target,
    confirm_live,
    identify,
    is_live,
)
from klaviyo_core.http import KlaviyoClient
from klaviyo_core.notebook.errors import WorkbenchError, explained


@dataclass(frozen=True)
class Connection:
    client: KlaviyoClient
    name: str  # as `accounts list` shows it; what `confirm_account=` must repeat
    marked_live: bool = False

    @property
    def live(self) -> bool:
        """The one LIVE rule (klaviyo_core.accounts.is_live), nothing else."""
        return is_live(self.client.config.base_url, marked_live=self.marked_live)

    def target(self) -> Target:
        """The identified account (one GET /api/accounts, cached by the core): what plans are bound to."""
        with explained():
            return identify(self.client, self.name, marked_live=self.marked_live)

    def confirmation(self, target: Target, effect: str, typed: str | None, call: str) -> LiveConfirmation | None:
        """A one-write token when `target` is LIVE (None otherwise); without the right name, a refusal before any
        request that says the exact call to make. The typed text is never echoed (a pasted key must not show)."""
        if not target.live:
            return None
        try:
            return confirm_live(target, effect, typed)
        except LiveWriteNotConfirmed:
            given = (
                "The name given as confirm_account= does not match." if typed else "LIVE writes need a confirmation."
            )
            raise WorkbenchError(
                f"Nothing was sent: '{target.name}' is a LIVE account and this would {effect}. {given}\n"
                f"What to do: if that is meant, run {call}(confirm_account={target.name!r})."
            ) from None
