"""The deck we ship: it validates cleanly, and real Anki imports all of it."""

from __future__ import annotations

import collections

import yaml

from conftest import ROOT, import_package, run, shipped_cards

NOTE_TYPES = {"date": "Date", "person": "Person", "treaty": "Treaty", "quote": "Quote", "term": "Term"}
CARDS_PER_NOTE = {"date": 1, "person": 2, "treaty": 2, "quote": 1, "term": 2}  # a quote with a blank: one more


def test_the_deck_validates_with_no_errors_and_no_warnings(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("validate", "--strict")
    assert result.exit_code == 0
    assert result.stderr.endswith(f" {len(shipped_cards())} cards, 0 errors, 0 warnings\n")


def test_the_seeds_are_the_texts_we_were_given_unchanged():
    shared = ROOT.parent / "shared" / "seeds"
    texts = sorted(path.name for path in (ROOT / "seeds").glob("*.txt"))
    assert len(texts) == 5
    if shared.is_dir():  # beside the checkout in development and CI
        assert texts == sorted(path.name for path in shared.glob("*.txt"))
        assert all((ROOT / "seeds" / name).read_bytes() == (shared / name).read_bytes() for name in texts)


def test_the_whole_deck_imports_into_anki(tmp_path, monkeypatch, collection):
    monkeypatch.chdir(ROOT)
    package = tmp_path / "deck.apkg"
    assert run("build", "-o", str(package), env={"SOURCE_DATE_EPOCH": "1700000000"}).exit_code == 0
    col = collection()
    log = import_package(col, package)
    cards = shipped_cards()
    by_type = collections.Counter(card["type"] for card in cards)

    assert len(log.new) == len(cards) and not log.conflicting
    assert col.note_count() == len(cards)
    blanks = sum(1 for card in cards if card["type"] == "quote" and card.get("blank"))
    assert col.card_count() == sum(CARDS_PER_NOTE[kind] * count for kind, count in by_type.items()) + blanks
    assert set(by_type) == set(NOTE_TYPES)  # every card type is in the deck
    for kind, count in by_type.items():
        assert len(col.find_notes(f'"note:build-deck {NOTE_TYPES[kind]}"')) == count
    assert {card["id"] for card in cards} == {col.get_note(nid)["Id"] for nid in col.find_notes("")}

    deck = yaml.load((ROOT / "cards/deck.yaml").read_text(), Loader=yaml.BaseLoader)
    prefix = deck["deck"]["tag_prefix"]
    for theme in deck["themes"]:
        expected = sum(theme["id"] in card["themes"] for card in cards)
        assert expected >= 8, f"theme {theme['id']} is too thin for a deck of its own"
        assert len(col.find_notes(f"tag:{prefix}::theme::{theme['id']}")) == expected
    assert {col.decks.name(col.get_card(cid).did) for cid in col.find_cards("")} == {deck["deck"]["name"]}
