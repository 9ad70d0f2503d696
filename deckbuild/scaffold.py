"""A new deck folder (`build-deck init`): deck.yaml with a fresh deck id, an example card of every type, an example
text and seeds/README.md, from the templates in deckbuild/assets/init/. Pure: the CLI writes the files (and the card
schema for editors, as `build-deck schema` does)."""

from __future__ import annotations

import json
import random
import string
from importlib import resources

from deckbuild.text import slugify

TEMPLATES = "assets/init"


def new_deck_id() -> int:
    """A deck id made once, at random, in the range genanki recommends (and far from the ids of other decks)."""
    return random.SystemRandom().randrange(1 << 30, 1 << 31)


def deck_name_for(folder_name: str) -> str:
    """'french-revolution' → 'French Revolution': a name to start with, changed in deck.yaml at will."""
    words = folder_name.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] for word in words) or "My Deck"


def template_files() -> list[str]:
    """The files init writes, as paths relative to the deck folder."""
    root = resources.files("deckbuild").joinpath(TEMPLATES)
    return sorted(
        f"{folder}/{entry.name}"
        for folder in ("cards", "seeds")
        for entry in root.joinpath(folder).iterdir()
        if entry.is_file()
    )


def init_files(name: str, deck_id: int) -> dict[str, str]:
    """Relative path → text of every file of a new deck folder."""
    root = resources.files("deckbuild").joinpath(TEMPLATES)
    values = {
        "deck_id": str(deck_id),
        "name": json.dumps(name, ensure_ascii=False)[1:-1],  # inside double quotes in YAML, as in JSON
        "description": json.dumps(f"Cards on {name}.", ensure_ascii=False)[1:-1],
        "tag_prefix": slugify(name) or "deck",
    }
    files = {
        path: string.Template(root.joinpath(path).read_text(encoding="utf-8")).substitute(values)
        for path in template_files()
    }
    return files
