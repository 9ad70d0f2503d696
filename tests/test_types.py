"""The package type-checks: mypy, configured in pyproject.toml ([tool.mypy]: deckbuild/ and build_deck.py), finds
nothing. A function too complex to read in a sitting is ruff's C901, checked with the rest of ruff."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mypy_finds_no_error():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found")
