"""Talking to Klaviyo: one client, one transport (retries, rate limits, pagination), one error table, plain-word
explanations. Every feature stands on this package."""

from klaviyo_core.http.client import CHECK_DEADLINE_SECONDS, ApiResponse, KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.http.errors import ApiError, KlaviyoError, TransportError
from klaviyo_core.http.explain import explain
from klaviyo_core.http.origin import UnsafeTarget, check_target, host_warning
from klaviyo_core.http.redaction import key_digest

__all__ = [
    "CHECK_DEADLINE_SECONDS",
    "ApiError",
    "ApiResponse",
    "ClientConfig",
    "KlaviyoClient",
    "KlaviyoError",
    "TransportError",
    "UnsafeTarget",
    "check_target",
    "explain",
    "host_warning",
    "key_digest",
]
