"""Rules across the cards of a deck: unique ids and questions, answers and themes, source titles, the release record.

They read each card file's CardFacts rather than its cards: the few values and positions these rules need, in
columns, computed with the file's own checks and cached with them. After a one-card edit of a 50,000-card deck,
the rules across cards run on facts read back from the cache in milliseconds, without parsing the other files.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from array import array
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import NamedTuple

from deckbuild.model import (
    CARD_TYPES,
    Card,
    Deck,
    Items,
    Problem,
    Released,
    Text,
    Theme,
    occasion_speakers,
)
from deckbuild.text import STOPWORDS, did_you_mean, plural

PROMPT_FIELDS_BY_TYPE = {
    "date": "event",
    "person": "name",
    "treaty": "name",
    "quote": "text",
    "term": "term",
    "question": "question",
}


MIN_NEAR_WORDS = 4  # shorter prompts (names) differ by one word for good reasons: "Imre Nagy", "Imre Pozsgay"


RETIRED, NO_NEAR, NO_SAME = 1, 2, 4  # a card's flags: retired; near-duplicate or same-answer silenced by `lint:`


NODES = ("card", "id", "type", "prompt", "date", "context", "speaker")  # what a message about a card points at


class At(NamedTuple):
    line: int
    col: int


@dataclass(frozen=True)
class CardFacts:
    """What the rules across cards read of the cards of one file: columns with an entry per card in file order, and
    totals of the file. Columns, because 50,000 cards load from the cache ten times faster so than as an object
    each. They depend on deck.yaml too (its themes, its subject words), which is in their cache key."""

    path: str
    ids: list[str]
    types: list[str]
    speakers: list[str]  # a quotation's speaker; "" for other cards
    flags: bytes  # RETIRED | NO_NEAR | NO_SAME
    questions: list[str]  # a live card's type and question words (prompt_words); "" for a card that asks none
    near_keys: array  # the near-duplicate keys (near_keys) of each card, one card's after another's
    near_counts: array  # how many of them each card has
    answers: list[str]  # "theme\0field\0value" for each theme of each live card: its date, or its speaker
    answer_cards: array  # the card each answer is of
    occasions: list[str]  # "theme\0context\0occasion" of the quotations, the answer if their speaker has many
    occasion_cards: array
    theme_uses: dict[str, int]  # theme → the cards that give it
    live_themes: frozenset[str]  # the themes of the cards that are not retired
    positions: array  # (line, col) of each of NODES for each card; (0, 0) where the card has no such node
    unknown_themes: tuple[tuple[int, str, int, int], ...]  # (card, theme, line, col): themes deck.yaml does not give
    cited: frozenset[str]  # the seeds the cards cite or correct
    quote_speakers: dict[str, int]  # speaker → live quote cards (occasion_speakers)

    def __len__(self) -> int:
        return len(self.ids)

    def at(self, card: int, node: str) -> At:
        """Where the card gives the node; the card's own place where it gives none."""
        start = card * len(NODES) * 2
        index = start + NODES.index(node) * 2
        if not self.positions[index]:
            index = start
        return At(self.positions[index], self.positions[index + 1])

    def line(self, card: int) -> int:
        return self.positions[card * len(NODES) * 2]

    def where(self, card: int, node: str) -> str:
        at = self.at(card, node)
        return f"{self.path}:{at.line}:{at.col}"


def repeated(columns: Iterable[Collection[Hashable]], more_than: int = 1) -> set:
    """The values that occur more than `more_than` times in the columns (one column per file). Counted in bulk, in
    C (a set, a Counter), so that a rule across 50,000 cards looks card by card only at the cards that share a value,
    if any."""
    columns = list(columns)
    if len(set().union(*columns)) == sum(map(len, columns)):
        return set()  # nothing occurs twice: the common case, found quicker so than by counting
    return {value for value, count in Counter(chain.from_iterable(columns)).items() if count > more_than}


PROMPT_WORD = re.compile(r"[^\W_]+")


