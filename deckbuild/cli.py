"""The command line: parse arguments, call the stages, print problems, choose the exit code."""

from __future__ import annotations

import datetime
import gc
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

# The stages that need genanki (apkg), Jinja2 (preview) or read every text (coverage, suggest), and those of one
# command only (release, schema, init), are imported inside the commands that use them, so that `validate`, which
# the pre-commit hook runs on every commit, does not pay for them.
import deckbuild.parallel
from deckbuild.files import atomic_output, shown_path
from deckbuild.model import CARD_TYPES, RULES, Selection
from deckbuild.options import build_time, check_options, choose, folder_options, project_cache
from deckbuild.project import (
    RELEASED_FILE,
    load_cards,
    load_deck,
    load_project,
    load_released,
    read_seeds,
)
from deckbuild.report import (
    Failure,
    deck_or_fail,
    echo_problems,
    fail,
    report,
    reported_write_errors,
    seeds_or_fail,
)
from deckbuild.selection import deck_slug, select, subset_slug
from deckbuild.text import did_you_mean, plural
from deckbuild.validation import validate, validate_beside, validate_folder
from deckbuild.version import __version__
from deckbuild.yamlnodes import gc_paused


class Commands(click.Group):
    """A stage's click.ClickException (the parallel check's) is shown in the tool's style too."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            if isinstance(error, (Failure, click.UsageError)):
                raise
            raise Failure(error.format_message()) from error


# What the commands leave for the end of the process to free, once run() is the entry point: freeing a 50,000-card
# project object by object takes 0.7 s, a sixth of its build. None under CliRunner (the tests): nothing is kept.
_left_to_exit: list | None = None


def leave_to_exit(*values) -> None:
    if _left_to_exit is not None:
        _left_to_exit.extend(values)


def run() -> NoReturn:
    """The `build-deck` command: the click group, then the end of the process without freeing what the command left
    (leave_to_exit) or the modules, object by object: the operating system takes the memory back at once (mypy
    ends so too). Output is flushed first; an uncaught exception still ends the usual way, with its traceback."""
    global _left_to_exit
    _left_to_exit = []
    # No cyclic garbage collection for the whole command, not just its stages (gc_paused): at a stage's end the
    # collector's first pass would walk every object made since, all of them still young (0.7 s at 50,000 cards).
    gc.disable()
    try:
        cli.main()
        code = 0
    except SystemExit as exit:
        if isinstance(exit.code, str):
            print(exit.code, file=sys.stderr)
        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None where the stream was closed (`build-deck build >&-`)
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (`build-deck validate | head`): what was lost is lost
            code = code or 120  # as Python's own exit says when its last flush fails
    os._exit(code)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="build-deck")
def cli():
    """Build an Anki deck from YAML fact cards that cite their source texts.

    Every command works on the cards/ and seeds/ folders of the current directory; --cards and --seeds point
    elsewhere. Run `build-deck COMMAND --help` for the details of a command.
    """


@cli.command()
@click.argument("folder", metavar="[DIR]", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--name", help="The deck's name, as Anki shows it [default: from the folder's name].")
def init(folder: Path, name: str | None):
    """Start a new deck in DIR (default: the current folder).

    Writes cards/deck.yaml with a freshly made deck id, an example card of every type in two example themes, an
    example text in seeds/ that they cite, and seeds/README.md (where errata and left-out passages go). The result
    validates with --strict and builds; replace the examples with your own. Never overwrites a file: if any of them
    exists, nothing is written. Run the other commands from inside DIR: they read its cards/ and seeds/ folders
    (the folders --cards and --seeds point at).
    """
    from deckbuild.scaffold import deck_name_for, init_files, new_deck_id
    from deckbuild.schema import card_schema, deck_schema

    name = name.strip() if name and name.strip() else deck_name_for(folder.resolve().name)
    files = init_files(name, new_deck_id())
    schema_path, deck_schema_path = folder / "cards" / "card.schema.json", folder / "cards" / "deck.schema.json"
    taken = [shown_path(path) for path in [*(folder / path for path in files), schema_path, deck_schema_path]]
    taken = [path for path in taken if Path(path).exists()]
    if taken:
        more = f" (and {plural(len(taken) - 1, 'other file')} init writes)" if len(taken) > 1 else ""
        fail(
            f"{taken[0]} already exists{more}; init never overwrites a file, so nothing was written: start the deck "
            "in a new folder (build-deck init DIR)"
        )
    for path, text in files.items():
        target = folder / path
        with reported_write_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(target) as temporary:
                temporary.write_text(text, encoding="utf-8", newline="\n")
        click.echo(f"created {shown_path(target)}")
    deck, _ = load_deck(folder / "cards")
    seed_names = sorted(read_seeds(folder / "seeds")[0] or {})
    for schema_file, document in ((schema_path, card_schema(deck, seed_names)), (deck_schema_path, deck_schema())):
        with reported_write_errors(schema_file), atomic_output(schema_file) as temporary:
            temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(
        f"created {shown_path(schema_path)} and {deck_schema_path.name}, for editors (refresh the first with "
        "build-deck schema > cards/card.schema.json when you add a theme or a text)"
    )
    steps = ([f"cd {shown_path(folder)}"] if shown_path(folder) != "." else []) + [
        "build-deck validate --strict",
        "build-deck build",
        "build-deck preview",
    ]
    click.echo(
        f'\nA new deck, "{name}", with the deck id {deck.id if deck else "?"}: never change it once the deck is '
        "shared.\nNext:\n" + "".join(f"  {step}\n" for step in steps) + "Then replace the example cards and text with "
        "your own (build-deck's CONTRIBUTING.md explains every field), and run build-deck release before you first share the deck."
    )


@cli.command("validate")
@folder_options
@check_options
@click.option("--select", "selected", multiple=True, metavar="RULE", help="Report only this rule (repeat for several).")
@click.option(
    "--ignore", "ignored", multiple=True, metavar="RULE", help="Do not report this rule (repeat for several)."
)
def validate_command(
    cards_dir: Path,
    seeds_dir: Path,
    output_format: str,
    strict: bool,
    no_cache: bool,
    selected: tuple,
    ignored: tuple,
):
    """Check every card and report every problem at once.

    Problems go to stderr as `path:line:col: error|warning: message [rule-id]`, then a summary line. Exits 0 when
    there are no errors (with --strict: no warnings either), 1 otherwise. --select and --ignore narrow what is
    reported and counted, by rule id (`build-deck rules` lists them); `build` always checks every rule.
    """
    for value, option in [*((v, "--select") for v in selected), *((v, "--ignore") for v in ignored)]:
        if value not in RULES:
            hint = did_you_mean(value, RULES) or "; `build-deck rules` lists them"
            raise click.BadParameter(f"no rule '{value}'{hint}", param_hint=option)
    wanted = (set(selected) or set(RULES)) - set(ignored)
    with gc_paused():
        found = validate_folder(cards_dir, seeds_dir, project_cache(cards_dir, no_cache))
        wanted_problems = [problem for problem in found.problems if problem.rule in wanted]
        if not report(found._replace(problems=wanted_problems), output_format, strict):
            sys.exit(1)


@cli.command("rules")
def rules_command():
    """List every rule a problem can name: its id, severity and what it checks.

    Card lint rules (marked "lint") are warnings a card may silence with `lint: {<rule>: <reason>}`.
    """
    width = max(len(rule.id) for rule in RULES.values())
    for rule in RULES.values():
        kind = "lint" if rule.lint else rule.severity
        click.echo(f"{rule.id:<{width}}  {kind:<7}  {rule.description}")


@cli.command()
@folder_options
@check_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the package [default: dist/<deck slug>.apkg; a subset: "
    "dist/<deck slug>--<themes>[--<types>].apkg, never the full deck's file].",
)
@click.option(
    "--theme",
    "themes",
    multiple=True,
    metavar="ID",
    help="Only cards with this theme (repeat for any of several themes).",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help=f"Only cards of this type: {', '.join(CARD_TYPES)} (repeatable). Combines with --theme as AND.",
)
@click.option(
    "--each-theme",
    is_flag=True,
    help="Also write one package per theme beside the full deck, named after it: <name>--<theme-id>.apkg.",
)
def build(cards_dir, seeds_dir, output_format, strict, no_cache, output, themes, types, each_theme):
    """Validate, then compile the cards into an Anki package (.apkg).

    Writes nothing when there is any error. The package is written atomically and is byte-identical for the same
    inputs and SOURCE_DATE_EPOCH. Each note's modification time comes from cards/released.json (see `release`),
    so that re-importing a new version updates exactly the notes that changed.
    """
    from deckbuild.apkg import compile_deck, write_package

    with gc_paused():
        cache = project_cache(cards_dir, no_cache)
        project = load_project(cards_dir, seeds_dir, cache)
        leave_to_exit(project)
        deck = project.deck
        if deck is None:  # nothing to compile: report why
            report(validate(project), output_format, strict)
            fail("not built; fix the errors above")
        if each_theme and (themes or types):
            raise click.UsageError(
                "--each-theme builds the full deck and one deck per theme; leave out --theme and --type"
            )
        selection = Selection(
            choose(themes, [t.id for t in deck.themes], "--theme"), choose(types, list(CARD_TYPES), "--type")
        )
        cards = select(project.cards, selection)
        full_path = Path("dist") / f"{deck_slug(deck)}.apkg"
        path = output or (full_path if selection.is_full else Path("dist") / f"{subset_slug(deck, selection)}.apkg")
        if not selection.is_full and path.resolve() == full_path.resolve():
            raise click.UsageError(
                f"{shown_path(full_path)} is the full deck's file; a subset goes elsewhere (leave out -o: it writes "
                f"{shown_path(Path('dist') / subset_slug(deck, selection))}.apkg)"
            )
        # One build time for every package of this run: a theme deck's notes carry the same times as the full deck's.
        now = build_time()

        def compile_into(target: Path, chosen: list, chosen_selection: Selection) -> str:
            anki_deck, timestamp = compile_deck(project, chosen, chosen_selection, now)
            leave_to_exit(anki_deck)
            write_package(anki_deck, target, timestamp)
            return anki_deck.name

        with reported_write_errors(path), atomic_output(path) as temporary:
            found, built = validate_beside(
                project,
                lambda: compile_into(temporary, cards, selection),
                parallel=len(cards) >= deckbuild.parallel.PARALLEL_FROM,  # read at call time: tests lower it
            )
            if not report(found, output_format, strict):
                fail("not built; fix the errors above")
            if not cards:
                fail("no card matches that selection; nothing written" if themes or types else "the deck has no cards")
            if isinstance(built, BaseException):
                raise built
        click.echo(f'wrote {shown_path(path)}: {plural(len(cards), "note")}, deck "{built}"')
        for theme in deck.themes if each_theme else ():
            theme_selection = Selection(themes=(theme.id,))
            theme_cards = select(project.cards, theme_selection)
            if not theme_cards:
                click.echo(
                    f"build-deck: no deck for theme '{theme.id}': it has no cards that are not retired", err=True
                )
                continue  # validate has warned too (theme-unused)
            theme_path = path.with_name(f"{path.stem}--{theme.id}.apkg")  # -o out/x.apkg: out/x--<theme>.apkg
            with reported_write_errors(theme_path), atomic_output(theme_path) as temporary:
                name = compile_into(temporary, theme_cards, theme_selection)
            click.echo(f'wrote {shown_path(theme_path)}: {plural(len(theme_cards), "note")}, deck "{name}"')


@cli.command("preview")
@folder_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the page [default: dist/<slug of the deck name>.html].",
)
def preview_command(cards_dir, seeds_dir, output):
    """Validate, then write the deck as one HTML page to check the cards in a browser.

    The page shows every card front and back as Anki will, with its themes, type and source; filter it by theme and
    type, search it, and copy the `build-deck build` command that makes a deck of what is shown. It is self-contained
    (no network): open it from a USB stick, or print the selection as a question and answer sheet. Writes nothing when
    there is any error; warnings are reported and do not stop it.
    """
    from deckbuild.preview import render_preview

    with gc_paused():
        project = load_project(cards_dir, seeds_dir)
        leave_to_exit(project)
        if not report(validate(project), "text", strict=False) or project.deck is None:
            fail("no preview written; fix the errors above")
        deck = project.deck
        path = output or Path("dist") / f"{deck_slug(deck)}.html"
        page = render_preview(deck, project.cards)
        with reported_write_errors(path), atomic_output(path) as temporary:
            temporary.write_text(page, encoding="utf-8", newline="\n")
    click.echo(f"wrote {shown_path(path)}: {plural(len(project.cards), 'card')}")


@cli.command()
@folder_options
def themes(cards_dir, seeds_dir):
    """List the deck's themes with their card counts (retired cards not counted)."""
    deck = deck_or_fail(cards_dir)
    cards, problems, _ = load_cards(cards_dir)
    if problems:
        # Counts without the cards of a broken file would be wrong, not partial.
        echo_problems(problems)
        fail("cannot count the cards until every card file reads; fix the problems above")
    live = [card for card in cards if not card.retired]
    width = max(len("(all)"), *(len(theme.id) for theme in deck.themes))
    for theme in deck.themes:
        count = sum(theme.id in card.themes for card in live)
        click.echo(f"{theme.id:<{width}}  {count:>4}  {theme.title}")
    click.echo(f"{'(all)':<{width}}  {len(live):>4}  {deck.name}")


