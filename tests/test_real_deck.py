"""The deck we ship: it validates cleanly, and real Anki imports all of it."""

from __future__ import annotations

import collections
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, import_package, run, shipped_cards

NOTE_TYPES = {
    "date": "Date",
    "person": "Person",
    "treaty": "Treaty",
    "quote": "Quote",
    "term": "Term",
    "question": "Question",
}
CARDS_PER_NOTE = {
    "date": 1,
    "person": 2,
    "treaty": 2,
    "quote": 1,
    "term": 2,
    "question": 1,
}  # a quote with a blank: one more


def test_the_deck_validates_with_no_errors_and_no_warnings(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("validate", "--strict")
    assert result.exit_code == 0
    assert result.stderr.endswith(f" {len(shipped_cards())} cards, 0 errors, 0 warnings\n")


# The texts we were given (../shared/seeds), by SHA-256: the seeds must stay them byte for byte, errata and all (the
# errata go in seeds/README.md). A new text is copied unchanged from ../shared/seeds and added here.
GIVEN_TEXTS = {
    "000_606483328de9d5d0.txt": "d2017fae2dcfe1129a5d2660f5e0c06844e917524a534a98bc0c03108ffd6f99",
    "001_1a741e65e29c9d09.txt": "74432e5e4344ef99cd7fe346c90bdad58098e9d6ac7835f8c8bf0d78ec8eacbd",
    "002_96fd11aef339bf5f.txt": "294825b8725e73423138497cb733a8b10a2e1d171f2ffeee4fbff893368f0cf0",
    "003_1c6492ea7055a472.txt": "3a1ea85887f896d783035f52fab6a0dedb0357943ec6fb3f73e5e8cbee9b4959",
    "004_f689246cccc10785.txt": "707adc2ad84c818dbd720b662fe6d1137a54cead713b0016bb01684e024b1c8d",
}


def texts_in(folder: Path) -> dict[str, str]:
    """Each text of a seeds folder (every file but README.md and dot-files, as the tool reads it) by SHA-256."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != "README.md" and not path.name.startswith(".")
    }


def git(where: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=False).stdout.strip()


def checkouts_of(where: Path) -> list[Path]:
    """A checkout and, when it is a git worktree, the main checkout it belongs to."""
    common = git(where, "rev-parse", "--path-format=absolute", "--git-common-dir")
    return [where] + ([Path(common).parent] if common else [])


def shared_seeds() -> Path | None:
    """../shared/seeds beside the checkout; from a git worktree, beside the main checkout; from a clone in a temporary
    folder (as .ci/run is tried), beside the repository it was cloned from."""
    checkouts = checkouts_of(ROOT)
    origin = git(ROOT, "remote", "get-url", "origin")
    if origin and Path(origin).is_dir():  # a local clone: origin is a path
        checkouts += checkouts_of(Path(origin).resolve())
    return next((path for c in checkouts if (path := c.parent / "shared" / "seeds").is_dir()), None)


def test_the_seeds_are_the_texts_we_were_given_unchanged():
    assert texts_in(ROOT / "seeds") == GIVEN_TEXTS


def test_the_texts_we_were_given_are_the_shared_ones():
    """GIVEN_TEXTS is exactly the texts of ../shared/seeds. GitHub's CI checks out the repository alone: there
    GIVEN_TEXTS stands for the folder (checked here, in development and by .ci/run, wherever the folder is)."""
    shared = shared_seeds()
    if shared is None and os.environ.get("GITHUB_ACTIONS"):
        return
    if shared is None:
        pytest.skip("no ../shared/seeds beside the checkout to compare GIVEN_TEXTS with")
    assert texts_in(shared) == GIVEN_TEXTS


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
