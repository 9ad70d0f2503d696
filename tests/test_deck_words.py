"""deck.yaml's optional `words:`: the deck's own vocabulary, so that the tool's code names no subject. Without it
the tool speaks neutrally; with it, near-duplicate, answer-leak, list-too-long and the preview use the deck's words."""

from __future__ import annotations

from pathlib import Path

from conftest import run

WORDS = """words:
  subject: [Ulbricht, honecker]
  search_example: "e.g. Ulbricht, 1961, wall"
  group_example: "the Warsaw Pact states"
"""

# Two more words than berlin.yaml's first card, both the subject's: a near duplicate only once they are ignored.
SAME_QUESTION = """- id: wall-with-names
  type: date
  themes: [berlin]
  event: "The East German regime of Ulbricht and Honecker seals the border in Berlin and begins the Wall"
  date: 1961-08-13
  source: {seed: berlin-notes.txt, quote: "On 13 August 1961 the East German regime sealed the border"}
"""


def with_words(project: Path) -> None:
    deck = project / "cards/deck.yaml"
    deck.write_text(deck.read_text(encoding="utf-8") + WORDS, encoding="utf-8")


def page_text(project: Path) -> str:
    assert run("preview", "-o", "page.html").exit_code == 0
    return (project / "page.html").read_text(encoding="utf-8")


def test_without_words_the_preview_suggests_a_neutral_search(project):
    assert 'placeholder="e.g. a name, a year, a word"' in page_text(project)


def test_the_preview_suggests_the_decks_own_search(project):
    with_words(project)
    assert 'placeholder="e.g. Ulbricht, 1961, wall"' in page_text(project)


def test_near_duplicate_ignores_the_words_of_the_decks_subject(project):
    (project / "cards/names.yaml").write_text(SAME_QUESTION, encoding="utf-8")
    assert "[near-duplicate]" not in run("validate").stderr
    with_words(project)
    assert "cards/names.yaml:4:10: warning: asks nearly what 'berlin-wall' asks" in run("validate").stderr


def test_list_too_long_suggests_the_decks_own_group(project):
    cuba = project / "cards/cuba.yaml"
    four = '["the Soviet Union", "the United States", "Britain", "France"]'
    cuba.write_text(cuba.read_text(encoding="utf-8").replace(
        '["the Soviet Union", "the United States", "Britain"]', four), encoding="utf-8")  # fmt: skip
    assert "group them (e.g. 'the founding members')" in run("validate").stderr
    with_words(project)
    assert "group them (e.g. 'the Warsaw Pact states')" in run("validate").stderr


def test_words_must_be_a_mapping_of_the_three_keys(project):
    deck = project / "cards/deck.yaml"
    deck.write_text(deck.read_text(encoding="utf-8") + "words:\n  subjects: [x]\n", encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert "unknown key 'subjects' (did you mean 'subject'?)" in result.stderr
