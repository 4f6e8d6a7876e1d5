"""Named accounts and where their keys come from. (Stub: the Keys issue builds the keyring store here.)"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from klaviyo_core.config import LIVE_BASE_URL
from klaviyo_spec import SPEC_REVISION

ENV_KEY = "KLAVIYO_API_KEY"


class AccountNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ResolvedAccount:
    name: str
    api_key: str | None = field(repr=False)
    base_url: str = LIVE_BASE_URL
    revision: str = SPEC_REVISION


def resolve_account(name: str | None) -> ResolvedAccount:
    """The account to use: a named one, or (name None) the KLAVIYO_API_KEY environment variable."""
    if name is None and os.environ.get(ENV_KEY):
        return ResolvedAccount("environment", os.environ[ENV_KEY])
    if name is None:
        raise AccountNotFound(f"No account chosen: pass --account NAME, set {ENV_KEY}, or use --sandbox.")
    raise AccountNotFound(f"No saved account named {name!r}; saved accounts arrive with the Keys page.")
