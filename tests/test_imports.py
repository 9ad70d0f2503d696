"""`validate` runs on every commit (the pre-commit hook): it must not import what only building, the preview page or
coverage need. Each command runs in a fresh interpreter, which then lists the modules it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from import_graph import imports

from conftest import ROOT

HEAVY = ["genanki", "jinja2", "deckbuild.apkg", "deckbuild.preview", "deckbuild.coverage", "deckbuild.suggest"]
ONE_COMMAND = ["deckbuild.release", "deckbuild.notetypes", "deckbuild.schema", "deckbuild.scaffold"]  # theirs only

RUN_AND_LIST_MODULES = """
import json, sys
from deckbuild.cli import cli
code = cli.main(sys.argv[1:], prog_name="build-deck", standalone_mode=False)
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(project, *args) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["code"] in (0, None), result.stderr
    return set(outcome["modules"])


def test_validate_imports_neither_genanki_nor_jinja2_nor_coverage(project):
    modules = imported_by(project, "validate")
    assert "deckbuild.rules" in modules
    assert [name for name in HEAVY + ONE_COMMAND if name in modules] == []


def test_build_and_preview_import_what_they_need(project):
    """The other side of the test above: the check sees these imports when they happen."""
    assert {"genanki", "deckbuild.apkg"} <= imported_by(project, "build")
    assert {"jinja2", "deckbuild.preview"} <= imported_by(project, "preview")
    assert {"deckbuild.release", "deckbuild.notetypes"} <= imported_by(project, "release")


def test_the_modules_import_one_way():
    """No module imports, even inside a function, one that imports it back (directly or through others)."""
    graph = {path.stem: set(imports(path)) for path in (ROOT / "deckbuild").glob("*.py")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph.get(start, ()))

    assert [module for module in graph if reaches(module, module, {module})] == []
