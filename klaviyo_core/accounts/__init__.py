"""Saved accounts (keys in the OS keyring), key checks, and who a key belongs to."""

from klaviyo_core.accounts.key_format import PUBLIC_VS_PRIVATE, check_key_format
from klaviyo_core.accounts.probe import AccountInfo, KeyReport, check_key, fetch_account
from klaviyo_core.accounts.records import AccountRecord, is_live_url
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
from klaviyo_core.http.config import LIVE_BASE_URL
from klaviyo_core.http.redaction import mask_key

__all__ = [
    "ENV_ACCOUNT_NAME",
    "ENV_KEY",
    "LIVE_BASE_URL",
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
    "ResolvedAccount",
    "check_key",
    "check_key_format",
    "env_account",
    "fetch_account",
    "is_live_url",
    "keyring_available",
    "mask_key",
    "resolve_account",
    "validate_base_url",
    "validate_name",
    "validate_revision",
]
