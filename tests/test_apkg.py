"""The quicker roads of compiling and writing lead to the same package: genanki's GUIDs and collection, byte for byte,
and the escaped text and note hashes as they were."""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from deckbuild.apkg import SERIALIZES, collection, compile_deck, guid_for, write_package
from deckbuild.cache import NO_CACHE
from deckbuild.model import CARD_TYPES, Selection
from deckbuild.notetypes import NOTE_TYPE_IDS, escape, note_hash
from deckbuild.project import load_project
from deckbuild.selection import select

TIMESTAMP = 1700000000


def test_guid_for_is_genankis_for_a_hundred_thousand_card_ids():
    # About 2 % of GUIDs have 9 digits or fewer: the leading zero digit that genanki leaves out is well tested here.
    for number in range(100_000):
        assert guid_for(1843370021, f"card-{number}") == genanki.guid_for(1843370021, f"card-{number}")


@given(st.integers(), st.text())
def test_guid_for_is_genankis_for_any_ids(deck_id, card_id):
    assert guid_for(deck_id, card_id) == genanki.guid_for(deck_id, card_id)


@given(st.text(alphabet="ab &<>\n\r\"'é—", max_size=30) | st.text())
def test_escape_is_html_escape_keeping_line_breaks(text):
    assert escape(text) == html.escape(text, quote=False).replace("\n", "<br>")


@given(st.sampled_from(CARD_TYPES), st.lists(st.text()), st.lists(st.text(alphabet="ab:-_é")))
def test_note_hash_is_the_hash_of_the_json_it_always_was(card_type, fields, tags):
    # The hashes in cards/released.json were made this way: a different text would move every note's time.
    spec = json.dumps([NOTE_TYPE_IDS[card_type], fields, tags])
    assert note_hash(card_type, fields, tags) == hashlib.sha256(spec.encode()).hexdigest()[:16]


class _GenankiNote(genanki.Note):
    """genanki's own note, with the modification time of each note that apkg.py gives it."""

    def __init__(self, *args, mod: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.mod = mod

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def genanki_collection(anki_deck, timestamp: int, folder: Path) -> bytes:
    """The collection genanki writes for the same notes through its own Note and Card objects."""
    reference = genanki.Deck(anki_deck.deck_id, anki_deck.name, anki_deck.description)
    for guid, model_id, mod, tags, fields, _ in anki_deck.rows:
        reference.add_note(_GenankiNote(model=anki_deck.models[model_id], fields=fields, tags=tags, guid=guid, mod=mod))
    for note_type in anki_deck.models.values():
        reference.add_model(note_type)
    connection = sqlite3.connect(folder / "genanki.anki2")
    genanki.Package(reference).write_to_db(connection.cursor(), timestamp, itertools.count(timestamp * 1000))
    connection.commit()
    connection.close()
    return (folder / "genanki.anki2").read_bytes()


@pytest.mark.parametrize("root", [ROOT, FIXTURES / "valid"], ids=["shipped deck", "fixture deck"])
@pytest.mark.parametrize("selection", [Selection(), Selection(types=("quote", "treaty"))], ids=["full", "subset"])
def test_the_collection_is_genankis_byte_for_byte(root, selection, tmp_path):
    project = load_project(root / "cards", root / "seeds", NO_CACHE)
    cards = select(project.cards, selection)
    anki_deck, timestamp = compile_deck(project, cards, selection, TIMESTAMP)
    assert [row[0] for row in anki_deck.rows] == [genanki.guid_for(project.deck.id, card.id) for card in cards]
    write_package(anki_deck, tmp_path / "deck.apkg", timestamp)
    ours = zipfile.ZipFile(tmp_path / "deck.apkg").read("collection.anki2")
    assert ours == genanki_collection(anki_deck, timestamp, tmp_path)
    with sqlite3.connect(tmp_path / "genanki.anki2") as written:  # and the deck has notes of every kind of card
        assert written.execute("SELECT count(*) FROM notes").fetchone()[0] == len(cards)
        assert written.execute("SELECT count(*) FROM cards").fetchone()[0] > len(cards)


def test_each_note_gets_the_cards_genanki_would_make_of_it(tmp_path):
    """Every note type with its first fields filled or empty in every combination: the cards are genanki's."""
    project = load_project(FIXTURES / "valid" / "cards", FIXTURES / "valid" / "seeds", NO_CACHE)
    anki_deck, timestamp = compile_deck(project, [], Selection(), TIMESTAMP)
    for number, (note_type, filled) in enumerate(
        itertools.product(anki_deck.models.values(), itertools.product(["", "x"], repeat=5))
    ):
        fields = [*filled, *[""] * (len(note_type.fields) - len(filled))]
        anki_deck.add_row(note_type, f"guid{number}", TIMESTAMP - number, [f"tag::{number}"], fields)
    write_package(anki_deck, tmp_path / "deck.apkg", timestamp)
    ours = zipfile.ZipFile(tmp_path / "deck.apkg").read("collection.anki2")
    assert ours == genanki_collection(anki_deck, timestamp, tmp_path)


@pytest.mark.skipif(not SERIALIZES, reason="Python 3.10's sqlite3 cannot serialize: the file is the only way")
@pytest.mark.parametrize("root", [ROOT, FIXTURES / "valid"], ids=["shipped deck", "fixture deck"])
def test_a_collection_made_in_memory_is_the_file_byte_for_byte(root):
    project = load_project(root / "cards", root / "seeds", NO_CACHE)
    anki_deck, timestamp = compile_deck(project, project.cards, Selection(), TIMESTAMP)
    assert collection(anki_deck, timestamp, in_memory=True) == collection(anki_deck, timestamp, in_memory=False)


def test_a_sqlite_without_the_memdb_vfs_writes_the_collection_to_a_file(monkeypatch):
    """SQLite before 3.36 (an old system library under Python 3.11) has no memdb: the file road, the same bytes."""
    project = load_project(FIXTURES / "valid" / "cards", FIXTURES / "valid" / "seeds", NO_CACHE)
    anki_deck, timestamp = compile_deck(project, project.cards, Selection(), TIMESTAMP)
    expected = collection(anki_deck, timestamp, in_memory=False)
    connect = sqlite3.connect

    def without_memdb(database, *args, **kwargs):
        if "vfs=memdb" in str(database):
            raise sqlite3.OperationalError("no such vfs: memdb")
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", without_memdb)
    assert collection(anki_deck, timestamp, in_memory=True) == expected
