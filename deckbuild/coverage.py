"""Coverage: which fact-bearing passages of the texts the cards cite, correct or leave out."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import deckbuild.parallel
from deckbuild.citations import spans
from deckbuild.files import shown_path
from deckbuild.model import Card, Problem
from deckbuild.parallel import run_beside
from deckbuild.project import card_files, cards_of, read_card_files
from deckbuild.text import (
    FOLD_TABLE,
    LONG_WHITESPACE,
    MONTHS,
    NEWLINE,
    WHITESPACE,
    WORD,
    did_you_mean,
    fold,
    name_words,
    sentence_spans,
)

FACT_PATTERNS = {
    "year": re.compile(r"\b(?:1[6-9]\d\d|20\d\d)\b"),
    "date": re.compile(
        rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{'|'.join(MONTHS)})|(?:{'|'.join(MONTHS)}) \d{{1,2}}\b)"
    ),
    "quotation": re.compile(r"[“\"][^“”\"\s]+(?:\s+[^“”\"\s]+){3,}[”\"]"),  # four words or more: not a “scare quote”
    "treaty": re.compile(
        r"\b(?:treat(?:y|ies)|pacts?|agreements?|alliances?|accords?|declarations?|conventions?|charters?)\b", re.I
    ),
    "person": re.compile(
        r"\b(?:President|Premier|Chairman|Marshal|General|Secretary|Prime Minister|Mr\.?) [A-Z][a-z]+"
    ),
}


FACT_HINTS = {  # cheap tests that rule a pattern out before its regular expression runs (a year or a person: none)
    "date": lambda text: any(month in text for month in MONTHS),
    "quotation": lambda text: '"' in text or "“" in text,
    "treaty": lambda text: any(
        word in text.lower() for word in ("treat", "pact", "agree", "allian", "accord", "declar", "conven", "charter")
    ),
}


FURNITURE = re.compile(
    r"^(?:Submitted By|Words:|Pages:|Source:|Retrieved|Copyright|©|Image:|File:)|https?://|www\.|\.(?:jpe?g|png|gif)\b",
    re.I,
)


MIN_PASSAGE_WORDS = 4


@dataclass(frozen=True)
class Passage:
    """A sentence of a seed that states a fact; its line is the line it starts on."""

    seed: str
    line: int
    start: int  # offsets into the seed's text
    end: int
    text: str  # white space folded
    facts: tuple[str, ...]  # what makes it fact-bearing: year, date, quotation, treaty, person
    names: frozenset = frozenset()  # its words, checked against the deck's people once they are known


@dataclass(frozen=True)
class SeedCoverage:
    seed: str
    passages: list  # every fact-bearing passage, a repeated one once
    cited: list
    left_out: list
    uncited: list  # most fact-dense first


LEFT_OUT_LINE = re.compile(r'- `([^`]+)`: "(.+)" — (.+)')  # - `SEED`: "excerpt" — reason


def left_out_lines(seeds_dir: Path) -> list[tuple[int, str]]:
    """(line number, line) for each list item under `## Left out` in seeds/README.md."""
    path = seeds_dir / "README.md"
    if not path.is_file():
        return []
    items, inside = [], False
    for number, line in enumerate(path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1):
        if line.startswith("## "):
            inside = line.rstrip() == "## Left out"
        elif inside and line.startswith("- "):
            items.append((number, line))
    return items


def load_left_out(seeds_dir: Path) -> list[tuple[str, ...]]:
    """(seed, excerpt, reason) for each passage `seeds/README.md` lists under `## Left out` as
    - `SEED`: "excerpt" — reason"""
    return [match.groups() for _, line in left_out_lines(seeds_dir) if (match := LEFT_OUT_LINE.fullmatch(line))]


def left_out_problems(seeds_dir: Path, seed_texts: dict[str, str]) -> list[Problem]:
    """Warnings for the `## Left out` lines that would silently leave nothing out: a line that does not read as
    - `SEED`: "excerpt" — reason, names no seed, or quotes words that are not in that seed."""
    shown, problems = shown_path(seeds_dir / "README.md"), []
    folded = {name: fold(text) for name, text in seed_texts.items()}
    for number, line in left_out_lines(seeds_dir):
        match = LEFT_OUT_LINE.fullmatch(line)
        if match is None:
            message = 'this line does not read; write - `SEED`: "the exact words" — why it is left out'
        elif match[1] not in seed_texts:
            message = f"no seed '{match[1]}' in {shown_path(seeds_dir)}{did_you_mean(match[1], seed_texts)}"
        elif fold(match[2]) not in folded[match[1]]:
            message = f"the words in quotes are not in {match[1]}, so nothing is left out; copy them from the text"
        else:
            continue
        problems.append(Problem(shown, number, 1, "warning", "left-out", message))
    return problems


def seed_sentences(seed: str, text: str) -> list[Passage]:
    """Every sentence of a seed but page furniture, with the facts found in it before the deck's people are known."""
    newlines = [match.start() for match in NEWLINE.finditer(text)]
    sentences = []
    for start, end in sentence_spans(text):
        sentence = WHITESPACE.sub(" ", text[start:end]).strip()
        if len(sentence.split()) < MIN_PASSAGE_WORDS or FURNITURE.search(sentence):
            continue
        facts = tuple(
            name
            for name, pattern in FACT_PATTERNS.items()
            if (name not in FACT_HINTS or FACT_HINTS[name](sentence)) and pattern.search(sentence)
        )
        names = frozenset() if "person" in facts else frozenset(WORD.findall(sentence))
        sentences.append(Passage(seed, bisect.bisect(newlines, start) + 1, start, end, sentence, facts, names))
    return sentences


