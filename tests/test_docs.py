"""The README and the tool agree: commands, output, and the two set-up commands that CI runs.

Doc-sync tests, every one but test_the_readme_counts_the_notes_of_each_type: they keep the docs in step with the
tool. Those that compare a README console block with the tool's output would agree with a wrong number the tool
computes; the note count is counted from the cards with plain YAML, independently of the tool.
"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, run, shipped_cards
from deckbuild.cli import cli

README = (ROOT / "README.md").read_text()


def console_block(command: str) -> list[str]:
    """The lines a README console block shows after `$ COMMAND`."""
    match = re.search(rf"^\$ {re.escape(command)}\n(.*?)^```", README, flags=re.M | re.S)
    assert match, f"README shows no output of `{command}`"
    return match.group(1).splitlines()


def test_ci_runs_exactly_the_readmes_test_command():
    test_command = ". .venv/bin/activate && pip install '.[test,desktop]' && pytest"
    assert f"```console\n{test_command}\n```" in README
    ci = (ROOT / ".ci/run").read_text()
    assert ci.rstrip().splitlines()[-1] == test_command.split(" && ", 1)[1]
    assert "python3 -m venv .venv" in ci and ". .venv/bin/activate" in ci


def test_the_readme_builds_the_deck_in_one_command():
    assert (
        "```console\npython3 -m venv .venv && . .venv/bin/activate && pip install . && build-deck build\n```" in README
    )


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented_and_explains_itself(command):
    assert f"`build-deck {command}" in README
    result = run(command, "--help")
    assert result.exit_code == 0
    if command != "rules":  # the one command that reads no project
        assert "--cards" in result.stdout and "--seeds" in result.stdout


def test_the_readme_shows_the_real_themes(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert console_block("build-deck themes") == run("themes").stdout.splitlines()


def test_the_readme_shows_the_real_validation_summary(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert console_block("build-deck validate --strict") == run("validate", "--strict").stderr.splitlines()


def test_the_changelog_has_an_unreleased_section():
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()


def test_the_readme_shows_the_real_coverage(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert console_block("build-deck coverage") == run("coverage").stdout.splitlines()


def test_contributing_explains_every_rule():
    from deckbuild.model import RULES

    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    assert [rule for rule in RULES if f"`{rule}`" not in contributing] == []


def test_the_readme_counts_the_notes_of_each_type():
    counted = {kind: 0 for kind in ("date", "person", "treaty", "quote", "term", "question")}
    for card in shipped_cards():
        counted[card["type"]] += 1
    shown = dict(re.findall(r"^\| (date|person|treaty|quote|term|question) \| (\d+) \|", README, flags=re.M))
    assert {kind: int(count) for kind, count in shown.items()} == counted
    # One Anki card per date, quote and question note, two per person, treaty and term note, and a quote's second
    # only with a blank.
    blanks = sum(1 for card in shipped_cards() if card["type"] == "quote" and card.get("blank"))
    one_way = counted["date"] + counted["quote"] + counted["question"]
    total_cards = one_way + 2 * (counted["person"] + counted["treaty"] + counted["term"]) + blanks
    assert f"with {sum(counted.values())} notes and {total_cards} cards" in README
