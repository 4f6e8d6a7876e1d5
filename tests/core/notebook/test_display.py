"""How plans show themselves: escaped HTML tables, and the progress line used when tqdm is not installed."""

from __future__ import annotations

import io

import pandas as pd

from klaviyo_core.notebook.display import CallbackBar, NoBar, TextLine, html_frame, html_table, progress_bar


def test_html_tables_escape_every_cell() -> None:
    page = html_table("<Plan>", [("<b>label</b>", "<script>x</script>")])
    assert "<script>" not in page and "<b>label" not in page and "&lt;Plan&gt;" in page
    frame = html_frame("Problems", pd.DataFrame({"<th>": ["<td>&"]}))
    assert "&lt;th&gt;" in frame and "&lt;td&gt;&amp;" in frame
    assert html_frame("Nothing", pd.DataFrame()) == ""


def test_text_line_rewrites_one_line_and_ends_it() -> None:
    out = io.StringIO()
    line = TextLine(out)
    line.update(0.5, "Checked 2 of 4 rows")
    line.update(0.5, "Checked 2 of 4 rows")  # the same words are not written twice
    line.update(1.0, "Sent 2")
    line.close()
    assert out.getvalue() == "\r 50% Checked 2 of 4 rows\r100% Sent 2" + " " * 13 + "\n"


def test_progress_choices() -> None:
    assert isinstance(progress_bar(False), NoBar)
    assert isinstance(progress_bar(lambda share, text: None), CallbackBar)
    assert type(progress_bar(True)).__name__ in {"TextLine", "TqdmBar"}
