"""Tags from a CSV: read the file, plan against the account, apply the plan; profile labels as properties."""

from klaviyo_core.tags.apply import apply_plan, plan_tag_file, report_csv, report_rows
from klaviyo_core.tags.files import FIELDS, TEMPLATE_FILES, Shape, TagFileError, read_tag_file, template_csv
from klaviyo_core.tags.labels import (
    MERGE,
    REPLACE,
    ImportsStillRunning,
    LabelError,
    LabelPlan,
    plan_labels,
    send_labels,
)
from klaviyo_core.tags.plan import (
    ASSIGN,
    CREATE,
    REMOVE,
    SKIP,
    UNCHANGED,
    AccountState,
    Group,
    Plan,
    PlanRow,
    Resource,
    Tag,
    make_plan,
)
from klaviyo_core.tags.state import TagUsage, overview_csv, overview_rows, tag_overview

__all__ = [
    "ASSIGN",
    "CREATE",
    "FIELDS",
    "MERGE",
    "REMOVE",
    "REPLACE",
    "SKIP",
    "TEMPLATE_FILES",
    "UNCHANGED",
    "AccountState",
    "Group",
    "ImportsStillRunning",
    "LabelError",
    "LabelPlan",
    "Plan",
    "PlanRow",
    "Resource",
    "Shape",
    "Tag",
    "TagFileError",
    "TagUsage",
    "apply_plan",
    "make_plan",
    "overview_csv",
    "overview_rows",
    "plan_labels",
    "plan_tag_file",
    "read_tag_file",
    "report_csv",
    "report_rows",
    "send_labels",
    "tag_overview",
    "template_csv",
]
