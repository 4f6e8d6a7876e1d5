"""`make audit` (scripts/audit.py): a pip-audit run that could not check is never "no known vulnerabilities".

pip-audit itself is not in the test venv and its database is not reachable from tests, so a stand-in
executable replays what pip-audit 2.10.1 really wrote in each case (recorded from a throwaway venv).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_script", ROOT / "scripts" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


audit = _load()


def stub(tmp_path: Path, report: Mapping[str, object] | None, exit_code: int = 0, stderr: str = "") -> list[str]:
    """A fake pip-audit: writes `report` to the -o path (none when None), prints stderr, exits."""
    script = tmp_path / "fake_pip_audit.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import json, sys
            args = sys.argv[1:]
            assert "--disable-pip" in args and "--no-deps" in args and "-r" in args
            report = {json.dumps(report)!r}
            if report != "null":
                open(args[args.index("-o") + 1], "w").write(report)
            sys.stderr.write({stderr!r})
            sys.exit({exit_code})
            """
        )
    )
    return [sys.executable, str(script)]


SKIPPED = {
    "dependencies": [
        {"name": "requests", "skip_reason": "Dependency not found on PyPI and could not be audited: requests (2.34.2)"}
    ],
    "fixes": [],
}


def test_every_package_skipped_is_not_a_clean_result(tmp_path: Path) -> None:
    code, lines = audit.verdict(*audit.run_pip_audit(["requirements.txt"], stub(tmp_path, SKIPPED)))
    text = "\n".join(lines)
    assert code == 2 and "Could not check 1 of 1" in text and "No known vulnerabilities" not in text


def test_no_network_is_said(tmp_path: Path) -> None:
    crash = "Traceback ...\nrequests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org', port=443)\n"
    code, lines = audit.verdict(*audit.run_pip_audit(["requirements.txt"], stub(tmp_path, None, 1, crash)))
    assert code == 2 and "could not reach its vulnerability database" in lines[0] and "pypi.org" in lines[0]


def test_vulnerabilities_are_listed(tmp_path: Path) -> None:
    report = {
        "dependencies": [
            {"name": "requests", "version": "2.0.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["2.31.0"]}]},
            {"name": "typer", "version": "0.29.1", "vulns": []},
        ]
    }
    code, lines = audit.verdict(*audit.run_pip_audit(["requirements.txt"], stub(tmp_path, report, 1)))
    assert code == 1 and lines == ["VULNERABLE requests 2.0.0: PYSEC-1 (fixed in 2.31.0)"]


@pytest.mark.parametrize("extra_skip", [False, True])
def test_clean_only_when_every_package_was_checked(tmp_path: Path, extra_skip: bool) -> None:
    deps: list[dict[str, object]] = [{"name": "typer", "version": "0.29.1", "vulns": []}]
    if extra_skip:
        deps.append({"name": "orjson", "skip_reason": "Dependency not found on PyPI and could not be audited"})
    code, lines = audit.verdict(*audit.run_pip_audit(["requirements.txt"], stub(tmp_path, {"dependencies": deps})))
    assert (code, "No known vulnerabilities" in lines[-1]) == ((2, False) if extra_skip else (0, True))
