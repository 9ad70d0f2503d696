"""`build-deck schema`: a JSON Schema for editors that agrees with the validator on the shape of a file."""

from __future__ import annotations

import json
import shutil

import pytest
from jsonschema import Draft202012Validator

from conftest import FIXTURES, ROOT, run
from deckbuild.model import Fields, Items, Text
from deckbuild.yamlnodes import parse_yaml

# Invalid fixtures whose problem is one of shape, which a schema can see (the others need the seeds or other files).
STRUCTURAL = [
    "top-level.yaml",
    "card-shape.yaml",
    "field-required.yaml",
    "field-unknown.yaml",
    "field-empty.yaml",
    "field-shape-list.yaml",
    "field-shape-text.yaml",
    "type-known.yaml",
    "id-format.yaml",
    "date-form.yaml",
    "date-month.yaml",
    "theme-known.yaml",
    "source-seed-missing.yaml",
    "source-seed-path.yaml",
    "lint-known.yaml",
    "lint-reason.yaml",
]


def plain(node):
    """The YAML as our loader reads it (every scalar text), as plain data."""
    if isinstance(node, Text):
        return None if node.plain and node.value in ("", "~", "null") else node.value
    if isinstance(node, Items):
        return [plain(item) for item in node.items]
    assert isinstance(node, Fields)
    return {key: plain(value) for key, (_, value) in node.entries.items()}


def load(path):
    root, problems = parse_yaml(path.read_bytes(), str(path))
    assert not problems
    return plain(root)


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


@pytest.mark.parametrize("fixture", STRUCTURAL)
def test_each_structural_mistake_fails_the_schema(project, validators, fixture):
    cards, _ = validators
    assert list(cards.iter_errors(load(FIXTURES / "invalid" / fixture)))


def test_a_malformed_deck_fails_the_deck_schema(project, validators):
    _, deck = validators
    assert list(deck.iter_errors(load(FIXTURES / "invalid" / "deck-format.yaml")))


def test_the_committed_schemas_are_current_and_every_file_points_at_its_own(monkeypatch):
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
