"""`build-deck build`: a package that real Anki imports, with every field, tag and template as promised."""

from __future__ import annotations

import os
import shutil
import time
import zipfile

import pytest

from conftest import import_package, run

DECK_NAME = "Cold War Crises — Test Deck"
PACKAGE = "dist/cold-war-crises-test-deck.apkg"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def notes_by_id(col):
    return {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}


def test_the_package_imports_into_real_anki_with_every_field_and_tag(project, collection):
    result = run("build", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert result.stdout == f'wrote {PACKAGE}: 5 notes, deck "{DECK_NAME}"\n'

    col = collection()
    log = import_package(col, project / PACKAGE)
    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (5, 0, 0, 0)
    assert col.note_count() == 5
    # date 1 card each, person 2 (who was X / who is described), treaty 2 (terms / when and who), quote 1
    assert col.card_count() == 2 + 2 + 2 + 1
    assert {col.decks.name(col.get_card(cid).did) for cid in col.find_cards("")} == {DECK_NAME}

    notes = notes_by_id(col)
    assert dict(notes["berlin-wall"].items()) == {
        "Event": "The East German regime seals the border in Berlin and begins the Wall",
        "Date": "13 August 1961",
        "End": "",
        "Precision": "day, month and year",
        "Source": '<div class="source">“On 13 August 1961 the East German regime sealed the border and began building '
        'the Berlin Wall.” <span class="seed">— Notes on Berlin</span></div>',
        "Corrects": "",
        "Notes": "The Wall stood until 1989.",
        "Themes": "Berlin",
        "Id": "berlin-wall",
        "Retired": "",
    }
    assert notes["berlin-ultimatum"]["Date"] == "November 1958"
    assert notes["berlin-ultimatum"]["End"] == "May 1959"
    assert dict(notes["walter-ulbricht"].items()) | {"Source": ""} == {
        "Name": "Walter Ulbricht",
        "Role": "East German leader who pressed Moscow to act on Berlin",
        "Born": "30 June 1893",
        "Died": "1 August 1973",
        "Source": "",
        "Corrects": "",
        "Notes": "",
        "Themes": "Berlin",
        "Id": "walter-ulbricht",
        "Retired": "",
    }
    assert dict(notes["limited-test-ban-treaty"].items()) | {"Source": ""} == {
        "Name": "Limited Test Ban Treaty",
        "Date": "1963",
        "Parties": "the Soviet Union, the United States and Britain",
        "Terms": "Banned nuclear tests in the atmosphere, in outer space and under water",
        "Precision": "year",
        "Source": "",
        "Corrects": "",
        "Notes": "Underground tests stayed allowed.",
        "Themes": "The arms race, Cuba",
        "Id": "limited-test-ban-treaty",
        "Retired": "",
    }
    quote = notes["quote-khrushchev-knot-of-war"]
    assert (
        quote["Text"]
        == "We and you ought not now to pull on the ends of the rope in which you have tied the knot of war."
    )
    assert (quote["Speaker"], quote["Context"], quote["Date"]) == (
        "Nikita Khrushchev",
        "Letter to President Kennedy during the missile crisis",
        "October 1962",
    )
    assert quote.note_type()["name"] == "build-deck Quote"

    assert sorted(notes["limited-test-ban-treaty"].tags) == [
        "testdeck::theme::arms-race",
        "testdeck::theme::cuba",
        "testdeck::type::treaty",
    ]
    # What a teacher types in Anki's browser finds exactly that theme's notes.
    found = {col.get_note(nid)["Id"] for nid in col.find_notes("tag:testdeck::theme::berlin")}
    assert found == {"berlin-wall", "berlin-ultimatum", "walter-ulbricht"}
    assert {col.get_note(nid)["Id"] for nid in col.find_notes("tag:testdeck::type::quote")} == {
        "quote-khrushchev-knot-of-war"
    }


def rendered(col, search: str, ordinal: int = 0):
    card = next(col.get_card(cid) for cid in col.find_cards(search) if col.get_card(cid).ord == ordinal)
    output = card.render_output(reload=True)
    return output.question_text, output.answer_text


def test_each_card_type_renders_a_recall_question_and_a_cited_answer(project, collection):
    run("build", env=EPOCH)
    col = collection()
    import_package(col, project / PACKAGE)

    question, answer = rendered(col, "Id:berlin-wall")
    assert 'When did this happen? <span class="cue">(day, month and year)</span>' in question
    assert "The East German regime seals the border in Berlin and begins the Wall" in question
    assert "13 August 1961" not in question
    assert "13 August 1961" in answer
    assert "began building the Berlin Wall" in answer and "— Notes on Berlin" in answer

    question, answer = rendered(col, "Id:walter-ulbricht", 0)
    assert "Walter Ulbricht" in question and "East German leader" not in question
    assert "East German leader who pressed Moscow to act on Berlin" in answer and "Born 30 June 1893" in answer
    question, answer = rendered(col, "Id:walter-ulbricht", 1)
    assert "East German leader who pressed Moscow to act on Berlin" in question and "Walter Ulbricht" not in question
    assert "Walter Ulbricht" in answer

    question, answer = rendered(col, "Id:limited-test-ban-treaty", 0)
    assert "What did it establish?" in question and "Limited Test Ban Treaty" in question
    assert "Banned nuclear tests" in answer
    question, answer = rendered(col, "Id:limited-test-ban-treaty", 1)
    assert "When, and between whom?" in question and "1963" not in question
    assert "1963" in answer and "the Soviet Union, the United States and Britain" in answer

    question, answer = rendered(col, "Id:quote-khrushchev-knot-of-war")
    assert "Who said this, and on what occasion?" in question and "knot of war" in question
    assert "Nikita Khrushchev" not in question
    assert (
        "Nikita Khrushchev" in answer
        and "Letter to President Kennedy during the missile crisis, October 1962" in answer
    )


def test_night_mode_and_phone_styles_are_in_the_note_types(project, collection):
    run("build", env=EPOCH)
    col = collection()
    import_package(col, project / PACKAGE)
    css = col.models.by_name("build-deck Date")["css"]
    assert ".nightMode" in css and ".night_mode" in css
    assert "@media (max-width: 480px)" in css


def test_a_script_in_a_field_is_shown_as_text_in_anki(project, collection):
    path = project / "cards/berlin.yaml"
    path.write_text(path.read_text().replace("The Wall stood until 1989.", "<script>alert('x')</script> & more"))
    assert run("build", env=EPOCH).exit_code == 0
    col = collection()
    import_package(col, project / PACKAGE)
    _, answer = rendered(col, "Id:berlin-wall")
    assert "<script>" not in answer
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; more" in answer


def test_the_same_inputs_give_a_byte_identical_package(project, monkeypatch):
    run("build", "-o", "first.apkg", env=EPOCH)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)  # the wall clock must not leak into the package
    run("build", "-o", "second.apkg", env=EPOCH)
    assert (project / "first.apkg").read_bytes() == (project / "second.apkg").read_bytes()
    run("build", "-o", "third.apkg", env={"SOURCE_DATE_EPOCH": "1700000999"})
    assert (project / "first.apkg").read_bytes() != (project / "third.apkg").read_bytes()


