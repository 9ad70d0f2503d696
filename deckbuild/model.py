"""The data model: card types and their fields, problems, YAML nodes with positions, cards, themes, decks, projects."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from deckbuild.cached import cached_property
from deckbuild.text import fold

CARD_TYPES = ("date", "person", "treaty", "quote", "term", "question")


COMMON_REQUIRED = ("id", "type", "themes", "source")


COMMON_OPTIONAL = ("notes", "corrects", "retired", "lint")


TYPE_REQUIRED = {
    "date": ("event", "date"),
    "person": ("name", "role"),
    "treaty": ("name", "date", "terms"),
    "quote": ("text", "speaker", "context"),
    "term": ("term", "definition"),
    "question": ("question", "answer"),
}


# A treaty without parties is a decree, law or declaration.
TYPE_OPTIONAL = {
    "date": ("end",),
    "person": ("born", "died"),
    "treaty": ("parties",),
    "quote": ("date", "blank"),
    "term": (),
    "question": (),
}


LIST_FIELDS = ("themes", "parties")  # lists of text; `source`, `corrects` and `lint` have shapes of their own
CITATION_FIELDS = ("source", "corrects")  # lists of {seed, quote}


DATE_FIELDS = ("date", "end", "born", "died")


ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


ID_MAX_LENGTH = 64


TAG_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


LATEST_TIME = 253402300799  # 9999-12-31T23:59:59Z: the last time a calendar date can show


EARLIEST_TIME = 946684800  # 2000-01-01T00:00:00Z: earlier build times make note ids that Anki cannot hold (0)


HTML_PATTERN = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?\s*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")


NULL_WORDS = frozenset({"~", "null", "Null", "NULL"})  # plain YAML nulls: an empty value, not the word "null"


# Every rule a problem can name: the contract behind `[rule-id]` in every message. A rule has one severity; the
# card lint rules (warnings) are the ones a card may silence with `lint: {<rule>: <reason>}`. `check` names the
# function that reports it (`build-deck rules` lists them; a test keeps the names true).
Severity = Literal["error", "warning"]


class Rule(NamedTuple):
    id: str
    severity: Severity
    description: str
    check: str  # module.function that reports it
    lint: bool = False  # a rule of good flashcards: a card may silence it, with its reason


RULES = {
    rule.id: rule
    for rule in (
        Rule("yaml-syntax", "error", "the file is YAML that parses", "yamlnodes.parse_yaml"),
        Rule("yaml-encoding", "error", "the file is UTF-8", "yamlnodes.parse_yaml"),
        Rule("seed-encoding", "error", "a source text in seeds/ is UTF-8", "project.read_seeds"),
        Rule("yaml-empty", "error", "the file is not empty", "yamlnodes.parse_yaml"),
        Rule("yaml-duplicate-key", "error", "no key appears twice in a mapping", "yamlnodes.parse_yaml"),
        Rule("yaml-alias", "error", "no anchors (&name) or aliases (*name)", "yamlnodes.parse_yaml"),
        Rule("yaml-multi-doc", "error", "one YAML document per file", "yamlnodes.parse_yaml"),
        Rule("yaml-tag", "error", "no explicit tags such as !!python/object", "yamlnodes.parse_yaml"),
        Rule("yaml-key", "error", "mapping keys are plain text", "yamlnodes.parse_yaml"),
        Rule(
            "text-control",
            "error",
            "no control characters in the text (Anki would split a note on them)",
            "yamlnodes.parse_yaml",
        ),
        Rule("file-unreadable", "error", "the file can be read", "yamlnodes.read_yaml_file"),
        Rule(
            "file-name",
            "error",
            "card files end in .yaml (a .yml file would never be read)",
            "project.misnamed_card_files",
        ),
        Rule("top-level", "error", "a card file is a list of cards", "project.read_card_file"),
        Rule("card-shape", "error", "each card is a mapping of fields", "project.read_card_file"),
        Rule("field-required", "error", "every required field is there", "rules.rule_card_fields"),
        Rule("field-unknown", "error", "no field the card type does not have", "rules.rule_card_fields"),
        Rule("field-empty", "error", "no empty value", "rules.check_text"),
        Rule("field-shape", "error", "text where text belongs, a list where a list does", "rules.check_text"),
        Rule("id-format", "error", "ids are kebab-case, at most 64 characters", "rules.rule_id_format"),
        Rule("id-unique", "error", "no id is used twice", "deckrules.rule_ids_unique"),
        Rule(
            "type-known", "error", "the type is date, person, treaty, quote, term or question", "rules.rule_card_fields"
        ),
        Rule("theme-known", "error", "every theme is one of deck.yaml's", "deckrules.rule_themes_known"),
        Rule("theme-unused", "warning", "every theme of deck.yaml has cards", "deckrules.rule_themes_used"),
        Rule(
            "date-format", "error", "dates are real calendar dates as YYYY, YYYY-MM or YYYY-MM-DD", "rules.rule_dates"
        ),
        Rule("date-order", "error", "an end or a death is not before its start or birth", "rules.rule_dates"),
        Rule("source-seed", "error", "a source names a file in seeds/", "rules.rule_sources"),
        Rule("source-quote", "error", "a source's excerpt occurs in its seed", "rules.rule_sources"),
        Rule(
            "left-out",
            "warning",
            "a line under `## Left out` in seeds/README.md reads and names a passage of a seed",
            "coverage.left_out_problems",
        ),
        Rule("quote-text", "error", "a quote card's quotation occurs in a cited seed", "rules.rule_sources"),
        Rule("quote-blank", "error", "a quote card's blank: words occur in its quotation", "rules.rule_sources"),
        Rule(
            "seed-title", "warning", "every cited seed has a title in deck.yaml's seeds:", "deckrules.rule_seed_titles"
        ),
        Rule("html-markup", "warning", "text that looks like HTML will show literally", "rules.rule_html"),
        Rule(
            "duplicate-prompt",
            "error",
            "no two cards of a type ask the same question",
            "deckrules.rule_prompts_distinct",
        ),
        Rule("deck-missing", "error", "cards/deck.yaml exists", "project.load_deck"),
        Rule("deck-format", "error", "deck.yaml has a deck id, name, tag prefix and themes", "project.read_deck"),
        Rule(
            "released-id",
            "error",
            "a released card is never removed and never changes type",
            "deckrules.rule_released_kept",
        ),
        Rule("released-format", "error", "cards/released.json reads", "project.load_released"),
        Rule("lint-known", "error", "a lint exception names a lint rule", "rules.check_lint_exceptions"),
        Rule("lint-reason", "error", "a lint exception gives its reason", "rules.check_lint_exceptions"),
        Rule(
            "near-duplicate",
            "warning",
            "no card asks nearly what another asks",
            "deckrules.rule_prompts_distinct",
            lint=True,
        ),
        Rule(
            "answer-leak", "warning", "the question does not give the answer away", "lint.lint_answer_leak", lint=True
        ),
        Rule(
            "prompt-pronoun", "warning", "a prompt does not start with a pronoun", "lint.lint_prompt_pronoun", lint=True
        ),
        Rule(
            "prompt-short",
            "warning",
            "a prompt has enough words to have one right answer",
            "lint.lint_prompt_short",
            lint=True,
        ),
        Rule(
            "date-precision",
            "warning",
            "a date is no more precise than its excerpts",
            "lint.lint_date_precision",
            lint=True,
        ),
        Rule(
            "year-not-in-source",
            "warning",
            "a card's years appear in its excerpts",
            "lint.lint_year_not_in_source",
            lint=True,
        ),
        Rule("list-too-long", "warning", "no list longer than three", "lint.lint_list_too_long", lint=True),
        Rule("answer-too-long", "warning", "an answer is one short sentence", "lint.lint_answer_too_long", lint=True),
        Rule(
            "seed-reference",
            "warning",
            "learner-visible text never names a seed by file name or as 'seed 003'",
            "rules.rule_seed_reference",
            lint=True,
        ),
        Rule(
            "same-answer",
            "warning",
            "no more than two cards of a theme with the same answer",
            "deckrules.rule_same_answer",
            lint=True,
        ),
    )
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    rule: str
    message: str

    def __post_init__(self):
        rule = RULES.get(self.rule)  # a programming error either way: every rule is documented in RULES, once
        if rule is None:
            raise ValueError(f"unknown rule {self.rule!r}")
        if rule.severity != self.severity:
            raise ValueError(f"rule {self.rule!r} is an {rule.severity}, not an {self.severity}")

    def sort_key(self):
        return (self.path, self.line, self.col, self.rule, self.message)

    @classmethod
    def error(cls, path: str, node, rule: str, message: str) -> Problem:
        """An error at a node (anything with a line and a column)."""
        return cls(path, node.line, node.col, "error", rule, message)

    @classmethod
    def warning(cls, path: str, node, rule: str, message: str) -> Problem:
        return cls(path, node.line, node.col, "warning", rule, message)


class Text(NamedTuple):
    """A YAML scalar, always read as text, with its 1-based position. (Tuples: a large deck has millions.)"""

    value: str
    line: int
    col: int
    plain: bool = False  # written without quotes: `~` and `null` then mean "empty"


class Items(NamedTuple):
    items: list
    line: int
    col: int


class Fields(NamedTuple):
    """A YAML mapping: key → (key node, value node), in file order."""

    entries: dict
    line: int
    col: int

    def get(self, key):
        entry = self.entries.get(key)
        return entry[1] if entry else None


@dataclass(frozen=True)
class Card:
    path: str  # as shown in messages
    node: Fields

    @property
    def line(self):
        return self.node.line

    @cached_property
    def _texts(self) -> dict[str, str]:
        # text_of, inlined: a call for each field of each card was most of the time this took.
        texts = {}
        for key, (_, value) in self.node.entries.items():
            text = value.value.strip() if type(value) is Text else ""
            texts[key] = "" if text in NULL_WORDS and value.plain else text
        return texts

    def text(self, key: str) -> str:
        """The field's text, stripped; "" when it is missing, empty or not text."""
        return self._texts.get(key, "")

    def texts(self, key: str) -> list[str]:
        value = self.node.get(key)
        if isinstance(value, Items):
            return [text for text in map(text_of, value.items) if text]
        return [self.text(key)] if self.text(key) else []

    @cached_property
    def id(self):  # asked for again and again by the rules across cards
        return self._texts.get("id", "")

    @cached_property
    def type(self):
        return self._texts.get("type", "")

    @cached_property
    def themes(self):
        return self.texts("themes")

    @property
    def retired(self):
        return self.text("retired")

    def sources(self) -> list[tuple[Fields, str, str]]:
        """(node, seed, excerpt) for every well-formed source entry."""
        return self._sources

    @cached_property
    def _sources(self):
        return self.citations("source")

    def corrections(self) -> list[tuple[Fields, str, str]]:
        """(node, seed, excerpt) for every well-formed `corrects:` entry: what a source says that the card corrects."""
        return self._corrections

    @cached_property
    def _corrections(self):
        return self.citations("corrects")

    def citations(self, key: str) -> list[tuple[Fields, str, str]]:
        value = self.node.get(key)
        entries = value.items if isinstance(value, Items) else [value]
        return [
            (entry, text_of(entry.get("seed")), text_of(entry.get("quote")))
            for entry in entries
            if isinstance(entry, Fields)
        ]

    @cached_property
    def folded_excerpts(self) -> list[str]:
        """Each source's excerpt folded for matching (white space, quotes, dashes), in source order."""
        return [fold(excerpt) for _, _, excerpt in self.sources()]

    def lint_exceptions(self) -> dict[str, str]:
        return self._lint_exceptions

    @cached_property
    def _lint_exceptions(self) -> dict[str, str]:
        value = self.node.get("lint")
        if not isinstance(value, Fields):
            return {}
        return {key: text_of(node) for key, (_, node) in value.entries.items() if text_of(node)}


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str
    keywords: tuple[str, ...]
    line: int
    col: int


