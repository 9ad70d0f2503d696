"""Validating a project: each card file's own checks, kept in the cache per file, then the rules across cards.

A card file's checks (FileCheck) are the problems of reading it, what the card rules and lint find on each of its
cards, and its CardFacts for the rules across cards (deckrules). They depend on the file's content and its setting
alone: the seeds' texts and deck.yaml (and the tool's own code, in every cache key). So the cache keeps them per file,
and `build-deck validate` parses only the files that changed: after a one-card edit of a 50,000-card deck, one file
of a hundred. On a large deck the files to check are shared between two processes.

    validate(project)                          a project loaded whole, for preview and release
    validate_beside(project, work, parallel)   build: the same, while work() compiles; the files to check shared
                                               between two processes, the compiling one taking its share after work()
    validate_folder(cards_dir, seeds_dir, …)   `validate`: a file whose checks are in the cache is not even parsed
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, TypeVar

import deckbuild.parallel
from deckbuild import deckrules
from deckbuild.cache import NO_CACHE, Cache
from deckbuild.citations import CitationSearch
from deckbuild.deckrules import CardFacts, card_facts
from deckbuild.files import shown_path
from deckbuild.keyindex import KeyIndex, index_keys, repeated_since
from deckbuild.model import CardFile, Deck, Problem, Project
from deckbuild.parallel import run_beside
from deckbuild.project import FoldedTexts, card_file_content, card_files, load_setting, read_card_file
from deckbuild.rules import card_problems, citation_requests, citation_search
from deckbuild.yamlnodes import gc_paused

T = TypeVar("T")
CheckFiles = Callable[[list[int]], list["FileCheck"]]  # the checks of the files of these indexes
CheckMissing = Callable[[CheckFiles, list[int]], list["FileCheck"]]


class FileCheck(NamedTuple):
    problems: list[Problem]  # the problems of reading the file, then those of each of its cards alone
    facts: CardFacts


class Validation(NamedTuple):
    problems: list[Problem]  # sorted by file, line and column
    files: int  # files checked, deck.yaml included
    cards: int


def as_read(deck: Deck | None) -> Deck | None:
    """The deck as deck.yaml gives it: what a card's own checks may read (not who speaks on many cards, which
    depends on the other cards and is for the rules across cards)."""
    return dataclasses.replace(deck, occasion_speakers=frozenset()) if deck else None


def check_files(
    files: list[CardFile], deck: Deck | None, seeds, cache: Cache = NO_CACHE, setting: str = ""
) -> list[FileCheck]:
    """Each file's checks; the cards of all of them at once, so that each seed is searched once for all excerpts.
    With a cache, the excerpts each file's previous content had in the same seeds are not looked for again."""
    cards = [card for file in files for card in file.cards]
    key = cache.digest("found", setting) if cache.enabled and setting else ""
    found_before: dict[str, set[str]] = {}
    for file in files if key else ():
        for seed, needles in (cache.load("found", file.path, key) or {}).items():
            found_before.setdefault(seed, set()).update(needles)
    search = citation_search(cards, seeds, found_before) if seeds is not None else None
    found = iter(card_problems(cards, deck, search))
    checks = [
        FileCheck(
            file.problems + [problem for _ in file.cards for problem in next(found)],
            card_facts(file.path, file.cards, deck),
        )
        for file in files
    ]
    if key and search is not None:
        for file in files:
            cache.store("found", file.path, key, found_excerpts(file, search))
    return checks


def found_excerpts(file: CardFile, search: CitationSearch) -> dict[str, set[str]]:
    """The needles of the file's cards (citation_requests) that the search found, by seed."""
    excerpts: dict[str, set[str]] = {}
    for seed, needle in (request for card in file.cards for request in citation_requests(card)):
        if needle in search.found(seed):
            excerpts.setdefault(seed, set()).add(needle)
    return excerpts


