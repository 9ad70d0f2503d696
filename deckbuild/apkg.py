"""Compiling cards into an Anki package with genanki, and writing it byte-reproducibly."""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import genanki

from deckbuild.files import ZIP_EPOCH
from deckbuild.model import CARD_TYPES, Card, Project, Selection
from deckbuild.notetypes import (
    CSS,
    NOTE_TYPE_IDS,
    NOTE_TYPE_NAMES,
    escape,
    note_fields,
    note_hash,
    note_tags,
    note_type_fields,
    note_type_hash,
    note_type_templates,
)
from deckbuild.release import modification_time, news_summary
from deckbuild.selection import subset_deck_id, subset_deck_name


class _NoteType(genanki.Model):
    """A note type whose modification time is its own, not the build's: Anki re-imports it only when it changed."""

    def __init__(self, *args, mod: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.mod = mod

    def to_json(self, timestamp, deck_id):
        return super().to_json(self.mod, deck_id)


# genanki's base-91 digits (genanki.util.BASE91_TABLE), and every pair of them, for two digits a division.
BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
BASE91_PAIRS = [high + low for high in BASE91 for low in BASE91]


def guid_for(deck_id: int, card_id: str) -> str:
    """genanki.guid_for(deck_id, card_id), the same text (tests/test_apkg.py compares them) in half its time: genanki
    joins any values and turns the hash into digits one at a time."""
    number = int.from_bytes(hashlib.sha256(f"{deck_id}__{card_id}".encode()).digest()[:8], "big")
    text = ""
    while number:
        number, pair = divmod(number, 91 * 91)
        text = BASE91_PAIRS[pair] + text
    return text.removeprefix("a")  # the first pair's zero digit ("a"): genanki writes no leading zero


# A note's row in the deck: GUID, note type id, modification time, tags, fields and the ords of its cards.
_Row = tuple[str, int, int, list[str], list[str], list[int]]


class _Deck(genanki.Deck):
    """A deck that writes its notes' rows itself. genanki makes a Note and its Card objects for each note and checks
    them as it writes (tags, field count, HTML): that cost about half the inserts' own time. These are the rows
    genanki would write, in its order; tests/test_apkg.py compares the database with genanki's byte for byte."""

    def __init__(self, deck_id: int, name: str, description: str):
        super().__init__(deck_id, name, description)
        self.rows: list[_Row] = []

    def add_row(self, note_type: _NoteType, guid: str, mod: int, tags: list[str], fields: list[str]) -> None:
        """A note with its own modification time (genanki stamps one time on all notes) and the cards genanki makes of
        it: one for each template whose required fields are filled (genanki's Model._req, as Anki computes it)."""
        ords = [ord_ for ord_, how, required in note_type._req if FILLED[how](map(fields.__getitem__, required))]
        self.rows.append((guid, note_type.model_id, mod, tags, fields, ords))

    def write_to_db(self, cursor, timestamp, id_gen):
        super().write_to_db(cursor, timestamp, id_gen)  # the deck and its note types (genanki's note list is empty)
        execute = cursor.execute
        for guid, model_id, mod, tags, fields, ords in self.rows:
            note_id = next(id_gen)
            tags_text, fields_text = " " + " ".join(tags) + " ", "\x1f".join(fields)
            execute(NOTE_ROW, (note_id, guid, model_id, mod, tags_text, fields_text, fields[0]))
            for ord_ in ords:
                execute(CARD_ROW, (next(id_gen), note_id, self.deck_id, ord_, mod))


FILLED = {"all": all, "any": any}
# The rows of genanki's Note.write_to_db and Card.write_to_db, column for column; the columns that are the same for
# every note and card are in the statement, not bound again for each row (13 of a card's 18). A card is new (type,
# queue, due, interval, ease, reviews, lapses, left, odue, odid, flags: 0) and not suspended.
NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,-1,?,?,?,0,0,'');"  # id, guid, mid, mod, usn, tags, flds, sfld, csum, ...
CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,-1,0,0,0,0,0,0,0,0,0,0,0,'');"  # id, nid, did, ord, mod, usn, type, ...


