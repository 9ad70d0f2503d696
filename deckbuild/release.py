"""Release records: when each note last changed, what a version brings learners, and writing cards/released.json."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from deckbuild import notetypes
from deckbuild.files import atomic_output
from deckbuild.model import CARD_TYPES, Card, Project, Record, Released
from deckbuild.notetypes import (
    NOTE_TYPE_NAMES,
    note_fields,
    note_hash,
    note_tags,
    note_type_hash,
    note_type_shape,
)

VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")

# What a learner sees of a note, in parts; a change to a part is told in these words. A field not named here is
# wording. Retired is not a change but a list of its own.
PART_FIELDS = {
    "date": ("Date", "End", "Born", "Died", "Precision"),  # the precision cue follows the date
    "notes": ("Notes",),
    "sources": ("Source", "Corrects"),
    "themes": ("Themes",),
    "retired": ("Retired",),
    "id": ("Id",),
}
CHANGE_WORDS = {
    "wording": "wording",
    "date": "date corrected",
    "notes": "notes",
    "sources": "sources",
    "themes": "topics",
    "revised": "revised",  # a change recorded before parts were, so what changed is not known
}


def modification_time(record: Record | None, current_hash: str, fallback: int) -> int:
    """The recorded time if the content is what was released; otherwise the build time, always later than the record."""
    if record is None:
        return fallback
    if record.hash == current_hash:
        return record.mod
    return max(fallback, record.mod + 1)


PART_OF = {name: part for part, names in PART_FIELDS.items() for name in names}


def card_parts(card_type: str, fields: list[str], tags: list[str]) -> dict[str, str]:
    """A short hash of each part of the note a learner sees (its fields and tags), to tell what changed."""
    values: dict[str, list] = {}
    for name, value in zip(notetypes.NOTE_FIELDS[card_type], fields, strict=True):
        values.setdefault(PART_OF.get(name, "wording"), []).append(value)
    values["themes"] = [*values.get("themes", []), *tags]
    return {part: part_hash(value) for part, value in sorted(values.items()) if part != "id"}


def part_hash(values: list) -> str:
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:8]


LIVE = (part_hash([""]), None)  # the retired part of a card that is not retired (None: recorded before parts were)


def changes_between(record: Record, parts: dict[str, str]) -> tuple[str, ...]:
    """What changed in a note, in a learner's words, in a fixed order."""
    if not record.parts:
        return ("revised",)
    return tuple(part for part in CHANGE_WORDS if part in parts and record.parts.get(part) != parts[part])


def note_type_problems(released: Released) -> list[str]:
    """A released note type (same id) whose field or template ids changed: learners' notes would stop updating."""
    problems = []
    for card_type in CARD_TYPES:
        record = released.note_types.get(card_type)
        if record is None or not record.shape:
            continue
        shape = note_type_shape(card_type)
        if record.shape.get("id") != shape["id"]:
            continue  # a new note type: a major version, but learners' notes are not stranded silently
        for key, kind in (("fields", "field"), ("templates", "template")):
            if record.shape.get(key) != shape[key]:
                problems.append(
                    f"{released.path}:{record.line}:1: note type '{NOTE_TYPE_NAMES[card_type]}' was released with "
                    f"{kind} ids {record.shape.get(key)} and now has {shape[key]}; Anki would import a copy and stop "
                    f"updating every learner's notes. Put the {kind}s back, or give the note type a new id (a major "
                    "version: see CONTRIBUTING, changing a note type)"
                )
    return problems


def next_version(released: Released, version: str) -> str | None:
    """Why VERSION cannot be this release's version, or None."""
    if not VERSION.fullmatch(version):
        return f"'{version}' is not a version; write X.Y.Z, e.g. 1.2.0"
    if released.version and key(version) <= key(released.version):
        return f"version {version} is not after the recorded {released.version}; give the next version"
    return None


def key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def write_released(project: Project, path: Path, now: int, version: str = "") -> tuple[int, int, int]:
    """Record every current card's hash and modification time (a released card is never gone: validate refuses it).

    Each card also keeps what changed since the last version, in learner's words; with a version, those changes become
    the version's news (`whats_new`) and start over. Returns (new, changed, unchanged) counts."""
    deck, released = project.deck, project.released
    assert deck is not None, "release records only a project that validates"
    counts = [0, 0, 0]
    cards = {}
    for card in project.cards:
        fields, tags = note_fields(card, deck), note_tags(card, deck)  # once: the hash and the parts both read them
        current = note_hash(card.type, fields, tags)
        record = released.cards.get(card.id)
        parts = card_parts(card.type, fields, tags)
        if record is None:
            counts[0] += 1
            changes: tuple[str, ...] = ("added",)
        elif record.hash != current:
            counts[1] += 1
            changes = tuple(dict.fromkeys(record.changes + changes_between(record, parts)))
        else:
            counts[2] += 1
            changes = record.changes
        if card.retired and record is not None and record.hash != current and record.parts.get("retired") in LIVE:
            changes = tuple(dict.fromkeys((*changes, "retired")))
        entry = {"hash": current, "mod": modification_time(record, current, now), "type": card.type, "parts": parts}
        cards[card.id] = entry | ({"changes": list(changes)} if changes else {})
    whats_new = released.whats_new
    if version:
        whats_new = news(cards, first=not released.version)
        for entry in cards.values():
            entry.pop("changes", None)
    note_types = {}
    for card_type in CARD_TYPES:
        current = note_type_hash(card_type)
        mod = modification_time(released.note_types.get(card_type), current, now)
        note_types[card_type] = {"hash": current, "mod": mod, **note_type_shape(card_type)}
    # One card a line: a release diff shows exactly which cards changed.
    lines = ["{", '  "format": 1,', f'  "deck_id": {deck.id},']
    if version or released.version:
        lines.append(f'  "version": {json.dumps(version or released.version)},')
    if whats_new:
        lines.append('  "whats_new": {')
        lines += [f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in whats_new.items()]
        lines[-1] = lines[-1].rstrip(",")
        lines.append("  },")
    lines.append('  "note_types": {')
    lines += [f"    {json.dumps(k)}: {json.dumps(v)}," for k, v in note_types.items()]
    lines[-1] = lines[-1].rstrip(",")
    lines += ["  },", '  "cards": {']
    lines += [f"    {json.dumps(k)}: {json.dumps(v)}," for k, v in sorted(cards.items())]
    if cards:
        lines[-1] = lines[-1].rstrip(",")
    lines += ["  }", "}", ""]
    with atomic_output(path) as temporary:
        temporary.write_text("\n".join(lines), encoding="utf-8")
    return counts[0], counts[1], counts[2]