def setting_key(project: Project, cache: Cache) -> str:
    """What a file's checks read besides the file: the seeds' texts and the deck, as deck.yaml gives it."""
    seeds = sorted(project.seeds.raw.items()) if isinstance(project.seeds, FoldedTexts) else []
    deck = as_read(project.deck)
    # Every field of the deck, sets in order: a set's repr changes from one process to the next.
    described = repr(
        [sorted(value) if isinstance(value, set | frozenset) else value for value in dataclasses.astuple(deck)]
        if deck
        else None
    )
    texts = b"".join(f"{name}\0{len(text) if text is not None else -1}\0".encode() for name, text in seeds)
    return cache.digest(texts, *(text for _, text in seeds if text is not None), repr(project.seeds is None), described)


def cached_checks(
    cache: Cache, setting: str, files: list[tuple[str, str]], check_missing: Callable[[list[int]], list[FileCheck]]
) -> list[tuple[FileCheck, str]]:
    """Each file's checks and their cache key ("" without a cache), for files given as (path as shown, content key):
    read back from the cache where it holds them for this content and setting; the others from
    check_missing(their indexes), and then kept."""
    keys = [cache.digest(key, setting) if setting and key else "" for _, key in files]
    stored = [cache.load("check", path, key) if key else None for (path, _), key in zip(files, keys, strict=True)]
    checks = [check if isinstance(check, FileCheck) else None for check in stored]
    missing = [index for index, check in enumerate(checks) if check is None]
    for index, check in zip(missing, check_missing(missing), strict=True):
        checks[index] = check
        if keys[index]:
            cache.store("check", files[index][0], keys[index], check)
    return [(check, key) for check, key in zip(checks, keys, strict=True) if check is not None]


def near_repeats(cache: Cache, checks: list[tuple[FileCheck, str]]) -> set[int] | None:
    """The near-duplicate keys of more than one card, from the index the cache keeps (keyindex), which is made anew
    when too much changed since; None without a cache."""
    if not cache.enabled or not all(key for _, key in checks):
        return None
    files = {check.facts.path: (key, check.facts.near_keys) for check, key in checks}
    index_key = cache.digest("near-keys")  # the index says itself which checks it describes
    index = cache.load("index", "near-keys", index_key)
    repeats = repeated_since(index, files) if isinstance(index, KeyIndex) else None
    if repeats is None:
        index = index_keys(files)
        cache.store("index", "near-keys", index_key, index)
        repeats = set(index.repeated)
    return repeats


def across_cards(project: Project, checks: list[tuple[FileCheck, str]], cache: Cache) -> list[Problem]:
    """Every problem: the setting's, each file's, and those of the rules across cards."""
    deck, files = project.deck, [check.facts for check, _ in checks]
    problems = list(project.problems)
    for check, _ in checks:
        problems.extend(check.problems)
    problems.extend(deckrules.rule_themes_known(deck, files))
    problems.extend(deckrules.rule_ids_unique(files))
    problems.extend(deckrules.rule_prompts_distinct(files, near_repeats(cache, checks)))
    problems.extend(deckrules.rule_themes_used(deck, files))
    problems.extend(deckrules.rule_same_answer(deck, files))
    problems.extend(deckrules.rule_seed_titles(deck, files))
    problems.extend(deckrules.rule_released_kept(project.released, files, deck))
    return sorted(problems, key=Problem.sort_key)


# Of the card files a build checks on two cores, the share the process that compiles checks after writing the
# package: at 50,000 cards compiling and writing cost about what checking two thirds of the cards costs, so the other
# process checks five sixths of the files meanwhile, and both finish together.
COMPILER_SHARE = 1 / 6


def checked_in_two(
    check: CheckFiles, missing: list[int], first: Callable[[], None] | None = None, share: float = 0.5
) -> list[FileCheck]:
    """check(missing), in file order, shared with a second process: it checks all but `share` of the files while this
    one runs first() (when given) and then checks the rest."""
    split = len(missing) - int(len(missing) * share)

    def ours() -> list[FileCheck]:
        if first is not None:
            first()
        return check(missing[split:])

    theirs, mine = run_beside(lambda: check(missing[:split]), ours, parallel=True)
    if isinstance(mine, BaseException):
        raise mine
    return theirs + mine


