"""The CSV reader on good files in every encoding/delimiter, and on a corpus of broken ones."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from klaviyo_core.csvfile.reader import CsvReader, preview
from klaviyo_core.csvfile.sniff import CsvError, detect_format, file_fingerprint

TEXT = 'Email;First Name;Note\njosé@example.com;José;"two\nlines"\nb@example.com;Zoë;ok\n'


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with CsvReader(path, chunk_rows=2) as reader:
        return [(int(line), row.to_dict()) for chunk in reader for line, row in chunk.frame.iterrows()]


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", TEXT.encode("utf-8")),
        ("utf-8-sig", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
        ("utf-16", TEXT.encode("utf-16")),
        ("utf-16-le", TEXT.encode("utf-16-le")),
        ("cp1252", TEXT.replace("é", "é").encode("cp1252")),
    ],
)
def test_encodings_and_quoted_newlines(tmp_path: Path, encoding: str, data: bytes) -> None:
    path = _write(tmp_path, "in.csv", data)
    fmt = detect_format(path)
    assert fmt.encoding == encoding and fmt.delimiter == ";"
    rows = _rows(path)
    assert [line for line, _ in rows] == [2, 4]  # the second record starts after the quoted newline
    assert rows[0][1] == {"Email": "josé@example.com", "First Name": "José", "Note": "two\nlines"}
    assert rows[1][1]["First Name"] == "Zoë"


def test_utf8_invalid_late_in_file_falls_back_to_cp1252(tmp_path: Path) -> None:
    data = b"email,name\n" + b"a@example.com,plain\n" * 10_000 + "z@example.com,Müller\n".encode("cp1252")
    path = _write(tmp_path, "late.csv", data)
    assert detect_format(path).encoding == "cp1252"
    assert _rows(path)[-1][1]["name"] == "Müller"


@pytest.mark.parametrize(("delimiter", "expected"), [(",", ","), (";", ";"), ("\t", "\t"), ("|", "|")])
def test_delimiter_sniffing(tmp_path: Path, delimiter: str, expected: str) -> None:
    body = delimiter.join(["email", "first_name", "city"]) + "\n"
    body += delimiter.join(["a@example.com", '"Smith, Jo; Jr"', "Paris"]) + "\n"
    path = _write(tmp_path, "d.csv", body.encode())
    assert detect_format(path).delimiter == expected
    assert _rows(path)[0][1]["first_name"] == "Smith, Jo; Jr"


def test_single_column_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "one.csv", b"email\na@example.com\nb@example.com\n")
    assert [r["email"] for _, r in _rows(path)] == ["a@example.com", "b@example.com"]


def test_ragged_rows_reported_by_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "r.csv", b"email,name\na@example.com,A\nb@example.com,B,extra\nc@example.com\n,\n\n")
    with CsvReader(path) as reader:
        chunks = list(reader)
    ragged = [r for c in chunks for r in c.ragged]
    assert [(r.line, r.found) for r in ragged] == [(3, 3), (4, 1)]
    assert "line 3 has 3 cells but the header has 2" in ragged[0].reason
    assert [line for c in chunks for line in c.empty_lines] == [5]
    assert list(chunks[0].frame.index) == [2]


def test_duplicate_and_blank_header_names(tmp_path: Path) -> None:
    path = _write(tmp_path, "h.csv", b"Email,Email,\na,b,c\n")
    _fmt, header, frame = preview(path)
    assert header.columns == ("Email", "Email (2)", "column_3")
    assert len(header.warnings) == 2 and list(frame.columns) == list(header.columns)


def test_header_only_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "h.csv", b"email,first_name\n")
    _fmt, header, frame = preview(path)
    assert header.columns == ("email", "first_name") and frame.empty


def test_fingerprint_changes_with_content(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.csv", b"email\na@example.com\n")
    b = _write(tmp_path, "b.csv", b"email\nb@example.com\n")
    assert file_fingerprint(a) != file_fingerprint(b) and file_fingerprint(a) == file_fingerprint(a)


BROKEN = {
    "empty.csv": (b"", "empty"),
    "blank_lines.csv": (b"\n\n\r\n", "no header"),
    "xlsx_renamed.csv": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "Excel workbook"),
    "xls_renamed.csv": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old Excel"),
    "binary.csv": (bytes(range(256)) * 64, "not text"),
    "pdf.csv": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    "quote_never_closed.csv": (b'email,name\na@example.com,"Ann\nb@example.com,Bob\n', "never closed"),
    "unclosed_quote.csv": (
        b'email,name\na@example.com,"never closed\n' + b"x" * (6 * 1024 * 1024 + 10) + b"\n",
        "6 MB",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_corpus_gives_clear_messages(tmp_path: Path, name: str) -> None:
    data, words = BROKEN[name]
    path = _write(tmp_path, name, data)
    with pytest.raises(CsvError) as caught, CsvReader(path) as reader:
        for _ in reader:
            pass
    assert words in str(caught.value)


def test_committed_corpus_files_read_or_explain(tmp_path: Path) -> None:
    for path in sorted((Path(__file__).parents[2] / "data").glob("*.csv")):
        try:
            with CsvReader(path) as reader:
                sum(len(c.frame) for c in reader)
        except CsvError as exc:
            assert str(exc) and "Traceback" not in str(exc)


@pytest.mark.slow
def test_200mb_single_field_does_not_explode(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.write(b"email,note\na@example.com,")
        block = b"y" * (1 << 20)
        for _ in range(200):
            f.write(block)
        f.write(b"\n")
    with pytest.raises(CsvError) as caught, CsvReader(path) as reader:
        list(reader)
    assert "longer than 8 MB" in str(caught.value) and caught.value.line == 2


def test_excel_sep_hint_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "sep.csv", b"sep=;\r\nemail;name\r\na@example.com;Ann, Jr\r\n")
    assert detect_format(path).delimiter == ";"
    assert _rows(path) == [(3, {"email": "a@example.com", "name": "Ann, Jr"})]


def test_stray_quote_rejects_only_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.csv", b'email,name\n"a@example.com,"Ann\nb@example.com,Bob\n')
    with CsvReader(path) as reader:
        chunks = list(reader)
    bad = [r for c in chunks for r in c.ragged]
    assert [(r.line, "line 2 is malformed" in r.reason) for r in bad] == [(2, True)]
    assert list(chunks[0].frame.index) == [3]


def test_line_length_check_names_the_line(tmp_path: Path) -> None:
    from klaviyo_core.csvfile.sniff import check_line_lengths

    path = _write(tmp_path, "l.csv", b"short\nthis line is far too long\nok\n")
    check_line_lengths(path, limit_bytes=40)
    with pytest.raises(CsvError) as caught:
        check_line_lengths(path, limit_bytes=10)
    assert caught.value.line == 2
    tail = _write(tmp_path, "t.csv", b"a\nb\n" + b"x" * 50)
    with pytest.raises(CsvError) as caught:
        check_line_lengths(tail, limit_bytes=10)
    assert caught.value.line == 3


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = _write(tmp_path, "mac.csv", b"email,name\ra@example.com,Ann\rb@example.com,Bob\r")
    assert [line for line, _ in _rows(path)] == [2, 3]