def prompt_words(text: str) -> list[str]:
    """A prompt compared as learners read it: case, white space and punctuation ignored."""
    return PROMPT_WORD.findall(text.lower())


_WORD_KEYS: dict[str, int] = {}
MASK = (1 << 64) - 1


def word_key(word: str) -> int:
    """A word's own 64-bit number, the same in every process (Python's hash() of a text is not): a set of words is
    keyed by the sum of its words' numbers, so that the set less one word costs one subtraction."""
    key = _WORD_KEYS.get(word)
    if key is None:
        key = _WORD_KEYS[word] = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
    return key


def near_keys(card_type: str, words: list[str], subject_words: frozenset[str]) -> list[int]:
    """Keys of a question's content words (its words but function words and the deck's subject words) and, from
    MIN_NEAR_WORDS of them, of the same less each one: two questions that share a key ask nearly the same."""
    content = sorted(set(words).difference(STOPWORDS, subject_words))
    numbers = [_WORD_KEYS.get(word) or word_key(word) for word in content]
    total = (word_key("\0" + card_type) + sum(numbers)) & MASK
    if len(content) < MIN_NEAR_WORDS:
        return [total]
    return [total, *[(total - number) & MASK for number in numbers]]


# The keys of NODES[1:] in a card whose question is in this field: "prompt" is the question's own field.
NODE_KEYS = {
    field: tuple(field if name == "prompt" else name for name in NODES[1:])
    for field in {*PROMPT_FIELDS_BY_TYPE.values(), ""}
}


def card_facts(path: str, cards: list[Card], deck: Deck | None) -> CardFacts:
    """The facts of one file's cards, for the rules below."""
    known = {theme.id for theme in deck.themes} if deck else set()
    subject_words = deck.subject_words if deck else frozenset()
    shared: dict = {}  # one object for each repeated value (types, speakers): the cache stores it once
    ids: list[str] = []
    types: list[str] = []
    speakers: list[str] = []
    questions: list[str] = []
    answers: list[str] = []
    occasions: list[str] = []
    flags, counts, keys, answer_cards, occasion_cards = bytearray(), array("I"), array("Q"), array("I"), array("I")
    positions = array("i")
    card_themes: list[set[str]] = []  # each card's themes once: counted at the end in one call, not card by card
    live_themes: set[str] = set()
    unknown: list[tuple[int, str, int, int]] = []
    citations: list[list] = []  # each card's sources and corrections, for the seeds they cite
    live_speakers: dict[str, int] = {}  # model.quote_speakers(cards), counted in this pass rather than one of its own
    for index, card in enumerate(cards):
        exceptions, card_type, entries = card.lint_exceptions(), card.type, card.node.entries
        flag = (RETIRED if card.text("retired") else 0) | (NO_NEAR if "near-duplicate" in exceptions else 0)
        flag |= NO_SAME if "same-answer" in exceptions else 0
        key_field = PROMPT_FIELDS_BY_TYPE.get(card_type, "")
        words = prompt_words(card.text(key_field)) if key_field and not flag & RETIRED else []
        card_keys = near_keys(card_type, words, subject_words) if words and not flag & NO_NEAR else []
        speaker = shared.setdefault(card.text("speaker"), card.text("speaker")) if card_type == "quote" else ""
        if card_type == "quote" and not flag & RETIRED:
            live_speakers[speaker] = live_speakers.get(speaker, 0) + 1
        ids.append(card.id)
        types.append(shared.setdefault(card_type, card_type))
        speakers.append(speaker)
        flags.append(flag)
        questions.append(card_type + "\0" + " ".join(words) if words else "")
        counts.append(len(card_keys))
        keys.extend(card_keys)
        themes = card.themes
        for field in ANSWER_FIELDS_BY_TYPE.get(card_type, ()) if not flag & (RETIRED | NO_SAME) else ():
            value = card_answer(card, field)
            if value:
                column, cards_column = (occasions, occasion_cards) if field == "context" else (answers, answer_cards)
                column.extend([f"{theme}\0{field}\0{value}" for theme in themes])
                cards_column.extend([index] * len(themes))
        card_themes.append(set(themes))
        live_themes.update(themes if not flag & RETIRED else ())
        # The (line, col) of each of NODES, read from the entries: Fields.get for each cost as much as the rest here.
        at = [card.node.line, card.node.col]
        for key in NODE_KEYS[key_field]:
            entry = entries.get(key)
            at += (entry[1].line, entry[1].col) if entry else (0, 0)
        positions.extend(at)
        entry = entries.get("themes")
        for item in entry[1].items if entry and type(entry[1]) is Items else ():
            value = item.value.strip() if type(item) is Text else ""
            if value and value not in known:
                unknown.append((index, value, item.line, item.col))
        citations.extend((card.sources(), card.corrections()))
    cited = frozenset(seed for found in citations for _, seed, _ in found if seed)
    return CardFacts(
        path, ids, types, speakers, bytes(flags), questions, keys, counts, answers, answer_cards, occasions,
        occasion_cards, dict(Counter(chain.from_iterable(card_themes))),
        frozenset(live_themes), positions, tuple(unknown), cited, live_speakers,
    )  # fmt: skip