def validate(project: Project, check_missing: CheckMissing | None = None) -> Validation:
    """Every problem of a project loaded whole; each file's checks read back from the cache the project was loaded
    with, when the file and its setting did not change, the others made by check_missing(check, their indexes)
    (by default: check(their indexes), here)."""
    cache = project.cache if isinstance(project.cache, Cache) else NO_CACHE
    files = project.files
    setting = setting_key(project, cache) if cache.enabled else ""

    def check(indexes: list[int]) -> list[FileCheck]:
        return check_files([files[index] for index in indexes], as_read(project.deck), project.seeds, cache, setting)

    checks = cached_checks(
        cache,
        setting,
        [(file.path, file.key) for file in files],
        lambda missing: check_missing(check, missing) if check_missing and missing else check(missing),
    )
    return Validation(across_cards(project, checks, cache), project.files_checked, len(project.cards))


def validate_beside(project: Project, work: Callable[[], T], parallel: bool) -> tuple[Validation, T | Exception | None]:
    """validate(project) and work() (a build's compiling and writing) at once, on two cores when parallel: a second
    process checks most of the files to check while this one runs work() and then checks the rest (COMPILER_SHARE);
    the rules across cards run here. Returns the validation and what work() returned, or raised: it runs on cards not
    yet checked, and their problems say why it failed. When not parallel, or when the cache holds every file's
    checks, work() runs after the checks, and only if they found no error (else None)."""
    outcome: list = []

    def run_work() -> None:
        try:
            outcome.append(work())
        except Exception as error:
            outcome.append(error)

    def check_missing(check: CheckFiles, missing: list[int]) -> list[FileCheck]:
        if not parallel:
            return check(missing)
        return checked_in_two(check, missing, first=run_work, share=COMPILER_SHARE)

    validation = validate(project, check_missing)
    if not outcome and not any(problem.severity == "error" for problem in validation.problems):
        run_work()
    return validation, outcome[0] if outcome else None


def validate_folder(cards_dir: Path, seeds_dir: Path, cache: Cache = NO_CACHE) -> Validation:
    """Every problem of the project in these folders. A card file whose checks the cache holds for its content and
    setting is read but not parsed; the others are parsed and checked, in two processes when they are many."""
    project = load_setting(cards_dir, seeds_dir, cache)
    setting = setting_key(project, cache) if cache.enabled else ""
    paths = card_files(cards_dir)
    contents = [card_file_content(path, cache) for path in paths]

    def check_some(indexes: list[int]) -> list[FileCheck]:
        # Nodes not kept: validate keeps each file's checks. Pickling them cost as much as parsing the file again.
        files = [read_card_file(paths[index], cache, contents[index], keep=False) for index in indexes]
        return check_files(files, as_read(project.deck), project.seeds, cache, setting)

    def check_missing(missing: list[int]) -> list[FileCheck]:
        if len(missing) < deckbuild.parallel.PARALLEL_FILES:  # read at call time: tests lower it
            return check_some(missing)
        return checked_in_two(check_some, missing)

    shown = [shown_path(path) for path in paths]
    with gc_paused():
        checks = cached_checks(
            cache,
            setting,
            [(path, key) for path, (_, key) in zip(shown, contents, strict=True)],
            check_missing,
        )
        seeds = project.seeds.raw if isinstance(project.seeds, FoldedTexts) else {}
        kept = [(kind, path) for path in shown for kind in ("parse", "check", "found")] + [
            ("fold", seed) for seed in seeds
        ]
        cache.keep_only([*kept, ("index", "near-keys")])
        cards = sum(len(check.facts) for check, _ in checks)
        return Validation(across_cards(project, checks, cache), len(paths) + 1, cards)
