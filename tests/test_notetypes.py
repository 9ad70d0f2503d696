"""Note types frozen for good: every field and template has a fixed id, and a release holds them to it."""

from __future__ import annotations

import json

import pytest

import deckbuild.notetypes as notetypes
from conftest import ROOT, V1, V2, import_package, run
from deckbuild.model import CARD_TYPES
from deckbuild.project import load_released
from deckbuild.release import note_type_problems


@pytest.mark.parametrize("card_type", CARD_TYPES)
def test_every_field_and_template_has_its_own_fixed_id(card_type):
    shape = notetypes.note_type_shape(card_type)
    assert len(shape["fields"]) == len(notetypes.NOTE_FIELDS[card_type]) == len(set(shape["fields"]))
    assert len(shape["templates"]) == len(notetypes.TEMPLATES[card_type]) == len(set(shape["templates"]))
    # No stale ids: an id left behind by a renamed field would be reused by mistake one day.
    assert set(notetypes.FIELD_IDS[card_type]) == set(notetypes.NOTE_FIELDS[card_type])
    assert set(notetypes.TEMPLATE_IDS[card_type]) == {t["name"] for t in notetypes.TEMPLATES[card_type]}
    assert all(isinstance(i, int) and 0 < i < 2**63 for i in shape["fields"] + shape["templates"])


def test_real_anki_keeps_the_ids(project, collection):
    (project / "cards/terms.yaml").write_text(  # a note of every type, so that every note type is imported
        '- id: test-ban\n  type: term\n  themes: [arms-race]\n  term: "Limited Test Ban"\n'
        '  definition: "The 1963 ban on nuclear explosions in the air, in space and under water"\n'
        '  source: {seed: cuba-essay.txt, quote: "banned nuclear tests in the"}\n'
        "- id: why-test-ban\n  type: question\n  themes: [arms-race]\n"
        '  question: "What did the Limited Test Ban Treaty of 1963 leave allowed?"\n  answer: "Underground tests"\n'
        '  source: {seed: cuba-essay.txt, quote: "banned nuclear tests in the"}\n'
    )
    assert run("build", env=V1).exit_code == 0
    col = collection()
    import_package(col, project / "dist/cold-war-crises-test-deck.apkg")
    for card_type in CARD_TYPES:
        note_type = col.models.by_name(notetypes.NOTE_TYPE_NAMES[card_type])
        assert [field["id"] for field in note_type["flds"]] == notetypes.note_type_shape(card_type)["fields"]
        assert [template["id"] for template in note_type["tmpls"]] == notetypes.note_type_shape(card_type)["templates"]


def test_the_released_note_types_are_the_ones_built():
    """The deck's own release record: a released note type keeps its field and template ids, in order."""
    released, problems = load_released(ROOT / "cards")
    assert problems == []
    # Frozen: every note type's field and template ids are in the record, and the code still has them.
    assert {card_type for card_type, record in released.note_types.items() if record.shape} == set(CARD_TYPES)
    assert note_type_problems(released) == []


def test_a_release_records_each_note_types_ids(project):
    run("release", env=V1)
    record = json.loads((project / "cards/released.json").read_text())["note_types"]
    assert {
        card_type: {k: v for k, v in entry.items() if k not in ("hash", "mod")} for card_type, entry in record.items()
    } == {card_type: notetypes.note_type_shape(card_type) for card_type in CARD_TYPES}


def renamed_id(monkeypatch):
    ids = {t: dict(v) for t, v in notetypes.FIELD_IDS.items()}
    ids["person"]["Born"] += 1
    monkeypatch.setattr(notetypes, "FIELD_IDS", ids)


def added_field(monkeypatch):
    fields = dict(notetypes.NOTE_FIELDS, date=(*notetypes.NOTE_FIELDS["date"], "Precision"))
    ids = dict(notetypes.FIELD_IDS, date=dict(notetypes.FIELD_IDS["date"], Precision=1234567890))
    monkeypatch.setattr(notetypes, "NOTE_FIELDS", fields)
    monkeypatch.setattr(notetypes, "FIELD_IDS", ids)
    monkeypatch.setitem(notetypes.FIELD_VALUES, "Precision", lambda card, deck: "")


def lost_template(monkeypatch):
    monkeypatch.setattr(notetypes, "TEMPLATES", dict(notetypes.TEMPLATES, treaty=notetypes.TEMPLATES["treaty"][:1]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (renamed_id, "note type 'build-deck Person' was released with field ids"),
        (added_field, "note type 'build-deck Date' was released with field ids"),
        (lost_template, "note type 'build-deck Treaty' was released with template ids"),
    ],
)
def test_a_released_note_type_cannot_change_its_fields_or_templates(project, monkeypatch, change, message):
    run("release", env=V1)
    recorded = (project / "cards/released.json").read_text()
    change(monkeypatch)
    result = run("release", env=V2)
    assert result.exit_code == 1
    card_type = message.split("'build-deck ")[1].split("'")[0].lower()
    line = next(n for n, row in enumerate(recorded.splitlines(), 1) if row.startswith(f'    "{card_type}": {{"hash"'))
    assert f"cards/released.json:{line}:1: {message}" in result.stderr
    assert "Anki would import a copy and stop updating every learner's notes" in result.stderr
    assert result.stderr.endswith("build-deck: nothing recorded; a released note type changed\n")
    assert (project / "cards/released.json").read_text() == recorded


def test_a_new_note_type_id_may_bring_a_new_field_list(project, monkeypatch):
    run("release", env=V1)
    added_field(monkeypatch)
    monkeypatch.setattr(notetypes, "NOTE_TYPE_IDS", dict(notetypes.NOTE_TYPE_IDS, date=1999999999))
    result = run("release", env=V2)
    assert result.exit_code == 0, result.output
    assert json.loads((project / "cards/released.json").read_text())["note_types"]["date"]["id"] == 1999999999
