"""A CSV pasted together from a UTF-8 and a Windows-1252 export is not silently garbled (issue 14.10)."""

from __future__ import annotations

from pathlib import Path

from klaviyo_core.csvfile import detect_format
from klaviyo_core.csvfile.reader import preview


def _mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"email,first_name\n"
        + "ana@example.com,José\n".encode()
        + b"bob@example.com,Bob\n"
        + "zoe@example.com,Zoë\n".encode("cp1252")  # line 4
        + "eve@example.com,Renée\n".encode()
    )
    return path


def test_a_mixed_file_is_warned_naming_the_first_bad_line(tmp_path: Path) -> None:
    fmt, header, _ = preview(_mixed(tmp_path))
    assert fmt.encoding == "cp1252"
    assert len(header.warnings) == 1
    assert "line 4" in header.warnings[0] and "CSV UTF-8" in header.warnings[0]


def test_a_plain_windows_1252_file_is_not_warned(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes("email,first_name\nzoe@example.com,Zoë\nana@example.com,José\n".encode("cp1252"))
    assert detect_format(path).warnings == ()


def test_a_utf8_file_is_not_warned(tmp_path: Path) -> None:
    path = tmp_path / "utf8.csv"
    path.write_text("email,first_name\nzoe@example.com,Zoë\n", encoding="utf-8")
    assert detect_format(path).warnings == ()
