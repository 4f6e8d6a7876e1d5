"""The notebook façade: `Workbench` (DataFrames out; plans in, run with DESIGN §1b's rules) and its plans.

Modules: workbench (the entry point), connection (client + the account name LIVE writes are confirmed with),
reads, profiles and profile_import, tag_apply, display (HTML tables, progress), errors (WorkbenchError)."""

from klaviyo_core.notebook.errors import WorkbenchError
from klaviyo_core.notebook.profile_import import ProfileImportPlan
from klaviyo_core.notebook.tag_apply import TagPlan
from klaviyo_core.notebook.workbench import Workbench

__all__ = ["ProfileImportPlan", "TagPlan", "Workbench", "WorkbenchError"]
