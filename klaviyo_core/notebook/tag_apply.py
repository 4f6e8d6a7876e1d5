"""`wb.tags.plan_apply(df)` then `plan.run()`: tag groups, tags and assignments from a DataFrame.

The DataFrame goes through the tags feature's own reader (`read_tag_file`, as the page's upload and the CLI's
file do), so the shapes, header synonyms and row checks are the same; `plan_tag_file` reads the account and
binds the plan to it; `apply_plan` refuses another account and a LIVE one without a fresh confirmation. Profile
labels (an `email,label` table) are a profile property import, not tags: the CLI's `tags import --property`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from klaviyo_core.notebook.connection import Connection
from klaviyo_core.notebook.display import ProgressArg, html_frame, html_table, progress_bar
from klaviyo_core.notebook.errors import WorkbenchError, explained
from klaviyo_core.tags import SKIP, Plan, Shape, TagFileError, apply_plan, plan_tag_file, read_tag_file, report_rows


def _frame_rows(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows).set_index("line") if rows else pd.DataFrame()


@dataclass
class TagPlan:
    """The tag changes a DataFrame asks for, read against the account; `run()` applies exactly these."""

    connection: Connection = field(repr=False)
    plan: Plan = field(repr=False)
    ran: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Rows per planned action: create, assign, remove, unchanged, skip."""
        return {k: v for k, v in self.plan.counts().items() if v}

    @property
    def report(self) -> pd.DataFrame:
        """Every row with its planned action and why (indexed by the row's line in the table, header = 1)."""
        return _frame_rows(report_rows(self.plan))

    def summary(self) -> list[tuple[str, object]]:
        target = self.plan.target
        rows: list[tuple[str, object]] = [("Account", target.label() if target else "")]
        rows += [("Shape", self.plan.shape.value), ("Rows", len(self.plan.rows))]
        rows += list(self.plan.summary().items())
        rows += [("Warning", w) for w in self.plan.warnings]
        live = bool(target and target.live)
        rows += [("Next", "plan.run()" + (" with confirm_account=" if live else "") if self.plan.writes else "nothing")]
        return rows

    def _repr_html_(self) -> str:
        skipped = self.report[self.report["plan"] == SKIP] if self.counts.get(SKIP) else pd.DataFrame()
        return html_table("Tag plan", self.summary()) + html_frame("Skipped rows", skipped.reset_index())

    def __repr__(self) -> str:
        return "TagPlan(" + "; ".join(f"{k}: {v}" for k, v in self.summary()) + ")"

    def run(self, *, confirm_account: str | None = None, progress: ProgressArg = True) -> pd.DataFrame:
        """Apply the plan; returns every row with `plan`, `status` and `message`. A LIVE account needs
        `confirm_account=` naming it, for this run; another account than the plan's is refused."""
        if self.ran:
            raise WorkbenchError(
                "This plan has already run.\nWhat to do: plan again with wb.tags.plan_apply(...) to see what is left."
            )
        current = self.connection.target()
        effect = f"make {self.plan.writes} tag change(s)"
        confirmation = self.connection.confirmation(current, effect, confirm_account, "plan.run")
        bar = progress_bar(progress)
        try:
            with explained():
                result = apply_plan(
                    self.connection.client,
                    self.plan,
                    on_progress=lambda done, total, text: bar.update(done / total if total else 1.0, text),
                    target=current,
                    confirmation=confirmation,
                )
        finally:
            bar.close()
        self.ran = True
        report = _frame_rows(report_rows(self.plan, result))
        report.attrs["counts"] = result.counts()
        return report


def plan_apply(connection: Connection, data: pd.DataFrame) -> TagPlan:
    """Read the account and plan every row of `data` (nothing is written)."""
    if not isinstance(data, pd.DataFrame):
        raise WorkbenchError(f"plan_apply takes a pandas DataFrame, not {type(data).__name__}.")
    try:
        tag_file = read_tag_file(data.to_csv(index=False))
    except TagFileError as exc:
        raise WorkbenchError(f"{exc}\nWhat to do: name the columns as a tag file does (tag_group, tag).") from None
    if tag_file.shape is Shape.PROFILE_LABELS:
        raise WorkbenchError(
            "An email,label table is profile labels: Klaviyo cannot tag profiles.\n"
            "What to do: they become a list-valued profile property with the CLI: tags import FILE --property NAME."
        )
    target = connection.target()
    with explained():
        plan = plan_tag_file(connection.client, tag_file, target=target)
    return TagPlan(connection, plan)
