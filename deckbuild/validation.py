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
from deckbuild.parallel import outcome, run_beside
from deckbuild.project import FoldedTexts, card_file_content, card_files, load_setting, read_card_file
from deckbuild.rules import card_problems, citation_requests, citation_search
from deckbuild.yamlnodes import gc_paused

T = TypeVar("T")
CheckFiles = Callable[[list[int]], list["FileCheck"]]  # the checks of the files of these indexes


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


def cached_checks(cache: Cache, setting: str, files: list[tuple[str, str]]) -> tuple[list[FileCheck | None], list[str]]:
    """Each file's checks as the cache holds them for its content and setting (None where it does not), and their
    cache keys ("" without a cache), for files given as (path as shown, content key)."""
    keys = [cache.digest(key, setting) if setting and key else "" for _, key in files]
    stored = [cache.load("check", path, key) if key else None for (path, _), key in zip(files, keys, strict=True)]
    return [check if isinstance(check, FileCheck) else None for check in stored], keys


def missing_checks(checks: list[FileCheck | None]) -> list[int]:
    return [index for index, check in enumerate(checks) if check is None]


def with_made(
    cache: Cache, paths: list[str], cached: tuple[list[FileCheck | None], list[str]], made: list[FileCheck]
) -> list[tuple[FileCheck, str]]:
    """Every file's checks and their cache key: the cached ones, and those just made of the missing ones (in order),
    which the cache keeps from now on."""
    checks, keys = list(cached[0]), cached[1]
    for index, check in zip(missing_checks(cached[0]), made, strict=True):
        checks[index] = check
        if keys[index]:
            cache.store("check", paths[index], keys[index], check)
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


def checked_in_two(check: CheckFiles, missing: list[int]) -> list[FileCheck]:
    """check(missing), in file order, shared with a second process: each checks half of the files."""
    half = len(missing) // 2
    theirs, mine = run_beside(lambda: check(missing[:half]), lambda: check(missing[half:]), parallel=True)
    if isinstance(mine, BaseException):
        raise mine
    return theirs + mine


@dataclasses.dataclass(frozen=True)
class Checking:
    """A project loaded whole, its files' checks read back from the cache it was loaded with where the file and its
    setting did not change; check() makes the others."""

    project: Project
    cache: Cache
    setting: str
    cached: tuple[list[FileCheck | None], list[str]]

    @classmethod
    def of(cls, project: Project) -> Checking:
        cache = project.cache if isinstance(project.cache, Cache) else NO_CACHE
        setting = setting_key(project, cache) if cache.enabled else ""
        return cls(project, cache, setting, cached_checks(cache, setting, [(f.path, f.key) for f in project.files]))

    @property
    def missing(self) -> list[int]:
        """The files whose checks the cache does not hold, by index."""
        return missing_checks(self.cached[0])

    def check(self, indexes: list[int]) -> list[FileCheck]:
        files, project = self.project.files, self.project
        return check_files([files[i] for i in indexes], as_read(project.deck), project.seeds, self.cache, self.setting)

    def validation(self, made: list[FileCheck]) -> Validation:
        """Every problem, the checks of the missing files (made) with the others'; the rules across cards on all."""
        project = self.project
        checks = with_made(self.cache, [file.path for file in project.files], self.cached, made)
        return Validation(across_cards(project, checks, self.cache), project.files_checked, len(project.cards))


def validate(project: Project) -> Validation:
    """Every problem of a project loaded whole; only the files whose checks the cache does not hold are checked."""
    checking = Checking.of(project)
    return checking.validation(checking.check(checking.missing))


def validate_beside(project: Project, work: Callable[[], T], parallel: bool) -> tuple[Validation, T | Exception | None]:
    """validate(project) and work() (a build's compiling and writing) at once, on two cores when parallel: a second
    process checks most of the files to check while this one runs work() and then checks the rest (COMPILER_SHARE);
    the rules across cards run here. Returns the validation and what work() returned, or raised: it runs on cards not
    yet checked, and their problems say why it failed. Without a second process (not parallel, no fork on this
    system, or every file's checks in the cache), work() runs after the checks, and only if they found no error."""
    checking = Checking.of(project)
    missing = checking.missing
    if not (parallel and deckbuild.parallel.CAN_FORK and missing):  # CAN_FORK read at call time: tests change it
        validation = checking.validation(checking.check(missing))
        passed = not any(problem.severity == "error" for problem in validation.problems)
        return validation, outcome(work) if passed else None
    split = len(missing) - int(len(missing) * COMPILER_SHARE)

    def work_then_check() -> tuple[T | Exception, list[FileCheck]]:
        return outcome(work), checking.check(missing[split:])

    theirs, ours = run_beside(lambda: checking.check(missing[:split]), work_then_check, parallel=True)
    if isinstance(ours, BaseException):
        raise ours
    done, mine = ours
    return checking.validation(theirs + mine), done


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

    shown = [shown_path(path) for path in paths]
    with gc_paused():
        cached = cached_checks(cache, setting, [(path, key) for path, (_, key) in zip(shown, contents, strict=True)])
        missing = missing_checks(cached[0])
        # Read at call time: tests change them.
        in_two = len(missing) >= deckbuild.parallel.PARALLEL_FILES and deckbuild.parallel.CAN_FORK
        made = checked_in_two(check_some, missing) if in_two else check_some(missing)
        checks = with_made(cache, shown, cached, made)
        seeds = project.seeds.raw if isinstance(project.seeds, FoldedTexts) else {}
        kept = [(kind, path) for path in shown for kind in ("parse", "check", "found")] + [
            ("fold", seed) for seed in seeds
        ]
        cache.keep_only([*kept, ("index", "near-keys")])
        cards = sum(len(check.facts) for check, _ in checks)
        return Validation(across_cards(project, checks, cache), len(paths) + 1, cards)
