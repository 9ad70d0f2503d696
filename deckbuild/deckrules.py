"""Rules across the cards of a deck: unique ids and questions, answers and themes, source titles, the release record."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from deckbuild.model import (
    CARD_TYPES,
    Card,
    Deck,
    Items,
    Problem,
    Released,
    Text,
    Theme,
)
from deckbuild.text import STOPWORDS, did_you_mean, plural


def misspelt_deck_themes(deck: Deck, cards: list[Card]) -> dict[str, tuple[Theme, int]]:
    """Themes misspelt in deck.yaml, not on the cards: an unknown theme the cards use → (the deck's theme that no card
    uses and that it nearly is, how many cards use it). Blamed on deck.yaml once, not on every card."""
    known = {theme.id: theme for theme in deck.themes}
    uses: dict[str, int] = {}
    for card in cards:
        for theme_id in set(card.themes):
            uses[theme_id] = uses.get(theme_id, 0) + 1
    unused = [theme_id for theme_id in known if theme_id not in uses]
    misspelt: dict[str, tuple[Theme, int]] = {}
    for theme_id, count in sorted(uses.items(), key=lambda item: -item[1]):
        close = difflib.get_close_matches(theme_id, unused, n=1, cutoff=0.6) if theme_id not in known else []
        if close and all(theme is not known[close[0]] for theme, _ in misspelt.values()):
            misspelt[theme_id] = (known[close[0]], count)
    return misspelt


def rule_themes_known(deck: Deck | None, cards: list[Card]) -> Iterator[Problem]:
    if deck is None:
        return
    misspelt = misspelt_deck_themes(deck, cards)
    for theme_id, (theme, count) in misspelt.items():
        yield Problem.error(
            deck.path,
            theme,
            "theme-known",
            f"theme '{theme.id}' has no cards, but {plural(count, 'card')} give the theme '{theme_id}': "
            f"if that is this theme, write id: {theme_id}",
        )
    known = [t.id for t in deck.themes]
    for card in cards:
        node = card.node.get("themes")
        if not isinstance(node, Items):
            continue
        for item in node.items:
            value = item.value.strip() if isinstance(item, Text) else ""
            if value and value not in known and value not in misspelt:
                hint = did_you_mean(value, known) or f" (themes are: {', '.join(known)})"
                yield Problem(card.path, item.line, item.col, "error", "theme-known", f"unknown theme '{value}'{hint}")


def rule_ids_unique(cards: list[Card]) -> Iterator[Problem]:
    first: dict[str, Card] = {}
    for card in cards:
        if not card.id:
            continue
        if card.id in first:
            node, other = card.node.get("id"), first[card.id]
            where = f"{other.path}:{other.node.get('id').line}:{other.node.get('id').col}"
            yield Problem.error(
                card.path,
                node,
                "id-unique",
                f"duplicate id '{card.id}', first defined at {where}; give this card an id of its own",
            )
        else:
            first[card.id] = card


PROMPT_FIELDS_BY_TYPE = {
    "date": "event",
    "person": "name",
    "treaty": "name",
    "quote": "text",
    "term": "term",
    "question": "question",
}


MIN_NEAR_WORDS = 4  # shorter prompts (names) differ by one word for good reasons: "Imre Nagy", "Imre Pozsgay"


def prompt_words(text: str) -> list[str]:
    """A prompt compared as learners read it: case, white space and punctuation ignored."""
    return re.findall(r"[^\W_]+", text.lower())


def rule_prompts_distinct(cards: list[Card], subject_words: frozenset[str] = frozenset()) -> Iterator[Problem]:
    """duplicate-prompt: two cards of one type that ask the same question; near-duplicate: the same content words,
    or all but one of them. Keys in a dictionary, never all pairs: linear in the number of cards."""
    exact: dict[tuple, Card] = {}
    near: dict[int, Card] = {}  # hash of (type, words) → the first card with them
    for card in cards:
        if card.retired:  # a retired card's replacement may ask the very same question
            continue
        key_field = PROMPT_FIELDS_BY_TYPE.get(card.type)
        words = prompt_words(card.text(key_field)) if key_field else []
        if not words:
            continue
        node = card.node.get(key_field)
        first = exact.setdefault((card.type, " ".join(words)), card)
        if first is not card:
            where = f"{first.path}:{first.node.get(key_field).line}:{first.node.get(key_field).col}"
            yield Problem.error(
                card.path,
                node,
                "duplicate-prompt",
                f"another {card.type} card asks the same: '{first.id}' at {where}; merge the two cards",
            )
            continue
        if "near-duplicate" in card.lint_exceptions():
            continue  # its reason answers for both cards: it is compared with no other, either way
        content = frozenset(words) - STOPWORDS - subject_words
        # Only the keys' hashes are kept: at 50k cards the word sets themselves would take 200 MB.
        keys = [hash((card.type, content))]
        if len(content) >= MIN_NEAR_WORDS:
            keys += [hash((card.type, content - {word})) for word in content]
        other = next((near[key] for key in keys if key in near and near[key] is not card), None)
        if other is not None:
            yield Problem.warning(
                card.path,
                node,
                "near-duplicate",
                f"asks nearly what '{other.id}' asks ({other.path}:{other.line}); merge them, or "
                "say why both are needed with 'lint: {near-duplicate: <reason>}'",
            )
        for key in keys:
            near.setdefault(key, card)


SHOWN_OTHERS = 3
MAX_SAME_ANSWER = 2  # a third card with one answer in a theme is interference: learners stop telling them apart


def card_answer(card: Card, deck: Deck) -> tuple[str, str] | None:
    """The field whose value answers a card, and that value, where one answer can serve many cards: a date card's
    date (and end), a quotation's occasion (compared without case) or its speaker."""
    if card.type == "date" and card.text("date"):
        return "date", card.text("date") + ("–" + card.text("end") if card.text("end") else "")
    if card.type == "quote":
        if deck.asks_occasion(card):
            return "context", card.text("context").lower()
        return "speaker", card.text("speaker")
    return None


