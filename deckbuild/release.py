"""Release records: when each note last changed, and writing cards/released.json."""

from __future__ import annotations

import json
from pathlib import Path

from deckbuild.files import atomic_output
from deckbuild.model import CARD_TYPES, Project, Record
from deckbuild.notetypes import card_hash, note_type_hash


def modification_time(record: Record | None, current_hash: str, fallback: int) -> int:
    """The recorded time if the content is what was released; otherwise the build time, always later than the record."""
    if record is None:
        return fallback
    if record.hash == current_hash:
        return record.mod
    return max(fallback, record.mod + 1)


def write_released(project: Project, path: Path, now: int) -> tuple[int, int, int]:
    """Record every current card's hash and modification time; keep records of cards no longer present.

    Returns (new, changed, unchanged) counts."""
    deck, released = project.deck, project.released
    counts = [0, 0, 0]
    cards = {}
    for card in project.cards:
        current = card_hash(card, deck)
        record = released.cards.get(card.id)
        counts[0 if record is None else 1 if record.hash != current else 2] += 1
        cards[card.id] = {"hash": current, "mod": modification_time(record, current, now), "type": card.type}
    for card_id, record in released.cards.items():
        cards.setdefault(card_id, {"hash": record.hash, "mod": record.mod, "type": record.type})
    note_types = {}
    for card_type in CARD_TYPES:
        current = note_type_hash(card_type)
        mod = modification_time(released.note_types.get(card_type), current, now)
        note_types[card_type] = {"hash": current, "mod": mod}
    # One card a line: a release diff shows exactly which cards changed.
    lines = ["{", '  "format": 1,', f'  "deck_id": {deck.id},', '  "note_types": {']
    lines += [f"    {json.dumps(k)}: {json.dumps(v, sort_keys=True)}," for k, v in note_types.items()]
    lines[-1] = lines[-1].rstrip(",")
    lines += ["  },", '  "cards": {']
    lines += [f"    {json.dumps(k)}: {json.dumps(v, sort_keys=True)}," for k, v in sorted(cards.items())]
    if cards:
        lines[-1] = lines[-1].rstrip(",")
    lines += ["  }", "}", ""]
    with atomic_output(path) as temporary:
        temporary.write_text("\n".join(lines), encoding="utf-8")
    return tuple(counts)