# The fields that card_answer reads for a card of each type, in the order of its answers.
ANSWER_FIELDS_BY_TYPE = {"date": ("date",), "quote": ("speaker", "context")}


def card_answer(card: Card, field: str) -> str:
    """A card's answer in this field, where other cards may have it too: a date card's date (and end); a quotation's
    speaker, and its occasion in lower case (which of the two its who-said card asks depends on the other cards: see
    occasion_speakers); "" where the card has none."""
    if field == "date":
        date = card.text("date") if card.type == "date" else ""
        return date + ("–" + card.text("end") if date and card.text("end") else "")
    if card.type != "quote":
        return ""
    return card.text("speaker") if field == "speaker" else card.text("context").lower()


def misspelt_deck_themes(deck: Deck, files: list[CardFacts]) -> dict[str, tuple[Theme, int]]:
    """Themes misspelt in deck.yaml, not on the cards: an unknown theme the cards use → (the deck's theme that no card
    uses and that it nearly is, how many cards use it). Blamed on deck.yaml once, not on every card."""
    known = {theme.id: theme for theme in deck.themes}
    uses: Counter[str] = Counter()
    for facts in files:
        uses.update(facts.theme_uses)
    unused = [theme_id for theme_id in known if theme_id not in uses]
    misspelt: dict[str, tuple[Theme, int]] = {}
    for theme_id, count in sorted(uses.items(), key=lambda item: -item[1]):
        close = difflib.get_close_matches(theme_id, unused, n=1, cutoff=0.6) if theme_id not in known else []
        if close and all(theme is not known[close[0]] for theme, _ in misspelt.values()):
            misspelt[theme_id] = (known[close[0]], count)
    return misspelt


def rule_themes_known(deck: Deck | None, files: list[CardFacts]) -> Iterator[Problem]:
    if deck is None:
        return
    misspelt = misspelt_deck_themes(deck, files)
    for theme_id, (theme, count) in misspelt.items():
        yield Problem.error(
            deck.path,
            theme,
            "theme-known",
            f"theme '{theme.id}' has no cards, but {plural(count, 'card')} give the theme '{theme_id}': "
            f"if that is this theme, write id: {theme_id}",
        )
    known = [t.id for t in deck.themes]
    for facts in files:
        for _, value, line, col in facts.unknown_themes:
            if value not in misspelt:
                hint = did_you_mean(value, known) or f" (themes are: {', '.join(known)})"
                yield Problem(facts.path, line, col, "error", "theme-known", f"unknown theme '{value}'{hint}")


def rule_ids_unique(files: list[CardFacts]) -> Iterator[Problem]:
    repeats = repeated(facts.ids for facts in files) - {""}
    first: dict[str, str] = {}  # id → where it is first defined
    for facts in files if repeats else ():
        for card, card_id in enumerate(facts.ids):
            if card_id not in repeats:
                continue
            where = first.setdefault(card_id, facts.where(card, "id"))
            if where != facts.where(card, "id"):
                yield Problem.error(
                    facts.path,
                    facts.at(card, "id"),
                    "id-unique",
                    f"duplicate id '{card_id}', first defined at {where}; give this card an id of its own",
                )


