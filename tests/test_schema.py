"""`build-deck schema`: a JSON Schema for editors that agrees with the validator on the shape of a file."""

from __future__ import annotations

import json
import re
import shutil
from typing import ClassVar

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import FIXTURES, ROOT, run

# Invalid fixtures whose problem is one of shape, which a schema can see (the others need the seeds or other files),
# and where in the file the schema finds it: the value validate reports, or the card for a missing or unknown key.
STRUCTURAL = {
    "top-level.yaml": (),
    "card-shape.yaml": (0,),
    "field-required.yaml": (0,),
    "field-unknown.yaml": (0,),
    "field-empty.yaml": (0, "event"),
    "field-shape-list.yaml": (0, "event"),
    "field-shape-text.yaml": (0, "themes"),
    "type-known.yaml": (0, "type"),
    "id-format.yaml": (0, "id"),
    "date-form.yaml": (0, "date"),
    "date-month.yaml": (0, "date"),
    "theme-known.yaml": (0, "themes", 0),
    "source-seed-missing.yaml": (0, "source"),
    "source-seed-path.yaml": (0, "source"),
    "lint-known.yaml": (0, "lint"),
    "lint-reason.yaml": (0, "lint", "answer-leak"),
}


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor reads it to check a schema: yaml-language-server (the `yaml` package) reads YAML 1.2's core
    schema, so `notes: 1989` is an integer, `true` a boolean, `~` null, while `yes` and `1961-08-13` stay strings
    (PyYAML's YAML 1.1 would make them a boolean and a date)."""

    yaml_implicit_resolvers: ClassVar[dict] = {}  # none of YAML 1.1's: the core schema's below


for tag, pattern, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
]:
    EditorLoader.add_implicit_resolver(tag, re.compile(pattern), first)


def core_int(loader, node) -> int:
    text = loader.construct_scalar(node)
    return int(text[2:], 8) if text.startswith("0o") else int(text[2:], 16) if text.startswith("0x") else int(text)


EditorLoader.add_constructor("tag:yaml.org,2002:int", core_int)


def load(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)  # EditorLoader is a SafeLoader


@pytest.fixture
def validators(project):
    cards = Draft202012Validator(json.loads(run("schema").stdout))
    deck = Draft202012Validator(json.loads(run("schema", "--deck").stdout))
    Draft202012Validator.check_schema(cards.schema)
    Draft202012Validator.check_schema(deck.schema)
    return cards, deck


def test_the_valid_fixtures_match_the_schemas(project, validators):
    cards, deck = validators
    for path in (project / "cards").glob("*.yaml"):
        validator = deck if path.name == "deck.yaml" else cards
        assert list(validator.iter_errors(load(path))) == [], path.name


@pytest.mark.parametrize(("fixture", "where"), STRUCTURAL.items(), ids=list(STRUCTURAL))
def test_each_structural_mistake_fails_the_schema_at_its_value(project, validators, fixture, where):
    cards, _ = validators
    assert {tuple(error.absolute_path) for error in cards.iter_errors(load(FIXTURES / "invalid" / fixture))} == {where}


def test_a_malformed_deck_fails_the_deck_schema(project, validators):
    _, deck = validators
    assert list(deck.iter_errors(load(FIXTURES / "invalid" / "deck-format.yaml")))


CARD = {
    "id": "ultimatum-deadline",
    "type": "date",
    "themes": "[berlin]",
    "event": '"The deadline Khrushchev set for the Western powers to leave West Berlin"',
    "date": "1959-05",
    "quote": '"six months, by May 1959"',
    "notes": '"Khrushchev let the deadline pass."',
    "lint": "{}",
}

# One value changed, as a contributor might write it: (field, YAML value). An editor reads many of them as numbers,
# booleans or null; validate reads every value as text.
EDITOR_READINGS = [
    ("notes", "1989"), ("notes", "true"), ("notes", "3.5"), ("notes", "yes"), ("notes", "0x1F"), ("notes", "~"),
    ("notes", '""'), ("notes", "[a, b]"), ("event", "1961"), ("date", "1959"), ("date", "1959-5"), ("date", "0x7A7"),
    ("date", '"1959"'), ("id", "1989"), ("id", "-5"), ("id", "1.5"), ("quote", "1959"), ("themes", "[1959]"),
    ("lint", "{prompt-short: 1989}"), ("lint", "{prompt-short: true}"), ("type", "1959"),
]  # fmt: skip


# Where they must differ: a schema sees the number an editor has read, not how it was written.
DIFFERENT = {("date", "0x7A7"): "1959 to an editor; validate asks for YYYY"}


@pytest.mark.parametrize(("field", "value"), EDITOR_READINGS, ids=[f"{f}: {v}" for f, v in EDITOR_READINGS])
def test_a_card_passes_the_schema_as_an_editor_reads_it_exactly_when_it_passes_validate(
    project, validators, field, value
):
    """`notes: 1989` is an integer to an editor and text to validate: both must take it, or both refuse it."""
    card = {**CARD, field: value}
    path = project / "cards/case.yaml"
    path.write_text(
        f"- id: {card['id']}\n  type: {card['type']}\n  themes: {card['themes']}\n  event: {card['event']}\n"
        f"  date: {card['date']}\n  source: {{seed: berlin-notes.txt, quote: {card['quote']}}}\n"
        f"  notes: {card['notes']}\n  lint: {card['lint']}\n"
    )
    errors = [line for line in run("validate").stderr.splitlines() if ": error: " in line]
    schema_errors = [error.message for error in validators[0].iter_errors(load(path))]
    if (field, value) in DIFFERENT:
        assert errors and not schema_errors  # where the two differ, and why: DIFFERENT
    else:
        assert bool(errors) == bool(schema_errors), (errors, schema_errors)


def test_deck_yaml_passes_the_schema_as_an_editor_reads_it_when_it_passes_validate(project, validators):
    path = project / "cards/deck.yaml"
    path.write_text(path.read_text().replace('description: "A small deck for the test suite."', "description: 1989"))
    path.write_text(path.read_text().replace("title: Cuba", "title: 1962"))
    assert run("validate").exit_code == 0
    assert [error.message for error in validators[1].iter_errors(load(path))] == []


def test_the_committed_schemas_are_current_and_every_file_points_at_its_own(monkeypatch):
    """A doc-sync test: the committed schemas are `schema`'s output (the tests above check that output)."""
    monkeypatch.chdir(ROOT)
    assert (ROOT / "cards/card.schema.json").read_text() == run("schema").stdout
    assert (ROOT / "cards/deck.schema.json").read_text() == run("schema", "--deck").stdout
    for path in (ROOT / "cards").glob("*.yaml"):
        schema = "deck.schema.json" if path.name == "deck.yaml" else "card.schema.json"
        assert path.read_text().startswith(f"# yaml-language-server: $schema={schema}\n"), path.name


def test_the_schema_follows_the_projects_themes_and_seeds(project):
    shutil.copy(project / "seeds/cuba-essay.txt", project / "seeds/extra.txt")
    schema = json.loads(run("schema").stdout)
    assert schema["$defs"]["card"]["properties"]["themes"]["items"]["enum"] == ["berlin", "cuba", "arms-race"]
    assert schema["$defs"]["source"]["properties"]["seed"]["enum"] == [
        "berlin-notes.txt",
        "cuba-essay.txt",
        "extra.txt",
    ]
