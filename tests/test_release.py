"""Releases: learners' progress survives an update, and a released card can never silently disappear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from conftest import ROOT, V1, V2, import_package, review_state, run, study_every_card

NEW_CARD = """
- id: missile-sites-found
  type: date
  themes: [cuba]
  event: "American U-2 flights find Soviet missile sites in Cuba"
  date: 1962-10
  source: {seed: cuba-essay.txt, quote: "American U-2 flights found Soviet missile sites in October 1962"}
"""


def test_progress_survives_an_update(project, collection):
    assert run("release", env=V1).exit_code == 0
    assert run("build", "-o", "v1.apkg", env=V1).exit_code == 0
    col = collection()
    import_package(col, project / "v1.apkg")
    assert study_every_card(col) == 7
    before = review_state(col)
    assert all(ivl > 0 and reps == 1 and len(revlog) == 1 for ivl, _, _, reps, revlog in before.values())

    # v2: one card's text edited, one card added, released and built a day later.
    cards = project / "cards/berlin.yaml"
    cards.write_text(cards.read_text().replace("begins the Wall", "begins building the Berlin Wall"))
    (project / "cards/cuba.yaml").write_text((project / "cards/cuba.yaml").read_text() + NEW_CARD)
    result = run("release", env=V2)
    assert result.stdout == "recorded cards/released.json: 1 new, 1 changed, 4 unchanged\n"
    assert run("build", "-o", "v2.apkg", env=V2).exit_code == 0
    log = import_package(col, project / "v2.apkg")

    assert [col.get_note(entry.id.nid)["Id"] for entry in log.updated] == ["berlin-wall"]
    assert [col.get_note(entry.id.nid)["Id"] for entry in log.new] == ["missile-sites-found"]
    wall = col.get_note(log.updated[0].id.nid)
    assert wall["Event"] == "The East German regime seals the border in Berlin and begins building the Berlin Wall"
    assert len(log.conflicting) == 0
    assert len(log.duplicate) == 4  # Anki's word for "already there and up to date": the unchanged notes
    assert col.note_count() == 6
    # Every reviewed card keeps its interval, due date, queue and review history.
    after = review_state(col)
    assert {key: after[key] for key in before} == before
    # Unchanged notes keep their modification time; the edited note has the new one.
    mods = {col.get_note(nid)["Id"]: col.get_note(nid).mod for nid in col.find_notes("")}
    assert mods.pop("berlin-wall") == 1700086400
    assert mods.pop("missile-sites-found") == 1700086400
    assert set(mods.values()) == {1700000000}
    # The templates did not change, so v2 carries the note types as v1 released them. (Read in a fresh collection:
    # Anki itself stamps a note type in a collection when it updates one of its notes.)
    fresh = collection("fresh.anki2")
    import_package(fresh, project / "v2.apkg")
    kinds = ("Date", "Person", "Treaty", "Quote")
    assert {fresh.models.by_name(f"build-deck {kind}")["mod"] for kind in kinds} == {1700000000}


def test_an_edit_built_without_a_new_release_still_updates(project, collection):
    run("release", env=V1)
    run("build", "-o", "v1.apkg", env=V1)
    col = collection()
    import_package(col, project / "v1.apkg")
    cards = project / "cards/berlin.yaml"
    cards.write_text(cards.read_text().replace("The Wall stood until 1989.", "It stood until November 1989."))
    # Even with an older SOURCE_DATE_EPOCH, the changed note is newer than what was released.
    run("build", "-o", "v1b.apkg", env={"SOURCE_DATE_EPOCH": "1600000000"})
    log = import_package(col, project / "v1b.apkg")
    assert [col.get_note(entry.id.nid)["Notes"] for entry in log.updated] == ["It stood until November 1989."]


def test_a_card_with_no_record_gets_the_build_time(project, collection):
    run("build", env=V2)
    col = collection()
    import_package(col, project / "dist/cold-war-crises-test-deck.apkg")
    assert {col.get_note(nid).mod for nid in col.find_notes("")} == {1700086400}


def test_release_records_one_card_a_line_and_is_idempotent(project):
    result = run("release", env=V1)
    assert result.stdout == "recorded cards/released.json: 5 new, 0 changed, 0 unchanged\n"
    text = (project / "cards/released.json").read_text()
    record = json.loads(text)
    assert sorted(record["cards"]) == [
        "berlin-ultimatum",
        "berlin-wall",
        "limited-test-ban-treaty",
        "quote-khrushchev-knot-of-war",
        "walter-ulbricht",
    ]
    assert {entry["mod"] for entry in record["cards"].values()} == {1700000000}
    assert sum('"hash"' in line for line in text.splitlines()) == 5 + 6  # five cards and six note types
    assert run("release", env=V2).stdout == "recorded cards/released.json: 0 new, 0 changed, 5 unchanged\n"
    assert (project / "cards/released.json").read_text() == text


def test_a_released_card_cannot_disappear_or_change_type(project):
    run("release", env=V1)
    cards = project / "cards/berlin.yaml"
    text = cards.read_text()
    cards.write_text(text[: text.index("- id: walter-ulbricht")])
    result = run("validate")
    assert result.exit_code == 1
    line = next(
        number
        for number, row in enumerate((project / "cards/released.json").read_text().splitlines(), 1)
        if '"walter-ulbricht"' in row
    )
    assert (
        f"cards/released.json:{line}:1: error: card 'walter-ulbricht' was released and is gone; put it back and "
        "retire it instead (keep it with 'retired: <why>') [released-id]"
    ) in result.stderr

    cards.write_text(text.replace("  type: person", "  type: date"))
    assert "card 'walter-ulbricht' was released as a person card and cannot change type" in run("validate").stderr


def test_a_damaged_release_record_is_reported(project):
    (project / "cards/released.json").write_text("{not json")
    result = run("validate")
    assert result.exit_code == 1
    assert "cards/released.json:1:1: error: the release record does not read" in result.stderr
    assert "[released-format]" in result.stderr


def test_the_deck_id_cannot_change_after_a_release(project):
    run("release", env=V1)
    deck = project / "cards/deck.yaml"
    deck.write_text(deck.read_text().replace("id: 2059146773", "id: 2059146774"))
    result = run("validate")
    assert result.exit_code == 1
    assert "cards/deck.yaml:2:7: error: the deck id was released as 2059146773" in result.stderr


def test_theme_decks_keep_a_learners_note_type_styling(project, collection):
    """Given a learner who styled the note types after importing v1, a v2 theme deck with no template change keeps
    their CSS: every package built from the same cards carries the same note-type modification times."""

    # Each command in a process of its own, as a maintainer runs them: nothing left over from other tests.
    def build_deck(*args: str, env: dict):
        command = [sys.executable, str(ROOT / "build_deck.py"), *args]
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, **env})

    build_deck("release", env=V1)
    build_deck("build", "-o", "v1.apkg", env=V1)
    col = collection()
    import_package(col, project / "v1.apkg")
    for note_type in col.models.all():
        note_type["css"] += "\n.card { font-size: 40px; }  /* the learner's own */"
        col.models.update_dict(note_type)

    # The next release comes after the learner's edit (Anki stamps the edit with the clock), in one process: the full
    # deck first, then the theme decks (genanki has written note types by then).
    build_deck("build", "--each-theme", env={"SOURCE_DATE_EPOCH": str(int(time.time()) + 86400)})
    for package in sorted((project / "dist").glob("*--*.apkg")):
        import_package(col, package)
        assert all("the learner's own" in note_type["css"] for note_type in col.models.all()), package.name