def rule_same_answer(deck: Deck | None, cards: list[Card]) -> Iterator[Problem]:
    """same-answer: more than two live cards in one theme with the same answer, each pointing at the others.
    A card that says why with `lint: {same-answer: …}` leaves the group."""
    if deck is None:
        return
    groups: dict[tuple[str, str, str], list[Card]] = {}
    for card in cards:
        answer = card_answer(card, deck) if not card.retired else None
        if answer and "same-answer" not in card.lint_exceptions():
            for theme in card.themes:
                groups.setdefault((theme, *answer), []).append(card)
    for (theme, key, shown), group in groups.items():
        if len(group) <= MAX_SAME_ANSWER:
            continue
        for card in group:
            others = [f"'{other.id}' ({other.path}:{other.line})" for other in group if other is not card]
            # At most three named: a message must not grow with the square of a large group (a 50k-card deck).
            named = ", ".join(others[:SHOWN_OTHERS]) + (
                f" and {len(others) - SHOWN_OTHERS} more" if len(others) > SHOWN_OTHERS else ""
            )
            yield Problem.warning(
                card.path,
                card.node.get(key),
                "same-answer",
                f"{len(group)} cards of theme '{theme}' have the answer '{shown}': {named}; make the answer more "
                "precise, or explain with 'lint: {same-answer: <reason>}'",
            )


def rule_seed_titles(deck: Deck | None, cards: list[Card]) -> Iterator[Problem]:
    """seed-title: a back names its sources by title; a cited seed without one shows its file name."""
    if deck is None:
        return
    titled = {seed.file for seed in deck.seeds}
    cited = sorted({seed for card in cards for _, seed, _ in card.sources() + card.corrections() if seed} - titled)
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


def rule_themes_used(deck: Deck | None, cards: list[Card]) -> Iterator[Problem]:
    if deck is None:
        return
    misspelt = {theme.id for theme, _ in misspelt_deck_themes(deck, cards).values()}  # theme-known says why
    used = {theme for card in cards for theme in card.themes} | misspelt
    live = {theme for card in cards if not card.retired for theme in card.themes} | misspelt
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


def rule_released_kept(released: Released, cards: list[Card], deck: Deck | None = None) -> Iterator[Problem]:
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
    by_id = {card.id: card for card in cards}
    for card_id, record in released.cards.items():
        card = by_id.get(card_id)
        if card is None:
            yield Problem(
                released.path,
                record.line,
                1,
                "error",
                "released-id",
                f"card '{card_id}' was released and is gone; put it back and retire it instead "
                "(keep it with 'retired: <why>')",
            )
        elif card.type in CARD_TYPES and card.type != record.type:
            node = card.node.get("type")
            yield Problem.error(
                card.path,
                node,
                "released-id",
                f"card '{card_id}' was released as a {record.type} card and cannot change type; retire it "
                "and write a new card with a new id",
            )