def compile_deck(
    project: Project, cards: list[Card], selection: Selection, fallback_mod: int
) -> tuple[genanki.Deck, int]:
    """(the genanki deck, the package timestamp). The timestamp is the latest modification time, so that the same
    inputs always give the same package."""
    deck = project.deck
    assert deck is not None, "build compiles only a project that validates"
    note_types = {
        card_type: _NoteType(
            NOTE_TYPE_IDS[card_type],
            NOTE_TYPE_NAMES[card_type],
            fields=note_type_fields(card_type),
            templates=note_type_templates(card_type),  # fresh dicts: genanki writes into them
            css=CSS,
            mod=modification_time(project.released.note_types.get(card_type), note_type_hash(card_type), fallback_mod),
        )
        for card_type in CARD_TYPES
    }
    # Anki replaces a deck's description on import: the full deck's tells what the version brings.
    description = "\n\n".join(
        filter(None, [deck.description, news_summary(project.released) if selection.is_full else ""])
    )
    anki_deck = _Deck(subset_deck_id(deck, selection), subset_deck_name(deck, selection), escape(description))
    latest = max((note_type.mod for note_type in note_types.values()), default=fallback_mod)
    for card in cards:
        fields, tags = note_fields(card, deck), note_tags(card, deck)
        record = project.released.cards.get(card.id)
        # A card never released takes the build's time: no need of its hash, there is no recorded one to compare.
        mod = modification_time(record, note_hash(card.type, fields, tags), fallback_mod) if record else fallback_mod
        latest = max(latest, mod)
        # The GUID hangs on the full deck's id and the card id only: text edits and subset decks keep it.
        anki_deck.add_row(note_types[card.type], guid_for(deck.id, card.id), mod, tags, fields)
    for note_type in note_types.values():
        anki_deck.add_model(note_type)
    return anki_deck, latest


def write_package(anki_deck: genanki.Deck, path: Path, timestamp: int) -> None:
    """The .apkg: a zip of the SQLite collection and an empty media map, with fixed dates and order."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in (("collection.anki2", collection(anki_deck, timestamp)), ("media", b"{}")):
            entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(entry, data)


SERIALIZES = hasattr(sqlite3.Connection, "serialize")  # Python 3.11+


def collection(anki_deck: genanki.Deck, timestamp: int, in_memory: bool = SERIALIZES) -> bytes:
    """The SQLite collection, as bytes. Made in memory where Python can serialize a database: no temporary file to
    write and read back (0.05 s at 50k cards). SQLite's memdb VFS writes the header a file has, so the bytes are the
    file's (tests/test_apkg.py); a plain ":memory:" database's header differs."""
    if in_memory:
        try:
            connection = sqlite3.connect("file:collection?vfs=memdb", uri=True)  # private to the connection: no "/"
        except sqlite3.OperationalError:  # a SQLite older than 3.36 has no memdb: write a file as on Python 3.10
            return collection(anki_deck, timestamp, in_memory=False)
        fill(connection, anki_deck, timestamp)
        data = connection.serialize()  # type: ignore[attr-defined]
        connection.close()
        return data
    handle, database = tempfile.mkstemp(suffix=".anki2")
    os.close(handle)
    try:
        connection = sqlite3.connect(database)
        fill(connection, anki_deck, timestamp)
        connection.close()
        return Path(database).read_bytes()
    finally:
        Path(database).unlink(missing_ok=True)


def fill(connection: sqlite3.Connection, anki_deck: genanki.Deck, timestamp: int) -> None:
    genanki.Package(anki_deck).write_to_db(connection.cursor(), timestamp, itertools.count(timestamp * 1000))
    connection.commit()