def test_a_subset_holds_exactly_the_selected_cards_with_the_full_decks_guids(project, collection):
    run("build", env=EPOCH)
    result = run("build", "--theme", "cuba", "--theme", "berlin", "--type", "person", "--type", "treaty",
                 "-o", "subset.apkg", env=EPOCH)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Cold War Crises — Test Deck — Berlin, Cuba — person and treaty cards" in result.stdout

    col = collection()
    log = import_package(col, project / "subset.apkg")
    assert len(log.new) == 2
    assert sorted(notes_by_id(col)) == ["limited-test-ban-treaty", "walter-ulbricht"]
    subset_guids = {col.get_note(nid).guid for nid in col.find_notes("")}

    full = collection("full.anki2")
    import_package(full, project / PACKAGE)
    assert subset_guids <= {full.get_note(nid).guid for nid in full.find_notes("")}
    # On top of the subset, the full deck adds only the missing notes; the two it has are found as already there.
    log = import_package(col, project / PACKAGE)
    assert (len(log.new), len(log.duplicate), len(log.conflicting)) == (3, 2, 0)
    assert col.note_count() == 5


def deck_ids_in(package):
    import json
    import sqlite3
    import tempfile

    with zipfile.ZipFile(package) as archive, tempfile.NamedTemporaryFile(suffix=".anki2") as database:
        database.write(archive.read("collection.anki2"))
        database.flush()
        decks = json.loads(sqlite3.connect(database.name).execute("select decks from col").fetchone()[0])
    return {deck["name"]: int(deck_id) for deck_id, deck in decks.items() if deck["name"] != "Default"}


def test_a_subset_deck_id_is_stable_whatever_the_order_and_differs_from_the_full_deck(project):
    run("build", "--theme", "cuba", "--theme", "berlin", "-o", "a.apkg", env=EPOCH)
    run("build", "--theme", "berlin", "--theme", "cuba", "-o", "b.apkg", env=EPOCH)
    run("build", "-o", "full.apkg", env=EPOCH)
    first, second = deck_ids_in("a.apkg"), deck_ids_in("b.apkg")
    assert first == second
    assert list(deck_ids_in("full.apkg").values()) == [2059146773]
    assert 2059146773 not in first.values()


