"""The UI-free heart of the workbench: a Klaviyo client and the features built on it.

Every page and the CLI stand on this package. It never imports Streamlit, never prints (except the CLI
modules) and reports progress through callbacks or generators. One folder per feature (`profiles`, `events`,
`tags`, `metrics`, `accounts`, `csvfile`), each with a façade `__init__`; `http` is the client they share.
"""

import typing

from klaviyo_core.http import ApiError, ClientConfig, KlaviyoClient, KlaviyoError, explain

if typing.TYPE_CHECKING:
    from klaviyo_core.notebook import Workbench as Workbench

__all__ = ["ApiError", "ClientConfig", "KlaviyoClient", "KlaviyoError", "explain"]


def __getattr__(name: str) -> object:
    """`from klaviyo_core import Workbench` loads the notebook module (pandas, metrics) only when asked for."""
    if name == "Workbench":
        from klaviyo_core.notebook import Workbench as Workbench

        return Workbench
    raise AttributeError(f"module 'klaviyo_core' has no attribute {name!r}")