@cli.command()
@folder_options
@click.option(
    "--version",
    "version",
    metavar="X.Y.Z",
    help="Release this version: what changed since the last one becomes its notes for learners (in released.json, "
    "the full deck's description and CHANGELOG.md).",
)
def release(cards_dir, seeds_dir, version):
    """Record the current cards in cards/released.json before a release.

    Each card's content hash and modification time (SOURCE_DATE_EPOCH, or now, for new and changed cards) is
    recorded; unchanged cards keep their time, so learners' notes update only when their card changed. Each card also
    keeps what changed since the last version, in a learner's words ("date corrected", "wording"). With --version, the
    version is recorded and those changes become its notes: the full deck's description ends with "What's new in
    X.Y.Z", and the notes open the version's section of CHANGELOG.md (its Unreleased section becomes X.Y.Z's) and the
    GitHub release. Commit both files with the release and tag the commit vX.Y.Z. A released id can never be removed
    afterwards: retire the card instead.
    """
    from deckbuild.release import add_to_changelog, next_version, note_type_problems, release_notes, write_released

    with gc_paused():
        project = load_project(cards_dir, seeds_dir)
        leave_to_exit(project)
        if not report(validate(project), "text", strict=False):
            fail("nothing recorded; fix the errors above")
        frozen = note_type_problems(project.released)
        if frozen:
            for line in frozen:
                click.echo(line, err=True)
            fail("nothing recorded; a released note type changed")
        if version is not None and (why := next_version(project.released, version)):
            raise click.BadParameter(why, param_hint="--version")
        path = cards_dir / RELEASED_FILE
        now = build_time()
        with reported_write_errors(path):
            new, changed, unchanged = write_released(project, path, now, version or "")
        click.echo(f"recorded {shown_path(path)}: {new} new, {changed} changed, {unchanged} unchanged")
        if version:
            released, _ = load_released(cards_dir)
            notes = release_notes(released, project.cards)
            changelog = cards_dir.parent / "CHANGELOG.md"
            if changelog.is_file():
                date = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date().isoformat()
                with reported_write_errors(changelog), atomic_output(changelog) as temporary:
                    text = add_to_changelog(changelog.read_text(encoding="utf-8"), version, date, notes)
                    temporary.write_text(text, encoding="utf-8", newline="\n")
                click.echo(f"added the notes for {version} to {shown_path(changelog)}")
            click.echo(notes, nl=False)