def test_an_unknown_theme_or_type_is_an_error_with_a_suggestion(project):
    result = run("build", "--theme", "berln")
    assert result.exit_code == 2
    assert "unknown theme 'berln' (did you mean 'berlin'?)" in result.stderr
    result = run("build", "--type", "persons")
    assert result.exit_code == 2
    assert "unknown type 'persons' (did you mean 'person'?)" in result.stderr
    assert not (project / "dist").exists()


def test_a_failed_build_writes_nothing_and_keeps_the_previous_package(project):
    run("build", env=EPOCH)
    before = (project / PACKAGE).read_bytes()
    path = project / "cards/berlin.yaml"
    path.write_text(path.read_text().replace("date: 1961-08-13", "date: 1961-02-30"))
    result = run("build", env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert result.exit_code == 1
    assert "cards/berlin.yaml:6:9: error: '1961-02-30' is not a calendar date" in result.stderr
    assert result.stderr.endswith("build-deck: not built; fix the errors above\n")
    assert (project / PACKAGE).read_bytes() == before
    assert sorted(p.name for p in (project / "dist").iterdir()) == ["cold-war-crises-test-deck.apkg"]


def test_output_goes_where_asked_creating_folders(project):
    result = run("build", "-o", "out/nested/deck.apkg", env=EPOCH)
    assert result.exit_code == 0
    assert zipfile.ZipFile(project / "out/nested/deck.apkg").namelist() == ["collection.anki2", "media"]


def test_themes_lists_each_theme_with_its_card_count(project):
    result = run("themes")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "berlin        3  Berlin",
        "cuba          2  Cuba",
        "arms-race     1  The arms race",
        "(all)         5  Cold War Crises — Test Deck",
    ]


def test_themes_with_short_ids_align_and_a_broken_card_file_fails(project):
    # Every theme id shorter than "(all)": the counts still stand in one column.
    for path in (project / "cards").glob("*.yaml"):
        path.write_text(path.read_text().replace("berlin", "ber").replace("arms-race", "arms"))
    assert run("themes").stdout.splitlines() == [
        "ber       3  Berlin",
        "cuba      2  Cuba",
        "arms      1  The arms race",
        "(all)     5  Cold War Crises — Test Deck",
    ]
    (project / "cards/cuba.yaml").write_text("- id: [broken")
    result = run("themes")
    assert result.exit_code == 1
    assert "cards/cuba.yaml:2:1: error: YAML does not parse" in result.stderr
    assert "build-deck: cannot count the cards until every card file reads" in result.stderr


@pytest.mark.parametrize("compiler_share", [0, 0.5, 1], ids=["child checks all", "both check", "compiler checks all"])
def test_a_large_deck_is_checked_in_a_second_process_with_the_same_result(project, monkeypatch, compiler_share):
    """The files to check are shared between the process that compiles (once it has written the package) and a
    second one: the same package, the same problems, whoever checks which file."""
    from deckbuild import parallel, validation

    run("build", "-o", "one-process.apkg", env=EPOCH)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(validation, "COMPILER_SHARE", compiler_share)
    assert run("build", "--no-cache", "-o", "two-processes.apkg", env=EPOCH).exit_code == 0
    assert (project / "one-process.apkg").read_bytes() == (project / "two-processes.apkg").read_bytes()

    for name in ("berlin", "cuba"):  # the first file and the last
        path = project / f"cards/{name}.yaml"
        path.write_text(path.read_text().replace("\n  type: ", "\n  type: no-", 1))
    result = run("build", "--no-cache", "-o", "broken.apkg", env=EPOCH)
    assert result.exit_code == 1
    assert [line.split(": error:")[0] for line in result.stderr.splitlines() if "unknown type" in line] == [
        "cards/berlin.yaml:3:9", "cards/cuba.yaml:3:9"
    ]  # fmt: skip
    assert not (project / "broken.apkg").exists()
    leftovers = [p for p in project.iterdir() if p.suffix == ".apkg" or p.name.startswith(".")]
    assert sorted(p.name for p in leftovers if p.name != ".build-deck-cache") == [  # the cache is meant to stay
        "one-process.apkg",
        "two-processes.apkg",
    ]


