"""A local, persistent, Klaviyo-compatible HTTP server: the app's default target and the tests' real one.

What it models, and what it does not, is written down in README.md ("The sandbox").
"""

from klaviyo_sandbox.config import KeySpec, SandboxConfig
from klaviyo_sandbox.server import SandboxServer

__all__ = ["KeySpec", "SandboxConfig", "SandboxServer"]
