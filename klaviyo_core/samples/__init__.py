"""Sample and template CSV files a new user can download from Home (see files.py for why they live here)."""

from klaviyo_core.samples.files import EVENT_ROWS, PROFILE_ROWS, SampleFile, sample_files

__all__ = ["EVENT_ROWS", "PROFILE_ROWS", "SampleFile", "sample_files"]