@dataclass(frozen=True)
class SeedInfo:
    """What deck.yaml's `seeds:` says of a source text: the title learners see, and where it comes from."""

    file: str
    title: str
    author: str = ""
    kind: str = ""
    year: str = ""
    url: str = ""


@dataclass(frozen=True)
class Deck:
    id: int
    name: str
    description: str
    tag_prefix: str
    themes: tuple[Theme, ...]
    path: str
    id_line: int = 1  # where deck.yaml gives the id, for messages about it
    id_col: int = 1
    seeds: tuple[SeedInfo, ...] = ()
    seeds_line: int = 1
    # Speakers of more than two live quote cards: their who-said cards ask the occasion (set by load_project).
    occasion_speakers: frozenset[str] = frozenset()
    # deck.yaml's optional `words:`, this deck's own vocabulary, so that the tool's code names no subject:
    subject_words: frozenset[str] = frozenset()  # words nearly every card shares; ignored when comparing questions
    search_example: str = "e.g. a name, a year, a word"  # the preview's search box
    group_example: str = "the founding members"  # how list-too-long suggests naming a long list in a few words

    def asks_occasion(self, card: Card) -> bool:
        """Whether a quote card's who-said card shows the speaker and asks the occasion (see occasion_speakers)."""
        return card.text("speaker") in self.occasion_speakers

    def seed_title(self, file: str) -> str:
        """The title learners see for a seed; its file name where deck.yaml gives none (seed-title warns)."""
        info = self._seeds_by_file.get(file)
        return info.title if info else file

    @cached_property
    def _seeds_by_file(self):
        return {seed.file: seed for seed in self.seeds}

    def theme(self, theme_id) -> Theme | None:
        return self._themes_by_id.get(theme_id)

    @cached_property
    def _themes_by_id(self):
        return {theme.id: theme for theme in self.themes}


