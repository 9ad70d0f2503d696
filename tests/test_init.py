"""`build-deck init`: a new deck folder that validates with --strict, builds and imports into real Anki."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import import_package, run

FILES = [
    "cards/deck.yaml",
    "cards/fall-of-the-monarchy.yaml",
    "cards/republic-and-war.yaml",
    "seeds/README.md",
    "seeds/french-revolution-notes.txt",
]


@pytest.fixture
def empty(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return tmp_path


def test_init_makes_a_deck_that_validates_builds_and_imports_into_anki(empty, collection, monkeypatch):
    result = run("init", "french-revolution")
    assert result.exit_code == 0, result.output
    deck_id = re.search(r"with the deck id (\d+)", result.stdout)[1]
    assert result.stdout == (
        "".join(f"created french-revolution/{path}\n" for path in FILES)
        + "created french-revolution/cards/card.schema.json and deck.schema.json, for editors (refresh the first with "
        "build-deck schema > cards/card.schema.json when you add a theme or a text)\n"
        f'\nA new deck, "French Revolution", with the deck id {deck_id}: never change it once the deck is shared.\n'
        "Next:\n  cd french-revolution\n  build-deck validate --strict\n  build-deck build\n  build-deck preview\n"
        "Then replace the example cards and text with your own (build-deck's CONTRIBUTING.md explains every field), "
        "and run build-deck release before you first share the deck.\n"
    )
    monkeypatch.chdir(empty / "french-revolution")
    assert f"  id: {deck_id}\n" in Path("cards/deck.yaml").read_text()
    checked = run("validate", "--strict")
    assert (checked.exit_code, checked.stderr) == (0, "3 files checked, 5 cards, 0 errors, 0 warnings\n")
    built = run("build", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert built.stdout == 'wrote dist/french-revolution.apkg: 5 notes, deck "French Revolution"\n'
    assert run("preview").exit_code == 0
    col = collection()
    assert len(import_package(col, Path("dist/french-revolution.apkg").resolve()).new) == 5
    types = sorted(col.get_note(nid).note_type()["name"] for nid in col.find_notes(""))
    assert len(types) == 5 and len(set(types)) == 5  # one note of every type
    assert col.card_count() == 8  # date 1, person 2, treaty 2, quote 1, term 2
    assert {col.decks.name(col.get_card(cid).did) for cid in col.find_cards("")} == {"French Revolution"}
    tags = {tag for nid in col.find_notes("") for tag in col.get_note(nid).tags}
    assert {"french-revolution::theme::republic-and-war", "french-revolution::type::quote"} <= tags
    # The examples leave something to card, and the Left-out example line reads and leaves its passage out.
    coverage = run("coverage")
    assert coverage.exit_code == 0 and coverage.stderr == ""
    assert "french-revolution-notes.txt         7      4         1        2" in coverage.stdout


def test_every_deck_gets_its_own_id_and_the_name_it_is_given(empty):
    run("init", "one")
    run("init", "two", "--name", 'The "Terror", 1793–1794')
    ids = [re.search(r"id: (\d+)", Path(f"{folder}/cards/deck.yaml").read_text())[1] for folder in ("one", "two")]
    assert ids[0] != ids[1] and all(1 << 30 <= int(deck_id) < 1 << 31 for deck_id in ids)
    deck = Path("two/cards/deck.yaml").read_text()
    assert 'name: "The \\"Terror\\", 1793–1794"' in deck and "tag_prefix: the-terror-1793-1794\n" in deck
    assert run("validate", "--strict", "--cards", "two/cards", "--seeds", "two/seeds").exit_code == 0
    assert '# Source texts (seeds) for the deck "One"' in Path("one/seeds/README.md").read_text()


def test_init_in_the_current_folder_says_no_cd(empty):
    result = run("init")
    assert result.exit_code == 0
    assert "created cards/deck.yaml\n" in result.stdout and "  cd " not in result.stdout
    assert f'A new deck, "{deck_name(empty.name)}"' in result.stdout


def deck_name(folder: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in folder.replace("_", " ").replace("-", " ").split())


def test_init_never_overwrites_a_file(empty):
    Path("deck/seeds").mkdir(parents=True)
    Path("deck/seeds/README.md").write_text("my notes\n")
    result = run("init", "deck")
    assert result.exit_code == 1
    assert result.stderr == (
        "build-deck: deck/seeds/README.md already exists; init never overwrites a file, so nothing was written: "
        "start the deck in a new folder (build-deck init DIR)\n"
    )
    assert sorted(str(p.relative_to("deck")) for p in Path("deck").rglob("*")) == ["seeds", "seeds/README.md"]
    assert Path("deck/seeds/README.md").read_text() == "my notes\n"
    assert run("init", "other").exit_code == 0
    again = run("init", "other")
    assert again.exit_code == 1
    assert "other/cards/deck.yaml already exists (and 6 other files init writes)" in again.stderr


def test_the_seeds_readme_documents_the_left_out_format_and_its_example_reads(empty):
    run("init")
    readme = Path("seeds/README.md").read_text()
    assert "## Errata" in readme and "## Left out" in readme
    assert '    - `SEED`: "words of the passage, copied exactly" — why it is left out\n' in readme
    Path("seeds/README.md").write_text(readme + '- `french-revolution-notes.txt`: "words not there" — a test\n')
    assert (
        "seeds/README.md:31:1: warning: the words in quotes are not in french-revolution-notes.txt"
        in run("coverage").stderr
    )


def test_an_empty_folder_is_told_what_to_create(empty):
    result = run("validate")
    assert result.stderr.splitlines() == [
        "cards/deck.yaml:1:1: error: no folder cards: to start a deck here, run build-deck init; or create "
        "cards/deck.yaml with a 'deck:' section (id, name, description, tag_prefix) and a 'themes:' list (each with "
        "id, title, description) [deck-missing]",
        "seeds:1:1: error: there is no seeds folder seeds; create it and put in it the texts your cards cite "
        "(build-deck init makes one with an example), or point --seeds at it [source-seed]",
        "1 file checked, 0 cards, 2 errors, 0 warnings",
    ]


def test_a_half_made_deck_yaml_is_told_the_keys_to_add(empty):
    Path("cards").mkdir()
    Path("seeds").mkdir()
    Path("cards/deck.yaml").write_text('deck:\n  name: "Roman Britain"\nthemes:\n  - title: "The conquest"\n')
    problems = run("validate").stderr.splitlines()
    assert re.fullmatch(
        r"cards/deck.yaml:2:3: error: 'deck' has no 'id'; add id: \d{10} \(made now at random; every note's id "
        r"derives from it: never change it once the deck is shared\) \[deck-format\]",
        problems[0],
    )
    assert problems[1:] == [
        "cards/deck.yaml:2:3: error: 'deck' has no 'tag_prefix'; add tag_prefix: roman-britain (the first part of "
        "every tag) [deck-format]",
        "cards/deck.yaml:4:5: error: this theme has no 'id'; add id: the-conquest (lower-case words joined by "
        "hyphens, named on the cards) [deck-format]",
        "1 file checked, 0 cards, 3 errors, 0 warnings",
    ]


def test_a_seed_without_its_file_or_title_is_told_what_to_add(empty):
    """A theme pasted under `seeds:` by mistake stopped validate with a KeyError."""
    Path("cards").mkdir()
    Path("seeds").mkdir()
    Path("cards/deck.yaml").write_text(
        'deck:\n  id: 1234567890\n  name: "Roman Britain"\n  tag_prefix: rb\nthemes:\n  - id: conquest\n'
        '    title: "The conquest"\nseeds:\n  - title: "Tacitus, Agricola"\n  - file: agricola.txt\n'
    )
    result = run("validate")
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "has no" in line] == [
        "cards/deck.yaml:9:5: error: this seed has no 'file'; add file: <the name of a text in the seeds folder> "
        "[deck-format]",
        "cards/deck.yaml:10:5: error: this seed has no 'title'; add title: \"...\" (the source's title, as the back of "
        "a card shows it) [deck-format]",
    ]


def test_the_readme_shows_the_real_output_of_init(empty):
    from test_docs import console_block

    shown = console_block("build-deck init french-revolution")
    real = run("init", "french-revolution").stdout.splitlines()
    deck_id = re.compile(r"deck id \d+")
    assert [deck_id.sub("deck id N", line) for line in shown] == [deck_id.sub("deck id N", line) for line in real]


def test_contributing_shows_the_real_output_of_init(empty):
    from conftest import ROOT

    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    shown = re.search(r"^\$ build-deck init roman-britain\n(.*?)^```", contributing, flags=re.M | re.S)[1]
    real = run("init", "roman-britain").stdout
    deck_id = re.compile(r"deck id \d+")
    assert deck_id.sub("deck id N", shown) == deck_id.sub("deck id N", real)


def test_contributings_left_out_example_is_a_real_line_that_reads():
    from conftest import ROOT
    from deckbuild.coverage import LEFT_OUT_LINE, left_out_lines

    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    example = re.search(r"^```markdown\n(- `.*)\n```", contributing, flags=re.M)[1]
    assert LEFT_OUT_LINE.fullmatch(example)
    assert example in [line for _, line in left_out_lines(ROOT / "seeds")]
