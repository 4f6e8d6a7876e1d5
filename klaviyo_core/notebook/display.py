"""How plans and runs show themselves in Jupyter: an HTML table of escaped text, and a progress bar.

Why escape by hand: `_repr_html_` output is trusted HTML in the notebook, and a column name or a reason can hold
a customer's text (`<img onerror=...>`); DESIGN §1b renders user text as text. Why tqdm only if present: it is
not a dependency of the workbench; without it a plain text line (rewritten with a carriage return) does the job.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TextIO

import pandas as pd

ProgressArg = bool | Callable[[float, str], object]


class Bar(Protocol):
    """What a run moves: `update(share 0..1, the core's words)`, then `close()`."""

    def update(self, share: float, text: str) -> None: ...

    def close(self) -> None: ...


def html_table(title: str, rows: Iterable[tuple[object, object]]) -> str:
    """A two-column table (label, value), every cell escaped."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td style='text-align:left'>"
        f"{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table><caption style='text-align:left'><b>{html.escape(title)}</b></caption>{body}</table>"


def html_frame(title: str, data: pd.DataFrame) -> str:
    """A DataFrame as an HTML table with every header and cell escaped (pandas' own `escape=True`)."""
    if data.empty:
        return ""
    table = data.to_html(index=False, escape=True, border=0)
    return f"<p><b>{html.escape(title)}</b></p>{table}"


class TextLine:
    """One line of progress on a stream, rewritten in place; the notebook (or terminal) is the UI here."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.width = 0
        self.last = ""

    def update(self, share: float, text: str) -> None:
        line = f"{share * 100:3.0f}% {text}"
        if line == self.last:
            return
        self.last = line
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.width:
            self.stream.write("\n")
            self.stream.flush()


class TqdmBar:
    """tqdm's notebook-aware bar (tqdm.auto), 0..100 percent with the core's words beside it."""

    def __init__(self) -> None:
        auto: Any = importlib.import_module("tqdm.auto")
        self.bar: Any = auto.tqdm(total=100, bar_format="{l_bar}{bar}| {desc}", leave=True)

    def update(self, share: float, text: str) -> None:
        self.bar.n = round(share * 100)
        self.bar.set_description_str(text, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


class CallbackBar:
    """The caller's own `progress(share, text)`: for scripts and tests."""

    def __init__(self, callback: Callable[[float, str], object]) -> None:
        self.callback = callback

    def update(self, share: float, text: str) -> None:
        self.callback(share, text)

    def close(self) -> None:
        return None


class NoBar:
    def update(self, share: float, text: str) -> None:
        return None

    def close(self) -> None:
        return None


def progress_bar(progress: ProgressArg) -> Bar:
    """True: tqdm if installed, else a text line on stderr; False: silent; a callable: called with (share, text)."""
    if progress is False:
        return NoBar()
    if callable(progress):
        return CallbackBar(progress)
    if importlib.util.find_spec("tqdm") is not None:
        return TqdmBar()
    return TextLine()