def fact_bearing(sentences: list[Passage], people: set[str]) -> list[Passage]:
    """The sentences that state a fact: those seed_sentences found one in, and those naming one of the people."""
    return [
        sentence
        if sentence.names.isdisjoint(people)
        else dataclasses.replace(sentence, facts=(*sentence.facts, "person"))
        for sentence in sentences
        if sentence.facts or not sentence.names.isdisjoint(people)
    ]


def folded_positions(text: str) -> tuple[str, Callable[[int], int]]:
    """The text folded as excerpts are matched, and a function from an offset in the text to one in the folded text.

    Folding changes lengths only where a run of two or more white-space characters becomes one space."""
    folded = WHITESPACE.sub(" ", text.translate(FOLD_TABLE))
    runs = [match.span() for match in LONG_WHITESPACE.finditer(text)]
    run_starts = [start for start, _ in runs]
    removed = list(itertools.accumulate(end - start - 1 for start, end in runs))

    def position(offset: int) -> int:
        index = bisect.bisect_right(run_starts, offset) - 1  # the last run that starts at or before the offset
        if index < 0:
            return offset
        start, end = runs[index]
        if offset < end:  # inside the run, which folds to one space
            return start - (removed[index - 1] if index else 0)
        return offset - removed[index]

    return folded, position


def excerpt_spans(folded: str, needle: str) -> Iterator[tuple[int, int]]:
    """Every place a folded excerpt occurs in a folded seed."""
    found = folded.find(needle) if needle else -1
    while found >= 0:
        yield found, found + len(needle)
        found = folded.find(needle, found + 1)


@dataclass(frozen=True)
class Citations:
    """What coverage and suggest need of the cards: small enough to pass between processes."""

    people: dict  # a part of a person's or speaker's name → the full name
    excerpts: dict  # seed → every excerpt that cites it, folded
    ids: frozenset


def citations_of(cards: list[Card]) -> Citations:
    people: dict[str, str] = {}
    excerpts: dict[str, list[str]] = {}
    for card in cards:
        if card.type in ("person", "quote"):
            for key in ("name", "speaker"):
                people.update(dict.fromkeys(name_words(card.text(key)), card.text(key)))
        # A passage a card corrects is accounted for too: the deck says what is wrong with it.
        for _, seed, excerpt in card.sources() + card.corrections():
            excerpts.setdefault(seed, []).append(fold(excerpt))  # folded here: in parallel, on large decks
    return Citations(people, excerpts, frozenset(card.id for card in cards))