@cli.command()
@folder_options
@click.option("--deck", "for_deck", is_flag=True, help="The schema of deck.yaml instead of a card file.")
def schema(cards_dir, seeds_dir, for_deck):
    """Print the JSON Schema of a card file (or, with --deck, of deck.yaml).

    Editors use it for completion and early errors: the card files start with
    `# yaml-language-server: $schema=card.schema.json`, the schema written to cards/ by
    `build-deck schema > cards/card.schema.json`. The themes and seed names are this project's.
    """
    from deckbuild.schema import card_schema, deck_schema

    # Without the deck's themes or the seeds' names an editor would take any theme or seed: a wrong schema.
    document = deck_schema() if for_deck else card_schema(deck_or_fail(cards_dir), sorted(seeds_or_fail(seeds_dir)))
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def load_for_coverage(cards_dir: Path, seeds_dir: Path):
    from deckbuild.coverage import coverage, left_out_problems, load_left_out, read_for_coverage

    deck = deck_or_fail(cards_dir)
    seed_texts = seeds_or_fail(seeds_dir)
    echo_problems(left_out_problems(seeds_dir, seed_texts))
    citations, sentences = read_for_coverage(cards_dir, seed_texts)
    return deck, citations, coverage(seed_texts, sentences, citations, load_left_out(seeds_dir))


