"""Reporting: problems as file:line:col lines or GitHub annotations, the summary line, and the tool's one error style."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import NoReturn

import click

# The stages that need genanki (apkg), Jinja2 (preview) or read every text (coverage, suggest) are imported inside
# the commands that use them, so `validate`, which the pre-commit hook runs on every commit, does not pay for them.
from deckbuild.files import shown_path
from deckbuild.model import Deck, Problem
from deckbuild.project import DECK_FILE, load_deck, read_seeds
from deckbuild.text import plural
from deckbuild.validation import Validation


@contextlib.contextmanager
def reported_write_errors(path: Path):
    """A file that cannot be written (a folder in the way, no permission, a full disk) is a message, not a traceback."""
    try:
        yield
    except OSError as error:
        raise Failure(f"cannot write {shown_path(path)}: {error.strerror or error}") from error


def deck_or_fail(cards_dir: Path) -> Deck:
    """The deck, for commands that need only it: its problems, if any, and a pointer to `validate`."""
    deck, problems = load_deck(cards_dir)
    if deck is None:
        echo_problems(problems)
        raise Failure(f"cannot read {shown_path(cards_dir / DECK_FILE)}; run `build-deck validate`")
    return deck


def seeds_or_fail(seeds_dir: Path) -> dict[str, str]:
    """Every text of the seeds folder, for commands that need them all: a missing or unreadable text would show as
    nothing to cover or cite, a wrong answer rather than an empty one."""
    seed_texts, problems = read_seeds(seeds_dir)
    if seed_texts is None or problems:
        echo_problems(problems)
        fail("cannot read every text in the seeds folder; fix the problems above")
    return seed_texts


class Failure(click.ClickException):
    """The tool's own error, one style everywhere: `build-deck: <message>` on stderr, exit 1. (Bad arguments stay
    click's usage errors: `Usage: …`, `Error: …`, exit 2.)"""

    def show(self, file=None) -> None:
        click.echo(f"build-deck: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    raise Failure(message)


def echo_problems(problems: list[Problem]) -> None:
    for line in format_problems(problems, "text"):
        click.echo(line, err=True)


def format_problems(problems: list[Problem], output_format: str) -> list[str]:
    if output_format == "github":
        return [
            f"::{p.severity} file={github_escape(p.path, True)},line={p.line},col={p.col}::"
            f"{github_escape(f'{p.message} [{p.rule}]')}"
            for p in problems
        ]
    return [f"{p.path}:{p.line}:{p.col}: {p.severity}: {p.message} [{p.rule}]" for p in problems]


def github_escape(text: str, is_property: bool = False) -> str:
    """GitHub's workflow-command escaping: a message quoting a contributor's text stays one annotation."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


def report(validation: Validation, output_format: str, strict: bool) -> bool:
    """Print every problem and a summary on stderr; True when the project is good enough to go on."""
    problems = validation.problems
    for line in format_problems(problems, output_format):
        click.echo(line, err=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(
        f"{plural(validation.files, 'file')} checked, {validation.cards} cards, "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}",
        err=True,
    )
    return errors == 0 and not (strict and warnings)