def news(cards: dict, first: bool) -> dict:
    """A version's news from each card's changes since the last version."""
    added = sorted(card_id for card_id, entry in cards.items() if "added" in entry.get("changes", ()))
    retired = sorted(card_id for card_id, entry in cards.items() if "retired" in entry.get("changes", ()))
    changed = {
        card_id: [CHANGE_WORDS[change] for change in entry["changes"] if change in CHANGE_WORDS]
        for card_id, entry in sorted(cards.items())
        if card_id not in added and card_id not in retired and entry.get("changes")
    }
    return {"first": first, "added": added, "changed": {k: v for k, v in changed.items() if v}, "retired": retired}


def card_title(card: Card | None, card_id: str) -> str:
    """How a learner knows a card: its front's text (an event, a name, a quotation), cut short."""
    if card is None:
        return card_id
    title = " ".join(card.text(notetypes.NOTE_FIELDS[card.type][0].lower()).split()) or card_id
    return title if len(title) <= 80 else title[:80].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def news_summary(released: Released) -> str:
    """One short paragraph for the deck's description: "What's new in 1.2.0: 3 cards added, …"."""
    whats_new, version = released.whats_new, released.version
    if not version or not whats_new:
        return ""
    if whats_new.get("first"):
        return f"What's new in {version}: the first release."
    parts = []
    if whats_new.get("added"):
        parts.append(f"{count(len(whats_new['added']))} added")
    if whats_new.get("changed"):
        words = dict.fromkeys(word for changes in whats_new["changed"].values() for word in changes)
        parts.append(f"{count(len(whats_new['changed']))} changed ({', '.join(words)})")
    if whats_new.get("retired"):
        parts.append(f"{count(len(whats_new['retired']))} retired")
    return f"What's new in {version}: " + ("; ".join(parts) if parts else "no card changed") + "."


def count(number: int) -> str:
    return f"{number} card" if number == 1 else f"{number} cards"


def release_notes(released: Released, cards: list[Card]) -> str:
    """The version's notes for learners, in Markdown: for the CHANGELOG and the GitHub release."""
    by_id = {card.id: card for card in cards}
    whats_new, lines = released.whats_new, []
    if whats_new.get("first"):
        live = sum(not card.retired for card in cards)
        lines.append(f"The first release: {count(live)}.")
    for heading, ids in (("Added", whats_new.get("added", [])), ("Retired", whats_new.get("retired", []))):
        if ids and not whats_new.get("first"):
            lines += ["", f"#### {heading}", ""]
            lines += [f"- {card_title(by_id.get(card_id), card_id)}" for card_id in ids]
        if heading == "Added" and whats_new.get("changed") and not whats_new.get("first"):  # nothing to compare with
            lines += ["", "#### Changed", ""]
            lines += [
                f"- {card_title(by_id.get(card_id), card_id)}: {', '.join(words)}"
                for card_id, words in whats_new["changed"].items()
            ]
    if not lines:
        lines.append("No card changed.")
    text = "\n".join(lines).strip("\n")
    return f"### What's new in {released.version} (for learners)\n\n{text}\n"


def add_to_changelog(changelog: str, version: str, date: str, notes: str) -> str:
    """CHANGELOG.md with its Unreleased section become VERSION's, the learners' notes first, and a new empty
    Unreleased section above it. Unchanged when VERSION already has a section."""
    if re.search(rf"^## \[{re.escape(version)}\]", changelog, re.MULTILINE):
        return changelog
    heading = re.search(r"^## \[Unreleased\][^\n]*\n", changelog, re.MULTILINE)
    section = f"## [{version}] — {date}\n\n{notes}\n"
    if heading is None:
        first = re.search(r"^## ", changelog, re.MULTILINE)
        at = first.start() if first else len(changelog)
        return changelog[:at] + "## [Unreleased]\n\n" + section + ("\n" if first else "") + changelog[at:]
    return changelog[: heading.start()] + "## [Unreleased]\n\n" + section + changelog[heading.end() :].lstrip("\n")
