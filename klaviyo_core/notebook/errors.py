"""How the notebook says something went wrong: `WorkbenchError` with "what happened / what to do", no traceback.

Why one exception: a notebook user reads the last cell's output, not a 40-frame stack through the client. The
core's failures (API refusals, accounts, refused writes, unusable input) all arrive here already explained;
the exception chain is dropped so no request, header or key rides along in `__cause__`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from klaviyo_core.accounts import AccountNotFound, CredentialsError, TargetError
from klaviyo_core.csvfile import CsvError
from klaviyo_core.http import KlaviyoError, UnsafeTarget, explain


class WorkbenchError(Exception):
    """A failure in plain words: what happened, then what to do (shown instead of a traceback wall)."""

    def _render_traceback_(self) -> list[str]:
        """IPython shows only this message for this exception, without the stack."""
        return [f"{type(self).__name__}: {self}"]


@contextmanager
def explained() -> Iterator[None]:
    """Turn the core's errors into `WorkbenchError(explain(exc))`; the chain is dropped so no request leaks."""
    try:
        yield
    except TargetError as exc:  # a refused write: the core's message already names both accounts
        raise WorkbenchError(str(exc)) from None
    except CsvError as exc:
        raise WorkbenchError(f"The data cannot be read as a table: {exc}\nWhat to do: check the DataFrame.") from None
    except (KlaviyoError, AccountNotFound, CredentialsError, UnsafeTarget) as exc:
        raise WorkbenchError(str(explain(exc))) from None


def frame(resources: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per JSON:API resource: `id`, then its attributes flattened (`location.city`)."""
    rows = [{"id": item.get("id"), **(item.get("attributes") or {})} for item in resources]
    return pd.json_normalize(rows) if rows else pd.DataFrame({"id": pd.Series(dtype="string")})