@dataclass(frozen=True)
class Record:
    """What the last release recorded of a card or note type: its content hash and modification time."""

    hash: str
    mod: int
    type: str = ""
    line: int = 0
    parts: dict = field(default_factory=dict)  # what a learner sees, in parts (wording, date…) → a hash of each
    changes: tuple[str, ...] = ()  # what changed since the last version, in a learner's words ("date corrected")
    shape: dict = field(default_factory=dict)  # a note type's id and its field and template ids, frozen by a release


@dataclass(frozen=True)
class Released:
    path: str
    deck_id: int  # 0 before the first release
    cards: dict  # card id → Record
    note_types: dict  # card type → Record
    version: str = ""  # the last `release --version`, X.Y.Z; empty before the first
    whats_new: dict = field(default_factory=dict)  # that version's news: added, changed (id → words), retired


@dataclass(frozen=True)
class Selection:
    themes: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def is_full(self):
        return not self.themes and not self.types


class CardFile(NamedTuple):
    """A card file as read: its path as shown in messages, its cards, the problems of reading it (YAML, shape), and
    the cache key of its content ("" without a cache)."""

    path: str
    cards: list[Card]
    problems: list[Problem]
    key: str = ""


@dataclass
class Project:
    """Everything `load_project` read: the deck, its cards and card files, its seeds, its release record, and the
    problems of reading deck.yaml, released.json and the seeds (a card file's own are in its CardFile)."""

    deck: Deck | None
    cards: list[Card]
    seeds: Mapping[str, str | None] | None  # name → folded text (project.FoldedTexts); None without a seeds folder
    released: Released
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    files: list[CardFile] = field(default_factory=list)
    cache: object = None  # the cache.Cache it was read with, for validate to keep its card checks in too


def is_empty(node) -> bool:
    """A scalar with nothing in it: blank, or a plain YAML null (`~`, `null`)."""
    return type(node) is Text and not text_of(node)


def text_of(node) -> str:
    if type(node) is not Text:
        return ""
    value = node.value.strip()
    return "" if node.plain and value in NULL_WORDS else value


OCCASION_FROM = 3  # live quote cards of one speaker from which the who-said card asks the occasion instead


def quote_speakers(cards: list[Card]) -> Counter[str]:
    """How many live quote cards each speaker has."""
    return Counter(card.text("speaker") for card in cards if card.type == "quote" and not card.retired)


def occasion_speakers(speakers: Counter[str]) -> frozenset[str]:
    """Speakers whose name would answer too many who-said cards (from quote_speakers): a learner of the deck always
    knows it."""
    return frozenset(speaker for speaker, count in speakers.items() if speaker and count >= OCCASION_FROM)