def rule_prompts_distinct(files: list[CardFacts], near: set[int] | None = None) -> Iterator[Problem]:
    """duplicate-prompt: two cards of one type that ask the same question; near-duplicate: the same content words,
    or all but one of them. Keys counted in bulk, never all pairs: linear in the number of cards. `near`: the
    near-duplicate keys of more than one card, when the caller knows them (keyindex)."""
    same = repeated(facts.questions for facts in files) - {""}
    if near is None:
        near = repeated(facts.near_keys for facts in files)
    first_asking: dict[str, tuple[CardFacts, int]] = {}
    first_near: dict[int, tuple[CardFacts, int]] = {}  # a key → the first card with it
    for facts in files if same or near else ():
        start = 0
        for card, (question, count) in enumerate(zip(facts.questions, facts.near_counts, strict=True)):
            keys, start = [key for key in facts.near_keys[start : start + count] if key in near], start + count
            first = first_asking.setdefault(question, (facts, card)) if question in same else (facts, card)
            if first != (facts, card):
                yield Problem.error(
                    facts.path,
                    facts.at(card, "prompt"),
                    "duplicate-prompt",
                    f"another {facts.types[card]} card asks the same: '{first[0].ids[first[1]]}' at "
                    f"{first[0].where(first[1], 'prompt')}; merge the two cards",
                )
                continue
            # A card that silences near-duplicate has no keys: its reason answers for both cards, either way.
            other = next((first_near[key] for key in keys if key in first_near), None)
            if other is not None:
                yield Problem.warning(
                    facts.path,
                    facts.at(card, "prompt"),
                    "near-duplicate",
                    f"asks nearly what '{other[0].ids[other[1]]}' asks ({other[0].path}:{other[0].line(other[1])}); "
                    "merge them, or say why both are needed with 'lint: {near-duplicate: <reason>}'",
                )
            for key in keys:
                first_near.setdefault(key, (facts, card))


SHOWN_OTHERS = 3
MAX_SAME_ANSWER = 2  # a third card with one answer in a theme is interference: learners stop telling them apart


def answers_asked(facts: CardFacts, asks_occasion: frozenset[str]) -> tuple[list[str], Sequence[int]]:
    """The file's answers and the card of each: dates and speakers, and the occasions of the speakers of many
    quotations (their who-said cards ask it)."""
    if not asks_occasion:
        return facts.answers, facts.answer_cards
    occasions = [
        (answer, card)
        for answer, card in zip(facts.occasions, facts.occasion_cards, strict=True)
        if facts.speakers[card] in asks_occasion
    ]
    return facts.answers + [answer for answer, _ in occasions], [*facts.answer_cards, *(card for _, card in occasions)]


