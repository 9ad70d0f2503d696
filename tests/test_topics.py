"""Topic decks for teachers, and the whole life of a card for a learner: released, reviewed, edited, retired."""

from __future__ import annotations

from conftest import V1, V2, import_package, review_state, run, study_every_card

V3 = {"SOURCE_DATE_EPOCH": "1700172800"}  # a day after V2


def test_each_theme_writes_one_deck_per_theme_beside_the_full_deck(project, collection):
    result = run("build", "--each-theme", env=V1)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        'wrote dist/cold-war-crises-test-deck.apkg: 5 notes, deck "Cold War Crises — Test Deck"',
        'wrote dist/cold-war-crises-test-deck--berlin.apkg: 3 notes, deck "Cold War Crises — Test Deck — Berlin"',
        'wrote dist/cold-war-crises-test-deck--cuba.apkg: 2 notes, deck "Cold War Crises — Test Deck — Cuba"',
        'wrote dist/cold-war-crises-test-deck--arms-race.apkg: 1 note, deck "Cold War Crises — Test Deck — The arms race"',
    ]
    # The test-ban treaty is in two themes: a learner importing both decks gets it once.
    col = collection()
    assert len(import_package(col, project / "dist/cold-war-crises-test-deck--cuba.apkg").new) == 2
    log = import_package(col, project / "dist/cold-war-crises-test-deck--arms-race.apkg")
    assert (len(log.new), len(log.duplicate)) == (0, 1)
    assert col.note_count() == 2
    assert (
        sorted(col.decks.name(col.get_card(cid).did) for cid in col.find_cards(""))
        == ["Cold War Crises — Test Deck — Cuba"] * 3
    )  # the treaty's two cards and the quote's one stay in the deck that brought them


def test_each_theme_names_the_theme_decks_after_the_output(project):
    result = run("build", "--each-theme", "-o", "out/x.apkg", env=V1)
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "wrote out/x.apkg",
        "wrote out/x--berlin.apkg",
        "wrote out/x--cuba.apkg",
        "wrote out/x--arms-race.apkg",
    ]
    assert sorted(path.name for path in (project / "out").iterdir()) == [
        "x--arms-race.apkg",
        "x--berlin.apkg",
        "x--cuba.apkg",
        "x.apkg",
    ]
    assert not (project / "dist").exists()


def test_each_theme_does_not_combine_with_a_selection(project):
    result = run("build", "--each-theme", "--theme", "cuba")
    assert result.exit_code == 2
    assert "--each-theme builds the full deck and one deck per theme" in result.stderr


def test_a_card_lives_released_reviewed_edited_and_retired_without_losing_history(project, collection):
    col = collection()
    # Released and reviewed.
    run("release", env=V1)
    run("build", "--each-theme", env=V1)
    import_package(col, project / "dist/cold-war-crises-test-deck.apkg")
    study_every_card(col)
    history = review_state(col)

    # Edited: the learner's note follows, the history stays.
    cards = project / "cards/berlin.yaml"
    cards.write_text(
        cards.read_text().replace("East German leader who pressed", "East German party leader who pressed")
    )
    run("release", env=V2)
    run("build", env=V2)
    log = import_package(col, project / "dist/cold-war-crises-test-deck.apkg")
    assert [col.get_note(entry.id.nid)["Id"] for entry in log.updated] == ["walter-ulbricht"]
    assert review_state(col) == history

    # Retired: deleting it is refused; retiring keeps it in the full deck, tagged, and out of every topic deck.
    text = cards.read_text()
    cards.write_text(text[: text.index("- id: walter-ulbricht")])
    assert run("build", env=V3).exit_code == 1
    cards.write_text(text.replace("  type: person\n", '  type: person\n  retired: "Not in the syllabus any more"\n'))
    run("release", env=V3)
    result = run("build", "--each-theme", env=V3)
    assert "dist/cold-war-crises-test-deck--berlin.apkg: 2 notes" in result.stdout
    log = import_package(col, project / "dist/cold-war-crises-test-deck.apkg")
    note = col.get_note(log.updated[0].id.nid)
    assert (note["Id"], note["Retired"]) == ("walter-ulbricht", "Not in the syllabus any more")
    assert "testdeck::retired" in note.tags
    assert review_state(col) == history
    assert col.note_count() == 5

    topic = collection("topic.anki2")
    import_package(topic, project / "dist/cold-war-crises-test-deck--berlin.apkg")
    assert sorted(topic.get_note(nid)["Id"] for nid in topic.find_notes("")) == ["berlin-ultimatum", "berlin-wall"]
    assert "(all)         4  Cold War Crises — Test Deck" in run("themes").stdout


def test_each_theme_says_when_a_theme_has_only_retired_cards(project):
    cards = project / "cards/cuba.yaml"
    text = cards.read_text()
    cards.write_text(text.replace("  themes: [arms-race, cuba]", '  themes: [arms-race, cuba]\n  retired: "a test"'))
    result = run("build", "--each-theme", env=V1)
    assert result.exit_code == 0
    assert "every card of theme 'arms-race' is retired, so it has no deck of its own" in result.stderr
    assert "build-deck: no deck for theme 'arms-race': it has no cards that are not retired" in result.stderr
    assert not list(project.glob("dist/*--arms-race.apkg"))
    assert run("build", "--each-theme", "--strict", env=V1).exit_code == 1


def test_a_subset_without_o_gets_its_own_file_and_never_overwrites_the_full_deck(project):
    assert run("build", env=V1).exit_code == 0
    full = (project / "dist/cold-war-crises-test-deck.apkg").read_bytes()
    result = run("build", "--theme", "cuba", "--theme", "berlin", "--type", "date", env=V1)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote dist/cold-war-crises-test-deck--berlin+cuba--date.apkg: ")
    again = run("build", "--type", "date", "--theme", "berlin", "--theme", "cuba", env=V1)  # any order: one name
    assert again.stdout.startswith("wrote dist/cold-war-crises-test-deck--berlin+cuba--date.apkg: ")
    assert run("build", "--type", "quote", env=V1).stdout.startswith("wrote dist/cold-war-crises-test-deck--quote.apkg")
    assert (project / "dist/cold-war-crises-test-deck.apkg").read_bytes() == full


def test_a_subset_is_refused_the_full_decks_file(project):
    result = run("build", "--theme", "cuba", "-o", "dist/cold-war-crises-test-deck.apkg")
    assert result.exit_code == 2
    assert "dist/cold-war-crises-test-deck.apkg is the full deck's file" in result.stderr
    assert "dist/cold-war-crises-test-deck--cuba.apkg" in result.stderr
    assert not (project / "dist/cold-war-crises-test-deck.apkg").exists()
