"""`build-deck release --version X.Y.Z`: what a version brings learners, in their words, where they see it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, V1, V2, import_package, run

V3 = {"SOURCE_DATE_EPOCH": "1700172800"}  # a day after V2
PACKAGE = "dist/cold-war-crises-test-deck.apkg"
NEW_CARD = """
- id: missile-sites-found
  type: date
  themes: [cuba]
  event: "American U-2 flights find Soviet missile sites in Cuba"
  date: 1962-10
  source: {seed: cuba-essay.txt, quote: "American U-2 flights found Soviet missile sites in October 1962"}
"""
CHANGELOG = """# Changelog

## [Unreleased]

### Fixed
- A tool fix.

## [0.0.1] — 2023-01-01

- Older.
"""


def deck_description(col) -> str:
    return col.decks.by_name("Cold War Crises — Test Deck")["desc"]


def edit(project):
    """A date corrected, a role reworded, a card added and one retired."""
    berlin = project / "cards/berlin.yaml"
    text = berlin.read_text()
    text = text.replace("  date: 1961-08-13\n", "  date: 1961-08\n")
    text = text.replace("East German leader who pressed", "East German party leader who pressed")
    text = text.replace(
        "- id: berlin-ultimatum\n  type: date\n", '- id: berlin-ultimatum\n  type: date\n  retired: "Merged"\n'
    )
    berlin.write_text(text)
    (project / "cards/cuba.yaml").write_text((project / "cards/cuba.yaml").read_text() + NEW_CARD)


def test_a_version_tells_learners_what_changed_in_their_words(project, collection):
    (project / "CHANGELOG.md").write_text(CHANGELOG)
    first = run("release", "--version", "0.1.0", env=V1)
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        "recorded cards/released.json: 5 new, 0 changed, 0 unchanged\n"
        "added the notes for 0.1.0 to CHANGELOG.md\n"
        "### What's new in 0.1.0 (for learners)\n\nThe first release: 5 cards.\n"
    )
    assert run("build", env=V1).exit_code == 0
    col = collection()
    import_package(col, project / PACKAGE)
    assert deck_description(col) == "A small deck for the test suite.<br><br>What's new in 0.1.0: the first release."

    # Changes recorded by a plain `release` between versions count towards the next version too.
    edit(project)
    assert run("release", env=V2).stdout == "recorded cards/released.json: 1 new, 3 changed, 2 unchanged\n"
    second = run("release", "--version", "0.2.0", env=V3)
    assert second.exit_code == 0, second.output
    notes = (
        "### What's new in 0.2.0 (for learners)\n\n"
        "#### Added\n\n- American U-2 flights find Soviet missile sites in Cuba\n\n"
        "#### Changed\n\n"
        "- The East German regime seals the border in Berlin and begins the Wall: date corrected\n"
        "- Walter Ulbricht: wording\n\n"
        "#### Retired\n\n- Khrushchev's ultimatum demanding that the Western powers leave West Berlin\n"
    )
    assert second.stdout == (
        "recorded cards/released.json: 0 new, 0 changed, 6 unchanged\nadded the notes for 0.2.0 to CHANGELOG.md\n"
        + notes
    )
    record = json.loads((project / "cards/released.json").read_text())
    assert record["version"] == "0.2.0"
    assert record["whats_new"] == {
        "first": False,
        "added": ["missile-sites-found"],
        "changed": {"berlin-wall": ["date corrected"], "walter-ulbricht": ["wording"]},
        "retired": ["berlin-ultimatum"],
    }
    assert not any("changes" in entry for entry in record["cards"].values())  # the next version starts afresh

    # Each time the CHANGELOG's Unreleased section became the version's, the learners' notes first.
    assert (project / "CHANGELOG.md").read_text() == (
        "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] — 2023-11-16\n\n" + notes + "\n"
        "## [0.1.0] — 2023-11-14\n\n### What's new in 0.1.0 (for learners)\n\nThe first release: 5 cards.\n\n"
        "### Fixed\n- A tool fix.\n\n## [0.0.1] — 2023-01-01\n\n- Older.\n"
    )

    # Anki replaces the deck's description on import: the learner reads what the update brought.
    assert run("build", env=V3).exit_code == 0
    import_package(col, project / PACKAGE)
    assert deck_description(col) == (
        "A small deck for the test suite.<br><br>What's new in 0.2.0: 1 card added; 2 cards changed (date corrected, "
        "wording); 1 card retired."
    )
    # A topic deck keeps its own description: the news are the full deck's.
    assert run("build", "--theme", "cuba", "-o", "cuba.apkg", env=V3).exit_code == 0
    topic = collection("topic.anki2")
    import_package(topic, project / "cuba.apkg")
    assert "What's new" not in topic.decks.by_name("Cold War Crises — Test Deck — Cuba")["desc"]


def test_a_plain_release_after_a_version_changes_nothing(project):
    run("release", "--version", "1.0.0", env=V1)
    text = (project / "cards/released.json").read_text()
    assert run("release", env=V2).stdout == "recorded cards/released.json: 0 new, 0 changed, 5 unchanged\n"
    assert (project / "cards/released.json").read_text() == text


def test_each_change_of_a_card_is_told_once_and_notes_and_sources_by_name(project):
    run("release", "--version", "1.0.0", env=V1)
    berlin = project / "cards/berlin.yaml"
    berlin.write_text(berlin.read_text().replace("The Wall stood until 1989.", "It stood until November 1989."))
    run("release", env=V2)
    berlin.write_text(berlin.read_text().replace("November 1989", "9 November 1989"))
    run("release", env=V3)
    result = run("release", "--version", "1.1.0", env=V3)
    assert "- The East German regime seals the border in Berlin and begins the Wall: notes\n" in result.stdout
    assert json.loads((project / "cards/released.json").read_text())["whats_new"]["changed"] == {
        "berlin-wall": ["notes"]
    }


def test_a_version_must_be_x_y_z_and_after_the_last(project):
    run("release", "--version", "1.2.0", env=V1)
    for version, message in (
        ("1.2", "'1.2' is not a version; write X.Y.Z, e.g. 1.2.0"),
        ("v1.3.0", "'v1.3.0' is not a version; write X.Y.Z, e.g. 1.2.0"),
        ("1.2.0", "version 1.2.0 is not after the recorded 1.2.0; give the next version"),
        ("1.10.0", None),
    ):
        result = run("release", "--version", version, env=V2)
        if message is None:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code == 2
            assert message in result.stderr


def test_the_release_workflow_attaches_the_versions_notes(project, tmp_path):
    """The workflow's notes step, run as GitHub runs it: the tag's CHANGELOG section, learners' notes first."""
    (project / "CHANGELOG.md").write_text(CHANGELOG)
    run("release", "--version", "0.1.0", env=V1)
    edit(project)
    run("release", "--version", "0.2.0", env=V2)
    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    [job] = workflow["jobs"].values()
    [step] = [step for step in job["steps"] if step.get("name") == "Write the release notes"]
    bash = shutil.which("bash")
    # `python` is this interpreter, as setup-python makes it on the runner.
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path)}
    ok = subprocess.run([bash, "-e", "-c", step["run"]], env=env | {"TAG": "v0.2.0"}, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    notes = (tmp_path / "notes.md").read_text()
    assert notes.startswith("\n### What's new in 0.2.0 (for learners)\n\n#### Added\n\n- American U-2 flights")
    assert "0.1.0" not in notes and "A tool fix" not in notes
    wrong = subprocess.run([bash, "-e", "-c", step["run"]], env=env | {"TAG": "v0.1.0"}, capture_output=True, text=True)
    assert wrong.returncode == 1
    assert "the tag is v0.1.0 but cards/released.json records version '0.2.0'" in wrong.stdout


def test_the_first_version_lists_no_changes_even_after_unpublished_releases(project):
    """Releases recorded before the first version (this deck's first record kept no parts) saw edits nobody was shown:
    the first version's notes say only that it is the first."""
    import re

    assert run("release", env=V1).exit_code == 0
    record = project / "cards/released.json"
    text = re.sub(r', "parts": \{[^}]*\}', "", record.read_text())
    record.write_text(re.sub(r', "changes": \[[^\]]*\]', "", text))  # as a record from before parts were kept
    edit(project)
    first = run("release", "--version", "0.1.0", env=V2)
    assert first.exit_code == 0, first.output
    assert first.stdout.endswith("### What's new in 0.1.0 (for learners)\n\nThe first release: 5 cards.\n")
