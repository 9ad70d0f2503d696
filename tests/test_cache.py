"""The cache of parsed and checked files (.build-deck-cache/): the same results with and without it, on decks
mutated between runs; never trusted when its entries were not written by this user's tool; --no-cache leaves none."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, run

CARD_FILES = ("cards/berlin.yaml", "cards/cuba.yaml")


def validate_in(folder: Path, *options: str):
    before = Path.cwd()
    os.chdir(folder)
    try:
        result = run("validate", *options)
    finally:
        os.chdir(before)
    return result.exit_code, result.stderr


def mutate(folder: Path, data) -> None:
    """One edit a contributor could make: change, drop or copy a line of a card file, copy a file, edit a seed."""
    kind = data.draw(st.sampled_from(["replace", "drop", "copy-line", "copy-file", "seed", "deck", "nothing"]))
    path = folder / data.draw(st.sampled_from(CARD_FILES))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = data.draw(st.integers(0, len(lines) - 1))
    if kind == "replace":
        old = data.draw(st.sampled_from(lines[number].split() or ["x"]))
        new = data.draw(st.sampled_from(["1961", "Berlin", "'", '"', "- x", "", "Khrushchev", "theme: x", "  "]))
        lines[number] = lines[number].replace(old, new, 1)
    elif kind == "drop":
        del lines[number]
    elif kind == "copy-line":
        lines.insert(number, lines[number])
    elif kind == "copy-file":
        shutil.copy(path, folder / "cards" / f"copy-{data.draw(st.integers(0, 2))}.yaml")
    elif kind == "seed":
        seed = next(p for p in sorted((folder / "seeds").iterdir()) if p.name != "README.md")
        text = seed.read_text(encoding="utf-8")
        cut = data.draw(st.integers(0, len(text)))
        seed.write_text(text[:cut] + data.draw(st.sampled_from(["", " Berlin", "x"])) + text[cut + 40 :])
    elif kind == "deck":  # a theme renamed or dropped, or its keywords changed: every file's checks depend on it
        deck = folder / "cards/deck.yaml"
        old = data.draw(st.sampled_from(["id: berlin", "id: arms-race", "keywords: [nuclear, test ban]"]))
        new = data.draw(st.sampled_from(["id: berln", "id: arms", "keywords: [wall]", ""]))
        deck.write_text(deck.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    path.write_text("".join(lines), encoding="utf-8")


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_validate_reports_the_same_with_and_without_the_cache_on_a_mutated_deck(data):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        shutil.copytree(FIXTURES / "valid", folder, dirs_exist_ok=True)
        for _ in range(data.draw(st.integers(1, 3))):
            cached = validate_in(folder)  # fills the cache, or reads it back for the files that did not change
            assert cached == validate_in(folder, "--no-cache")
            assert validate_in(folder) == cached  # all read from the cache now
            mutate(folder, data)
        assert validate_in(folder) == validate_in(folder, "--no-cache")


def test_after_an_edit_validate_reads_the_cards_of_the_changed_file_only(project, monkeypatch):
    """The checks of an unchanged file, and the facts the rules across cards need of its cards, come back from the
    cache: its cards are not read again, not even from the cache of parsed files. A duplicate id across the two
    files is still found."""
    import deckbuild.validation

    read = []

    def read_card_file(path, *args, **options):
        read.append(path.name)
        return real_read_card_file(path, *args, **options)

    real_read_card_file = deckbuild.validation.read_card_file
    monkeypatch.setattr(deckbuild.validation, "read_card_file", read_card_file)
    assert run("validate").exit_code == 0
    assert sorted(read) == ["berlin.yaml", "cuba.yaml"]

    read.clear()
    assert run("validate").exit_code == 0
    assert read == []

    cuba = project / "cards/cuba.yaml"
    cuba.write_text(cuba.read_text() + "\n- id: berlin-wall\n  type: date\n")
    result = run("validate")
    assert read == ["cuba.yaml"]
    assert "duplicate id 'berlin-wall', first defined at cards/berlin.yaml:2:7" in result.stderr
    assert result.stderr == run("validate", "--no-cache").stderr


def test_validate_checks_many_files_in_two_processes_with_the_same_result(project, monkeypatch):
    from deckbuild import parallel

    for n in range(4):  # more files, with problems across them: ids repeated from file to file
        shutil.copy(project / "cards/berlin.yaml", project / f"cards/copy-{n}.yaml")
    alone = run("validate", "--no-cache")
    monkeypatch.setattr(parallel, "PARALLEL_FILES", 2)
    shared = run("validate", "--no-cache")
    assert "[id-unique]" in alone.stderr
    assert (shared.exit_code, shared.stderr) == (alone.exit_code, alone.stderr)


def test_the_cache_is_a_folder_beside_the_cards_that_git_ignores(project):
    assert run("validate", "--no-cache").exit_code == 0
    assert not (project / ".build-deck-cache").exists()
    first = run("validate")
    assert (project / ".build-deck-cache/.gitignore").read_text() == "*\n"
    assert len(list((project / ".build-deck-cache").glob("check-*"))) == 2  # one entry per card file
    assert (run("validate").exit_code, run("validate").stderr) == (first.exit_code, first.stderr)
    (project / "cards/cuba.yaml").unlink()
    run("validate")
    assert len(list((project / ".build-deck-cache").glob("check-*"))) == 1  # a deleted file's entries go too
    shutil.copy(FIXTURES / "valid/cards/cuba.yaml", project / "cards/cuba.yaml")
    shutil.rmtree(project / ".build-deck-cache")  # safe to delete
    assert run("validate").stderr == first.stderr


def test_an_entry_the_tool_did_not_sign_is_never_read(project):
    """A cache folder that came with a project (or was tampered with) is ignored, not unpickled."""
    clean = run("validate").stderr
    for entry in (project / ".build-deck-cache").glob("*-*"):
        data = bytearray(entry.read_bytes())
        data[70] ^= 1  # the signature no longer matches
        entry.write_bytes(bytes(data))
    (project / "cards/berlin.yaml").write_text("- id: [\n", encoding="utf-8")
    broken = run("validate")
    assert broken.exit_code == 1 and "yaml-syntax" in broken.stderr
    (project / "cards/berlin.yaml").write_bytes((FIXTURES / "valid/cards/berlin.yaml").read_bytes())
    assert run("validate").stderr == clean
