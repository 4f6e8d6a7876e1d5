"""Consent in bulk from a CSV: subscribe, unsubscribe, suppress or unsuppress, planned before anything is sent.

consent_file = read_consent_file(path, RowRules(channels=("email",)))   # per-row checks; ConsentFileError
plan = plan_consent(client, consent_file, ConsentOptions("unsubscribe", list_id=...), target=t)  # reads only
plan.counts(); plan.shown_apart(); plan.warnings; plan.effect()       # what changes, what is held apart, why
result = apply_consent(client, plan, target=t, confirmation=c)         # batches, jobs polled, resumable
write_report(path, plan, result)
"""

from klaviyo_core.consent.apply import (
    BATCH,
    FAILED,
    PATHS,
    REPORT_COLUMNS,
    SENT,
    ConsentResult,
    apply_consent,
    batches,
    first_request,
    report_csv_rows,
    report_rows,
    write_report,
)
from klaviyo_core.consent.plan import (
    ACTIONS,
    CHANGE,
    HELD,
    INVALID,
    STATUSES,
    SUBSCRIBE,
    SUPPRESS,
    UNCHANGED,
    UNSUBSCRIBE,
    UNSUPPRESS,
    Change,
    ConsentOptions,
    ConsentPlan,
    ConsentPlanError,
    plan_consent,
)
from klaviyo_core.consent.rows import (
    CHANNELS,
    DEFAULT_SMS_REGIONS,
    EMAIL,
    SMS,
    ConsentFile,
    ConsentFileError,
    ConsentRow,
    RowRules,
    read_consent_file,
    read_consent_upload,
)

__all__ = [
    "ACTIONS",
    "BATCH",
    "CHANGE",
    "CHANNELS",
    "DEFAULT_SMS_REGIONS",
    "EMAIL",
    "FAILED",
    "HELD",
    "INVALID",
    "PATHS",
    "REPORT_COLUMNS",
    "SENT",
    "SMS",
    "STATUSES",
    "SUBSCRIBE",
    "SUPPRESS",
    "UNCHANGED",
    "UNSUBSCRIBE",
    "UNSUPPRESS",
    "Change",
    "ConsentFile",
    "ConsentFileError",
    "ConsentOptions",
    "ConsentPlan",
    "ConsentPlanError",
    "ConsentResult",
    "ConsentRow",
    "RowRules",
    "apply_consent",
    "batches",
    "first_request",
    "plan_consent",
    "read_consent_file",
    "read_consent_upload",
    "report_csv_rows",
    "report_rows",
    "write_report",
]
