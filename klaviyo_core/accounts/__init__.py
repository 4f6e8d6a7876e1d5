"""Saved accounts (keys in the OS keyring), key checks, who a key belongs to, the one LIVE rule, the target a
write is bound to, and the one-write confirmation every LIVE write needs."""

from klaviyo_core.accounts.abilities import PAGE_NEEDS, page_abilities
from klaviyo_core.accounts.confirm import (
    LiveConfirmation,
    LiveWriteNotConfirmed,
    confirm_live,
    prompt,
    require_live_confirmation,
)
from klaviyo_core.accounts.key_format import PUBLIC_VS_PRIVATE, check_key_format
from klaviyo_core.accounts.probe import AccountInfo, KeyReport, check_key, fetch_account
from klaviyo_core.accounts.records import AccountRecord
from klaviyo_core.accounts.store import (
    ENV_ACCOUNT_NAME,
    ENV_KEY,
    SANDBOX,
    AccountNotFound,
    AccountStore,
    CredentialsError,
    InvalidKey,
    KeyringUnavailable,
    ResolvedAccount,
    env_account,
    keyring_available,
    resolve_account,
    validate_base_url,
    validate_name,
    validate_revision,
)
from klaviyo_core.accounts.target import (
    LIVE_ENV,
    Target,
    TargetError,
    TargetMismatch,
    TargetUnknown,
    account_id_of,
    check_same_target,
    env_marked_live,
    forget_cached_ids,
    identify,
    is_live,
    is_loopback_url,
)
from klaviyo_core.http.config import LIVE_BASE_URL
from klaviyo_core.http.redaction import mask_key

__all__ = [
    "ENV_ACCOUNT_NAME",
    "ENV_KEY",
    "LIVE_BASE_URL",
    "LIVE_ENV",
    "PAGE_NEEDS",
    "PUBLIC_VS_PRIVATE",
    "SANDBOX",
    "AccountInfo",
    "AccountNotFound",
    "AccountRecord",
    "AccountStore",
    "CredentialsError",
    "InvalidKey",
    "KeyReport",
    "KeyringUnavailable",
    "LiveConfirmation",
    "LiveWriteNotConfirmed",
    "ResolvedAccount",
    "Target",
    "TargetError",
    "TargetMismatch",
    "TargetUnknown",
    "account_id_of",
    "check_key",
    "check_key_format",
    "check_same_target",
    "confirm_live",
    "env_account",
    "env_marked_live",
    "fetch_account",
    "forget_cached_ids",
    "identify",
    "is_live",
    "is_loopback_url",
    "keyring_available",
    "mask_key",
    "page_abilities",
    "prompt",
    "require_live_confirmation",
    "resolve_account",
    "validate_base_url",
    "validate_name",
    "validate_revision",
]
