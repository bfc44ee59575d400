"""bin/audit (`make audit`, run by CI): pip-audit's verdict, and a clear "skipped" where the
advisory service cannot be reached instead of a pass nobody earned."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

AUDIT = Path(settings.BASE_DIR) / "bin" / "audit"


def audit_with(tmp_path, report: dict) -> subprocess.CompletedProcess:
    """Run bin/audit with a stand-in pip-audit that prints `report` as pip-audit's JSON."""
    stand_in = tmp_path / "pip-audit"
    stand_in.write_text(f"#!{sys.executable}\nprint({json.dumps(json.dumps(report))})\n")
    stand_in.chmod(0o755)
    env = {"PIP_AUDIT": str(stand_in), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, AUDIT], env=env, capture_output=True, text=True, timeout=30)


def test_it_fails_on_a_known_vulnerability(tmp_path):
    report = {"dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
        {"name": "requests", "version": "2.34.2", "vulns": []},
    ]}  # fmt: skip

    result = audit_with(tmp_path, report)

    assert result.returncode == 1
    assert "django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in result.stdout
    assert "2 packages audited, 1 with known vulnerabilities" in result.stdout


def test_it_says_it_skipped_when_no_package_could_be_looked_up(tmp_path):
    report = {"dependencies": [
        {"name": "django", "version": "5.2.19", "skip_reason": "Dependency not found on PyPI"},
    ]}  # fmt: skip

    result = audit_with(tmp_path, report)

    assert result.returncode == 0
    assert "pip-audit SKIPPED" in result.stdout and "Nothing was checked" in result.stdout