@cli.command("coverage")
@folder_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table and a list, or JSON for machines.",
)
def coverage_command(cards_dir, seeds_dir, output_format):
    """Show which fact-bearing passages of the texts the cards cite.

    A passage is a sentence with a year or a date, a quotation, a treaty word (treaty, pact, agreement, alliance…)
    or a named person; page furniture is skipped and a passage repeated in a text counts once. A card cites a
    passage when one of its source excerpts overlaps it; passages listed under `## Left out` in seeds/README.md are
    counted apart. Lists the uncited passages as seed:line, most fact-dense first.
    """
    from deckbuild.coverage import coverage_json, coverage_lines

    with gc_paused():
        _, _, report = load_for_coverage(cards_dir, seeds_dir)
    if output_format == "json":
        click.echo(json.dumps(coverage_json(report), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(coverage_lines(report)))


@cli.command()
@folder_options
@click.argument("seed_names", metavar="[SEED]...", nargs=-1)
def suggest(cards_dir, seeds_dir, seed_names):
    """Print draft cards, as YAML, for the passages no card cites yet.

    SEED is a seed's file name or a path to it; without one, every seed. Each draft has the passage as its source
    excerpt, a guessed type, id and themes, and the date when the text gives one; comments mark what to CHECK and what
    to write (TODO). Paste a draft into a card file, finish it, and run `build-deck validate`.
    """
    from deckbuild.suggest import draft_card, theme_vocabularies

    with gc_paused():
        deck, citations, report = load_for_coverage(cards_dir, seeds_dir)
    known = [r.seed for r in report]
    wanted = {Path(name).name for name in seed_names}
    unknown = sorted(wanted - set(known))
    if unknown:
        message = f"no seed '{unknown[0]}' in {shown_path(seeds_dir)}{did_you_mean(unknown[0], known)}"
        raise click.BadParameter(message, param_hint="SEED")
    taken = set(citations.ids)
    vocabularies = theme_vocabularies(deck)
    drafts = [
        draft_card(p, deck, vocabularies, citations.people, taken)
        for r in report
        if not wanted or r.seed in wanted
        for p in r.uncited
    ]
    click.echo("\n".join(drafts) if drafts else "# every fact-bearing passage is cited or left out: nothing to suggest")
