"""The core and the sandbox stay UI-free: importing them must not import streamlit."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["klaviyo_core", "klaviyo_core.cli", "klaviyo_sandbox", "klaviyo_spec"])
def test_package_does_not_import_streamlit(package: str) -> None:
    code = f"import sys, {package}; assert 'streamlit' not in sys.modules, 'streamlit was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
