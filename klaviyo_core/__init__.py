"""The UI-free heart of the workbench: a Klaviyo client and the jobs built on it.

Every page and the CLI stand on this package. It never imports Streamlit, never prints (except the CLI
modules) and reports progress through callbacks or generators.
"""

from klaviyo_core.client import KlaviyoClient
from klaviyo_core.config import ClientConfig

__all__ = ["ClientConfig", "KlaviyoClient"]
