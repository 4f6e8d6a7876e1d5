"""CSV -> Klaviyo profiles: mapping, validation, bulk jobs, progress, a per-row report, resume.

The modules are named after the pipeline stage they hold (mapping, validate, scan, prepare, jobs, sender,
streaming, checkpoint, report); `pipeline.import_profiles` runs them in order."""

from klaviyo_core.csvfile import CsvError, detect_format, preview
from klaviyo_core.profiles.binding import OlderCheckpoint
from klaviyo_core.profiles.checkpoint import Checkpoint, ImportBusy, discard_import, unfinished_imports
from klaviyo_core.profiles.header_table import CONSENT_TARGETS
from klaviyo_core.profiles.jobs import Limits
from klaviyo_core.profiles.mapping import (
    IGNORE,
    PROPERTY_TYPES,
    STANDARD_FIELDS,
    ColumnMapping,
    Mapping,
    MappingError,
    MappingStore,
    parse_map_option,
    suggest_mapping,
)
from klaviyo_core.profiles.pipeline import (
    CHANNELS,
    DECIMALS,
    ImportOptions,
    ImportResult,
    UnfinishedImport,
    import_profiles,
)
from klaviyo_core.profiles.progress import Progress, progress_text
from klaviyo_core.profiles.report import problem_rows, top_problems
from klaviyo_core.profiles.sender import ImportStopped
from klaviyo_core.profiles.uploads import mark_used, release_upload, save_upload, sweep_uploads, upload_name
from klaviyo_core.profiles.validate import ON_BAD_FIELD, ValidationOptions

__all__ = [
    "CHANNELS",
    "CONSENT_TARGETS",
    "DECIMALS",
    "IGNORE",
    "ON_BAD_FIELD",
    "PROPERTY_TYPES",
    "STANDARD_FIELDS",
    "Checkpoint",
    "ColumnMapping",
    "CsvError",
    "ImportBusy",
    "ImportOptions",
    "ImportResult",
    "ImportStopped",
    "Limits",
    "Mapping",
    "MappingError",
    "MappingStore",
    "OlderCheckpoint",
    "Progress",
    "UnfinishedImport",
    "ValidationOptions",
    "detect_format",
    "discard_import",
    "import_profiles",
    "mark_used",
    "parse_map_option",
    "preview",
    "problem_rows",
    "progress_text",
    "release_upload",
    "save_upload",
    "suggest_mapping",
    "sweep_uploads",
    "top_problems",
    "unfinished_imports",
    "upload_name",
]
