"""`make audit`: pip-audit on the pinned requirements, saying so when it could not check.

pip-audit prints "No known vulnerabilities found" and exits 0 even when it could not audit a single package
(its database unreachable, or an index that answers without vulnerability data: every dependency then has a
`skip_reason`). This wrapper reads its JSON report instead and answers one of:

- 0: every pinned package was checked and none has a known vulnerability;
- 1: known vulnerabilities (listed, with the fixed versions);
- 2: could not check (no network, or packages skipped): never reported as "no known vulnerabilities".
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PIP_AUDIT = [sys.executable, "-m", "pip_audit"]
OK, VULNERABLE, UNCHECKED = 0, 1, 2


def run_pip_audit(requirements: list[str], command: list[str]) -> tuple[int, dict[str, Any] | None, str]:
    """(exit code, parsed JSON report or None, stderr) of one pip-audit run on pinned files, no resolution."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        args = [*command, "--disable-pip", "--no-deps", "--progress-spinner", "off", "-f", "json", "-o", str(report)]
        for req in requirements:
            args += ["-r", req]
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
        try:
            doc = json.loads(report.read_text()) if report.exists() else None
        except ValueError:
            doc = None
    return proc.returncode, doc if isinstance(doc, dict) else None, proc.stderr


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no message)"


def _vuln_line(dep: dict[str, Any], vuln: dict[str, Any]) -> str:
    fixed = ", ".join(vuln.get("fix_versions") or []) or "no release yet"
    return f"VULNERABLE {dep['name']} {dep.get('version', '')}: {vuln.get('id')} (fixed in {fixed})"


def verdict(returncode: int, doc: dict[str, Any] | None, stderr: str) -> tuple[int, list[str]]:
    """The exit code and the lines to print for one pip-audit run."""
    if doc is None:
        return UNCHECKED, [
            "Could not check for vulnerabilities: pip-audit could not reach its vulnerability database "
            f"(it needs network access to pypi.org or osv.dev). Last message: {_last_error_line(stderr)}",
            "Nothing was checked; run `make audit` again where the network is available.",
        ]
    deps = [d for d in doc.get("dependencies", []) if isinstance(d, dict)]
    skipped = [d for d in deps if d.get("skip_reason")]
    vulnerable = [d for d in deps if d.get("vulns")]
    lines = [_vuln_line(d, v) for d in vulnerable for v in d["vulns"]]
    if skipped:
        lines.append(
            f"Could not check {len(skipped)} of {len(deps)} pinned packages: pip-audit could not reach its "
            f"vulnerability database for them (first: {skipped[0]['skip_reason']})."
        )
        lines.append("This is NOT a clean result; run `make audit` again where pypi.org is reachable.")
    if vulnerable:
        return VULNERABLE, lines
    if skipped or not deps:
        return UNCHECKED, lines or ["pip-audit reported no packages: nothing was checked."]
    if returncode not in (0, 1):
        return UNCHECKED, [f"pip-audit failed (exit {returncode}): {_last_error_line(stderr)}"]
    return OK, [f"No known vulnerabilities in the {len(deps)} pinned packages."]


def main(argv: list[str]) -> int:
    requirements = argv or ["requirements.txt", "requirements-dev.txt"]
    code, lines = verdict(*run_pip_audit(requirements, PIP_AUDIT))
    print("\n".join(lines), file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
