"""User and server text shown as text, never as markdown (DESIGN §1b "Nothing leaks").

Why: `st.markdown`, `st.error/warning/info/success`, `st.caption` and widget labels render GitHub-flavoured
markdown (plus Streamlit's `:color[...]`, `:material/...:` and `$LaTeX$`). A CSV header `![p](http://x)` made
the page fetch a remote image; `[session expired: re-enter your key](http://x)` drew a convincing fake link.
Streamlit 1.67 offers no escape function, and its HTML is already escaped (`unsafe_allow_html=False`), so
text from a file, an account, the server or an exception goes through `md_escape` before it reaches markdown.
CommonMark lets any ASCII punctuation be backslash-escaped and an escaped character is always literal (spec
§2.4, "Backslash escapes"). We escape every character that can open a construct where it can open one:
`\\` (so the user's own backslashes stay), `[ ]` (links, images, footnotes, Streamlit's `:color[...]`), `<`
(HTML, autolinks), `` ` * ~ | & `` (code, emphasis, strikethrough, tables, entities), `$` when there are two
(LaTeX), `_` where it could open emphasis (after a non-letter: `KLAVIYO_API_KEY` and `pk_...` stay readable;
a `_` that cannot open has nothing to close), and `- + = > #` or `1.` at a line's start (lists, rules,
headings, quotes). Parentheses, `!`, `:` and `.` elsewhere open nothing once brackets are escaped, so ordinary
messages read unchanged. (A bare `http://...` may still show as a link to itself: GFM finds those in plain
text; it cannot pose as anything else.)

Use `show_text(kind, text)` when the whole message is such text, and `show_md(kind, template, **values)` when
fixed markdown wording holds such values (each value escaped, the wording not). Where no markdown is needed at
all, `st.text`/`st.code`/`st.dataframe` show text as text already.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import streamlit as st

Kind = Literal["error", "warning", "info", "success", "caption", "markdown"]
_ALWAYS = re.compile(r"([\\`*\[\]<~|&])")
_UNDERSCORE = re.compile(r"(?<![^\W_])_")  # after a letter or digit, `_` can never open emphasis
_LINE_MARK = re.compile(r"^([ \t]*)([-+=>#])", re.MULTILINE)
_LINE_NUMBER = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)


def md_escape(value: object) -> str:
    """`value` as markdown that renders as exactly its characters (see the module docstring for the set)."""
    text = _ALWAYS.sub(r"\\\1", str(value))
    if text.count("$") > 1:  # one `$` alone opens no maths
        text = text.replace("$", "\\$")
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _LINE_MARK.sub(r"\1\\\2", text)
    return _LINE_NUMBER.sub(r"\1\\\2", text)


def md(template: str, **values: object) -> str:
    """Fixed markdown `template` with `{name}` fields filled by escaped `values`."""
    return template.format(**{name: md_escape(value) for name, value in values.items()})


def show_text(kind: Kind, text: object, icon: str | None = None, where: Any = None) -> None:
    """Text from a user, a file or a server, as an alert, a caption or a paragraph: shown as typed.
    `where` is a container (a column, the sidebar); the page by default."""
    _render(kind, md_escape(text), icon, where)


def show_md(kind: Kind, template: str, icon: str | None = None, where: Any = None, **values: object) -> None:
    """Fixed markdown wording with user or server `values` in it (`{name}` fields), the values as text."""
    _render(kind, md(template, **values), icon, where)


def _render(kind: Kind, body: str, icon: str | None, where: Any) -> None:
    show = getattr(st if where is None else where, kind)
    if kind in ("caption", "markdown"):
        show(body)
    else:
        show(body, icon=icon)
