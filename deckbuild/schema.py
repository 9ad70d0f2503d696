"""JSON Schemas of the two file kinds, for editors (completion, early errors); validate stays the authority."""

from __future__ import annotations

from deckbuild.lint import LINT_RULES
from deckbuild.model import (
    CARD_TYPES,
    COMMON_REQUIRED,
    DATE_FIELDS,
    ID_MAX_LENGTH,
    ID_PATTERN,
    TAG_PREFIX_PATTERN,
    TYPE_REQUIRED,
    Deck,
)
from deckbuild.rules import allowed_fields

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def card_schema(deck: Deck | None, seed_names: list[str]) -> dict:
    """A card file: a list of cards. Themes and seeds are the project's own, so an editor can complete them."""
    # validate reads every value as text; an editor reads `notes: 1989` as a number, `true` as a boolean
    text = {"type": ["string", "number", "boolean"], "pattern": r"\S"}
    date = {
        "anyOf": [
            {"type": "string", "pattern": r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"},
            {"type": "integer", "minimum": 1000, "maximum": 9999},  # an editor reads `date: 1956` as a number
        ],
        "description": "YYYY, YYYY-MM or YYYY-MM-DD",
    }
    seed = {**text, "enum": seed_names} if seed_names else text
    source = {
        "type": "object",
        "required": ["seed", "quote"],
        "additionalProperties": False,
        "properties": {
            "seed": {**seed, "description": "a file name in seeds/"},
            "quote": {**text, "description": "an excerpt that occurs in the seed, copied exactly"},
        },
    }
    theme_ids = [theme.id for theme in deck.themes] if deck else []
    fields = {
        "id": {
            "anyOf": [
                {"type": "string", "pattern": ID_PATTERN.pattern.join("^$"), "maxLength": ID_MAX_LENGTH},
                {"type": "integer", "minimum": 0},  # `id: 1989` is a number to an editor
            ],
            "description": "kebab-case, unique, never changed once released",
        },
        "type": {"enum": list(CARD_TYPES)},
        "themes": {"type": "array", "minItems": 1, "items": {"enum": theme_ids} if theme_ids else text},
        "source": {
            "anyOf": [{"$ref": "#/$defs/source"}, {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/source"}}]
        },
        "corrects": {
            "anyOf": [
                {"$ref": "#/$defs/source"},
                {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/source"}},
            ],
            "description": "excerpts that state what this card corrects: shown as the source's claim, never as support",
        },
        "blank": {**text, "description": "words of the quotation, verbatim, that a completion card hides"},
        "notes": text,
        "retired": {**text, "description": "why the card was retired; it then leaves every subset deck"},
        "lint": {
            "type": "object",
            "propertyNames": {"enum": list(LINT_RULES)},
            "additionalProperties": text,
            "description": "{<lint rule>: <why it does not apply to this card>}",
        },
        "parties": {"type": "array", "minItems": 1, "items": text},
    }
    for key in {key for card_type in CARD_TYPES for key in allowed_fields(card_type)} - set(fields):
        fields[key] = date if key in DATE_FIELDS else text
    by_type = [
        {
            "if": {"properties": {"type": {"const": card_type}}, "required": ["type"]},
            "then": {
                "required": list(COMMON_REQUIRED + TYPE_REQUIRED[card_type]),
                "propertyNames": {"enum": list(allowed_fields(card_type))},
            },
        }
        for card_type in CARD_TYPES
    ]
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "build-deck card file",
        "description": "A list of cards; see CONTRIBUTING.md. `build-deck validate` checks what a schema cannot.",
        "type": "array",
        "items": {"$ref": "#/$defs/card"},
        "$defs": {
            "source": source,
            "card": {
                "type": "object",
                "required": list(COMMON_REQUIRED),
                "properties": dict(sorted(fields.items())),
                "additionalProperties": False,
                "allOf": by_type,
            },
        },
    }


def deck_schema() -> dict:
    text = {"type": ["string", "number", "boolean"], "pattern": r"\S"}  # as in a card file
    kebab = {"type": "string", "pattern": ID_PATTERN.pattern.join("^$")}
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "build-deck deck.yaml",
        "type": "object",
        "required": ["deck", "themes"],
        "additionalProperties": False,
        "properties": {
            "deck": {
                "type": "object",
                "required": ["id", "name", "tag_prefix"],
                "additionalProperties": False,
                "properties": {
                    "id": {
                        "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^[0-9]+$"}],
                        "description": "generated once, never changed",
                    },
                    "name": text,
                    "description": text,
                    "tag_prefix": {"type": "string", "pattern": TAG_PREFIX_PATTERN.pattern.join("^$")},
                },
            },
            "themes": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["id", "title"],
                    "additionalProperties": False,
                    "properties": {
                        "id": kebab,
                        "title": text,
                        "description": text,
                        "keywords": {"type": "array", "items": text},
                    },
                },
            },
            "seeds": {
                "type": "array",
                "description": "the source texts as learners see them: every back names a source by its title",
                "items": {
                    "type": "object",
                    "required": ["file", "title"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {**text, "description": "a file name in seeds/"},
                        "title": {**text, "description": "what learners see, e.g. 'A student essay on Khrushchev'"},
                        "author": text,
                        "kind": {**text, "description": "essay, encyclopedia article, notes…"},
                        "year": {"anyOf": [text, {"type": "integer"}]},
                        "url": text,
                    },
                },
            },
            "words": {
                "type": "object",
                "description": "this deck's own vocabulary; each key is optional, with a neutral default",
                "additionalProperties": False,
                "properties": {
                    "subject": {
                        "type": "array",
                        "items": text,
                        "description": "words nearly every card shares (the subject's names): ignored by near-duplicate",
                    },
                    "search_example": {**text, "description": "the preview's search box, e.g. 'e.g. Kennedy, 1961'"},
                    "group_example": {**text, "description": "a few words that name a long list, for list-too-long"},
                },
            },
        },
    }
