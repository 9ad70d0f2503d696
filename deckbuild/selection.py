"""Selection: which cards a build takes (themes, types), and the names and ids of subset decks."""

from __future__ import annotations

import hashlib
import json

from deckbuild.model import Card, Deck, Selection
from deckbuild.text import slugify


def select(cards: list[Card], selection: Selection) -> list[Card]:
    """Cards with any of the chosen themes AND any of the chosen types; a subset never carries retired cards."""
    if selection.is_full:
        return list(cards)
    return [
        card
        for card in cards
        if not card.retired
        and (not selection.themes or set(card.themes) & set(selection.themes))
        and (not selection.types or card.type in selection.types)
    ]


def subset_deck_name(deck: Deck, selection: Selection) -> str:
    if selection.is_full:
        return deck.name
    parts = [deck.name]
    if selection.themes:
        parts.append(", ".join(theme.title for t in sorted(selection.themes) if (theme := deck.theme(t))))
    if selection.types:
        parts.append(" and ".join(sorted(selection.types)) + " cards")
    return " — ".join(parts)


def subset_deck_id(deck: Deck, selection: Selection) -> int:
    """Stable for the same selection in any order; in genanki's recommended id range."""
    if selection.is_full:
        return deck.id
    key = json.dumps([deck.id, sorted(set(selection.themes)), sorted(set(selection.types))])
    return (1 << 30) + int(hashlib.sha256(key.encode()).hexdigest(), 16) % (1 << 30)


def deck_slug(deck: Deck) -> str:
    """The file name of the deck's outputs: dist/<slug>.apkg, dist/<slug>.html."""
    return slugify(deck.name) or "deck"


def subset_slug(deck: Deck, selection: Selection) -> str:
    """A subset's file name, <slug>--<themes>[--<types>], never the full deck's: the same selection in any order
    gives the same name, as its deck id is the same."""
    parts = [deck_slug(deck)]
    if selection.themes:
        parts.append("+".join(sorted(selection.themes)))
    if selection.types:
        parts.append("+".join(sorted(selection.types)))
    return "--".join(parts)