def rule_same_answer(deck: Deck | None, files: list[CardFacts]) -> Iterator[Problem]:
    """same-answer: more than two live cards in one theme with the same answer, each pointing at the others: a date
    card's date (and end); a quotation's occasion where its who-said card asks it, its speaker where not. A card that
    says why with `lint: {same-answer: …}` leaves the group."""
    if deck is None:
        return
    speakers: Counter[str] = Counter()
    for facts in files:
        speakers.update(facts.quote_speakers)
    asks_occasion = occasion_speakers(speakers)
    answers = [answers_asked(facts, asks_occasion) for facts in files]
    candidates = {
        answer: answer.split("\0", 2)
        for answer in repeated((column for column, _ in answers), more_than=MAX_SAME_ANSWER)
    }
    groups: dict[str, list[tuple[CardFacts, int]]] = {}
    for facts, (column, cards) in zip(files, answers, strict=True) if candidates else ():
        for answer, card in zip(column, cards, strict=True):
            # A speaker of many quotations is not the answer: the who-said cards ask the occasion instead.
            if answer in candidates and (
                candidates[answer][1] != "speaker" or facts.speakers[card] not in asks_occasion
            ):
                groups.setdefault(answer, []).append((facts, card))
    for answer, group in groups.items():
        if len(group) <= MAX_SAME_ANSWER:
            continue
        theme, field, shown = candidates[answer]
        for facts, card in group:
            others = [
                f"'{other.ids[index]}' ({other.path}:{other.line(index)})"
                for other, index in group
                if (other, index) != (facts, card)
            ]
            # At most three named: a message must not grow with the square of a large group (a 50k-card deck).
            named = ", ".join(others[:SHOWN_OTHERS]) + (
                f" and {len(others) - SHOWN_OTHERS} more" if len(others) > SHOWN_OTHERS else ""
            )
            yield Problem.warning(
                facts.path,
                facts.at(card, field),
                "same-answer",
                f"{len(group)} cards of theme '{theme}' have the answer '{shown}': {named}; make the answer more "
                "precise, or explain with 'lint: {same-answer: <reason>}'",
            )


def rule_seed_titles(deck: Deck | None, files: list[CardFacts]) -> Iterator[Problem]:
    """seed-title: a back names its sources by title; a cited seed without one shows its file name."""
    if deck is None:
        return
    titled = {seed.file for seed in deck.seeds}
    cited = sorted(frozenset().union(*(facts.cited for facts in files)) - titled)
    for seed in cited:
        yield Problem(
            deck.path,
            deck.seeds_line,
            1,
            "warning",
            "seed-title",
            f"seed '{seed}' has no title, so learners see its file name; add "
            f"{{file: {seed}, title: <what it is, e.g. 'A student essay on Khrushchev'>}} to 'seeds:'",
        )


def rule_themes_used(deck: Deck | None, files: list[CardFacts]) -> Iterator[Problem]:
    if deck is None:
        return
    misspelt = {theme.id for theme, _ in misspelt_deck_themes(deck, files).values()}  # theme-known says why
    used = misspelt.union(*(facts.theme_uses for facts in files))
    live = misspelt.union(*(facts.live_themes for facts in files))
    for theme in deck.themes:
        if theme.id not in used:
            yield Problem.warning(
                deck.path, theme, "theme-unused", f"theme '{theme.id}' has no cards; add cards to it or remove it"
            )
        elif theme.id not in live:  # its theme deck would be empty: --each-theme writes none
            yield Problem.warning(
                deck.path,
                theme,
                "theme-unused",
                f"every card of theme '{theme.id}' is retired, so it has no deck of its own; add cards to it or remove it",
            )


def rule_released_kept(released: Released, files: list[CardFacts], deck: Deck | None = None) -> Iterator[Problem]:
    """A released id must never disappear or change type, nor the deck id: learners' notes hang on them."""
    if deck is not None and released.deck_id and deck.id != released.deck_id:
        yield Problem(
            deck.path,
            deck.id_line,
            deck.id_col,
            "error",
            "released-id",
            f"the deck id was released as {released.deck_id}; every note's id derives from it, so changing "
            "it would make every learner start over: put it back",
        )
    by_id: dict[str, tuple[CardFacts, int]] = {}
    for facts in files if released.cards else ():
        by_id.update(zip(facts.ids, zip(repeat(facts, len(facts)), range(len(facts)), strict=True), strict=True))
    for card_id, record in released.cards.items():
        found = by_id.get(card_id)
        if found is None:
            yield Problem(
                released.path,
                record.line,
                1,
                "error",
                "released-id",
                f"card '{card_id}' was released and is gone; put it back and retire it instead "
                "(keep it with 'retired: <why>')",
            )
            continue
        facts, card = found
        if facts.types[card] in CARD_TYPES and facts.types[card] != record.type:
            yield Problem.error(
                facts.path,
                facts.at(card, "type"),
                "released-id",
                f"card '{card_id}' was released as a {record.type} card and cannot change type; retire it "
                "and write a new card with a new id",
            )