def read_for_coverage(cards_dir: Path, seed_texts: dict[str, str]) -> tuple[Citations, dict[str, list[Passage]]]:
    """The cards' citations and the seeds' sentences. On a large deck two processes share the work: the second splits
    the seeds into sentences and reads two fifths of the card files, the first reads the rest."""
    files = card_files(cards_dir)
    split = len(files) * 2 // 5

    def sentences_and_first_files():
        sentences = {seed: seed_sentences(seed, text) for seed, text in seed_texts.items()}
        return sentences, citations_of(cards_of(read_card_files(files[:split])))

    (sentences, first), second = run_beside(
        sentences_and_first_files,
        lambda: citations_of(cards_of(read_card_files(files[split:]))),
        parallel=len(files) >= deckbuild.parallel.PARALLEL_FILES,  # read at call time: tests lower it
    )
    if isinstance(second, BaseException):
        raise second
    excerpts = {
        seed: first.excerpts.get(seed, []) + second.excerpts.get(seed, [])
        for seed in first.excerpts.keys() | second.excerpts.keys()
    }
    return Citations(first.people | second.people, excerpts, first.ids | second.ids), sentences


def coverage(
    seed_texts: dict[str, str],
    sentences: dict[str, list[Passage]],
    citations: Citations,
    left_out: list[tuple[str, ...]],
) -> list[SeedCoverage]:
    """Per seed: its fact-bearing passages, which a card cites (a source excerpt overlaps it), which seeds/README.md
    leaves out, and the rest."""
    people = set(citations.people)
    omitted: dict[str, list[str]] = {}
    for seed, excerpt, _ in left_out:
        omitted.setdefault(seed, []).append(fold(excerpt))
    report = []
    for seed, text in seed_texts.items():
        every = fact_bearing(sentences[seed], people)  # in text order, none overlapping
        folded, position = folded_positions(text)
        starts = [position(passage.start) for passage in every]
        ends = [position(passage.end) for passage in every]

        def overlapped(excerpts, every=every, starts=starts, ends=ends, folded=folded):
            """The passages (by folded text, so that a repeated one counts once) any of the excerpts overlaps."""
            hit = set()
            for places in spans(folded, excerpts).values():  # every excerpt at once: one pass over the seed
                for start, end in places:
                    index = bisect.bisect_right(ends, start)  # the first passage that ends after the excerpt starts
                    while index < len(every) and starts[index] < end:
                        hit.add(every[index].text.lower())
                        index += 1
            return hit

        cited_keys = overlapped(citations.excerpts.get(seed, []))
        omitted_keys = overlapped(omitted.get(seed, [])) - cited_keys
        passages = list({passage.text.lower(): passage for passage in reversed(every)}.values())[::-1]
        passages.sort(key=lambda passage: passage.start)
        cited = [p for p in passages if p.text.lower() in cited_keys]
        left = [p for p in passages if p.text.lower() in omitted_keys]
        uncited = sorted(
            (p for p in passages if p.text.lower() not in cited_keys and p.text.lower() not in omitted_keys),
            key=lambda p: (-len(p.facts), p.line),
        )
        report.append(SeedCoverage(seed, passages, cited, left, uncited))
    return report


def coverage_json(report: list[SeedCoverage]) -> dict:
    """The report for machines: per seed its counts and uncited passages, and the totals."""
    seeds: list[dict] = [
        {
            "seed": r.seed,
            "passages": len(r.passages),
            "cited": len(r.cited),
            "left_out": len(r.left_out),
            "uncited": [{"line": p.line, "text": p.text, "facts": list(p.facts)} for p in r.uncited],
        }
        for r in report
    ]
    total = {key: sum(seed[key] for seed in seeds) for key in ("passages", "cited", "left_out")}
    return {"total": total, "seeds": seeds}


def coverage_lines(report: list[SeedCoverage]) -> list[str]:
    """The report for people: a table of counts per seed, then the uncited passages, most fact-dense first."""
    width = max([len(r.seed) for r in report] + [5])
    lines = [f"{'seed':<{width}}  passages  cited  left out  uncited"]
    for r in report:
        lines.append(
            f"{r.seed:<{width}}  {len(r.passages):>8}  {len(r.cited):>5}  {len(r.left_out):>8}  {len(r.uncited):>7}"
        )
    totals = [sum(len(getattr(r, key)) for r in report) for key in ("passages", "cited", "left_out", "uncited")]
    lines.append(f"{'total':<{width}}  {totals[0]:>8}  {totals[1]:>5}  {totals[2]:>8}  {totals[3]:>7}")
    uncited = sorted((p for r in report for p in r.uncited), key=lambda p: (-len(p.facts), p.seed, p.line))
    if uncited:
        lines.append("\nuncited, most fact-dense first:")
        lines += [f"{p.seed}:{p.line}: [{', '.join(p.facts)}] {p.text}" for p in uncited]
    return lines
