"""The Streamlit app of Klaviyo Workbench (pages and UI helpers); `__version__` is the one Home shows."""

__version__ = "0.1.0"  # kept equal to pyproject.toml's [project] version (tests/app/test_home.py checks)
