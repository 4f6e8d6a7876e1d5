"""The UI-free heart of the workbench: a Klaviyo client and the features built on it.

Every page and the CLI stand on this package. It never imports Streamlit, never prints (except the CLI
modules) and reports progress through callbacks or generators. One folder per feature (`profiles`, `events`,
`tags`, `metrics`, `accounts`, `csvfile`), each with a façade `__init__`; `http` is the client they share.
"""

from klaviyo_core.http import ApiError, ClientConfig, KlaviyoClient, KlaviyoError, explain

__all__ = ["ApiError", "ClientConfig", "KlaviyoClient", "KlaviyoError", "explain"]