def test_without_fork_a_large_deck_is_compiled_only_once_its_checks_pass(project, monkeypatch):
    """Windows has no fork: a large build then checks first, in this process, and compiles nothing when they fail."""
    from deckbuild import apkg, parallel

    compiled = []
    compile_deck = apkg.compile_deck
    monkeypatch.setattr(apkg, "compile_deck", lambda *args: compiled.append(1) or compile_deck(*args))
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "CAN_FORK", False)
    assert run("build", "--no-cache", "-o", "deck.apkg", env=EPOCH).exit_code == 0
    assert compiled == [1]
    path = project / "cards/cuba.yaml"
    path.write_text(path.read_text().replace("\n  type: ", "\n  type: no-", 1))
    result = run("build", "--no-cache", "-o", "broken.apkg", env=EPOCH)
    assert (result.exit_code, compiled) == (1, [1])
    assert "unknown type 'no-quote'" in result.stderr


def broken_card(project):
    path = project / "cards/berlin.yaml"
    path.write_text(path.read_text().replace("date: 1961-08-13", "date: 1961-02-30"))


def no_deck_file(project):
    (project / "cards/deck.yaml").unlink()


def a_file_in_the_way(project):
    (project / "afile").write_text("in the way")


def no_seeds(project):
    shutil.rmtree(project / "seeds")


def a_check_that_dies(project):
    from deckbuild import parallel, validation

    # The forked check ends without a word (as when the kernel kills it for memory): the build stops, with a message.
    builder, check_files = os.getpid(), validation.check_files

    def dies_in_the_child(*args, **kwargs):
        return os._exit(3) if os.getpid() != builder else check_files(*args, **kwargs)

    return [(parallel, "PARALLEL_FROM", 0), (validation, "check_files", dies_in_the_child)]  # set by the test


NO_DECK = "build-deck: cannot read cards/deck.yaml; run `build-deck validate`"

# Each command's own errors, in one style: `build-deck: <what went wrong>` last on stderr (the line starts so), exit 1. (Bad arguments
# are click's usage errors, `Error: …` and exit 2: tested beside each option.)
ERROR_PATHS = [
    (["validate"], broken_card, "3 files checked, 5 cards, 1 error, 0 warnings"),
    (["build"], broken_card, "build-deck: not built; fix the errors above"),
    (["build"], no_deck_file, "build-deck: not built; fix the errors above"),
    (["build", "-o", "afile/deck.apkg"], a_file_in_the_way, "build-deck: cannot write afile/deck.apkg: "),
    (["build"], a_check_that_dies, "build-deck: the check of the cards stopped before it finished (out of memory?); "
     "nothing written"),
    (["preview"], broken_card, "build-deck: no preview written; fix the errors above"),
    (["preview", "-o", "afile/deck.html"], a_file_in_the_way, "build-deck: cannot write afile/deck.html: "),
    (["themes"], no_deck_file, NO_DECK),
    (["release"], broken_card, "build-deck: nothing recorded; fix the errors above"),
    (["schema"], no_deck_file, NO_DECK),
    (["schema"], no_seeds, "build-deck: cannot read every text in the seeds folder; fix the problems above"),
    (["coverage"], no_deck_file, NO_DECK),
    (["coverage"], no_seeds, "build-deck: cannot read every text in the seeds folder; fix the problems above"),
    (["suggest"], no_deck_file, NO_DECK),
    (["init"], lambda project: None, "build-deck: cards/deck.yaml already exists; init never overwrites a file"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "breakage", "last_line"),
    ERROR_PATHS,
    ids=[f"{' '.join(args)}-{breakage.__name__.strip('<>')}" for args, breakage, _ in ERROR_PATHS],
)
def test_each_commands_error_says_what_went_wrong_in_one_style(project, monkeypatch, args, breakage, last_line):
    for target, name, value in breakage(project) or ():
        monkeypatch.setattr(target, name, value)
    result = run(*args, env=EPOCH)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(last_line), result.stderr
    assert "Error:" not in result.stderr and "Traceback" not in result.output


def test_an_odd_source_date_epoch_is_a_usage_error(project):
    for value in ("²", "yesterday", "99999999999999999999"):
        result = run("build", env={"SOURCE_DATE_EPOCH": value})
        assert result.exit_code == 2
        assert "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970" in result.stderr


def test_a_build_time_before_2000_is_refused(project):
    """SOURCE_DATE_EPOCH=0 would number the first note 0, which breaks a learner's collection: nothing is built."""
    for value in ("0", "86400", "946684799"):
        result = run("build", env={"SOURCE_DATE_EPOCH": value})
        assert result.exit_code == 2
        assert f"SOURCE_DATE_EPOCH={value} is before 2000-01-01" in result.output
    assert not (project / "dist").exists()
    assert run("build", env={"SOURCE_DATE_EPOCH": "946684800"}).exit_code == 0
