"""The newcomer's mistakes (issue 14): each message names the real cause, at its file:line:col, and what to write."""

from __future__ import annotations

import pytest
import yaml

from conftest import run
from deckbuild import yamlnodes

WALL = "On 13 August 1961 the East German regime sealed the border and began building the Berlin Wall."


def card(**fields: str) -> str:
    """A valid date card citing the Wall passage, with fields replaced (given as YAML text after the key)."""
    values = {
        "id": "wall-card",
        "type": "date",
        "themes": "[berlin]",
        "event": '"Soldiers close every crossing of the sector boundary overnight"',
        "date": "1961-08-13",
        "source": f'{{seed: berlin-notes.txt, quote: "{WALL}"}}',
    } | fields
    return "- " + "\n  ".join(f"{key}: {value}" for key, value in values.items()) + "\n"


def problems(*args: str) -> list[str]:
    return [line for line in run(*args).stderr.splitlines() if line.endswith("]")]


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request, monkeypatch):
    """Both YAML parsers word their errors differently; the messages must not."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlnodes, "_Parser", yaml.SafeLoader)


SYNTAX = [
    (
        "a straight double quote inside a double-quoted value",
        '- id: c\n  type: quote\n  text: "he said "we will bury you" to them"\n',
        "3:18",
        'a straight " inside a double-quoted value ends the value here; write \\" for a quotation mark inside it, '
        "or put single quotes around the value",
    ),
    (
        "the same in a flow mapping",
        '- {id: c, text: "he said "no" there"}\n',
        "1:26",
        'a straight " inside a double-quoted value ends the value here',
    ),
    (
        "an apostrophe inside a single-quoted value",
        "- id: c\n  text: 'Khrushchev's visit'\n",
        "2:20",
        "a straight ' inside a single-quoted value ends the value here; write '' (two) for an apostrophe",
    ),
    (
        "a tab indenting a key",
        "- id: c\n  type: date\n\tthemes: [berlin]\n",
        "3:1",
        "a tab character; YAML indents with spaces only: replace the tab with spaces",
    ),
    (
        "a tab alone on a line",
        "- id: c\n  type: date\n  themes: [berlin]\n\t\n  date: 1961\n",
        "4:1",
        "a tab character; YAML indents with spaces only",
    ),
    (
        "a tab indenting a folded text",
        "- id: c\n  event: >\n\tThe Wall\n",
        "3:1",
        "a tab character; YAML indents with spaces only",
    ),
]


@pytest.mark.parametrize(("case", "text", "position", "message"), SYNTAX, ids=[case[0] for case in SYNTAX])
def test_a_syntax_error_names_its_cause(project, parser, case, text, position, message):
    (project / "cards/case.yaml").write_text(text)
    found = problems("validate")
    assert len(found) == 1 and found[0].startswith(f"cards/case.yaml:{position}: error: {message}"), found
    assert found[0].endswith("[yaml-syntax]")


@pytest.mark.parametrize("written", ["13/08/1961", "13.08.1961", "13 August 1961", "August 13, 1961", "1961-8-13"])
def test_a_date_written_another_way_gets_did_you_mean(project, written):
    (project / "cards/case.yaml").write_text(card(date=written))
    assert problems("validate") == [
        f"cards/case.yaml:5:9: error: '{written}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD "
        "(did you mean '1961-08-13'?) [date-format]"
    ]


def test_an_ambiguous_day_and_month_get_both_readings(project):
    (project / "cards/case.yaml").write_text(card(date="08/07/1961", lint="{date-precision: test}"))
    assert "(did you mean '1961-07-08' or '1961-08-07'?) [date-format]" in problems("validate")[0]


@pytest.mark.parametrize("ellipsis", ["...", "…"])
def test_an_excerpt_shortened_with_an_ellipsis_says_to_cite_two(project, ellipsis):
    shortened = f"On 13 August 1961 the East German regime {ellipsis} began building the Berlin Wall."
    (project / "cards/case.yaml").write_text(card(source=f'{{seed: berlin-notes.txt, quote: "{shortened}"}}'))
    (found,) = problems("validate")
    assert found.startswith("cards/case.yaml:6:43: error: excerpt not found in berlin-notes.txt (it matches up to ")
    assert found.endswith(
        "; an ellipsis ('...' or '…') never matches: cite the words before it and after it as two excerpts "
        "[source-quote]"
    )


def test_quote_text_says_where_the_quotation_stops_matching(project):
    cuba = project / "cards/cuba.yaml"
    cuba.write_text(
        cuba.read_text().replace('tied the knot of war."\n  speaker', 'tied the knot of peace."\n  speaker')
    )
    assert problems("validate") == [
        "cards/cuba.yaml:5:9: error: the quotation is not in any cited seed (it matches up to '…ich you have tied the "
        "knot of ', then differs); quote it exactly as the seed does, and cite the seed that contains it "
        "[quote-text]"
    ]


def test_a_theme_misspelt_in_deck_yaml_is_reported_there_once(project):
    deck = project / "cards/deck.yaml"
    deck.write_text(deck.read_text().replace("- id: berlin", "- id: berln"))
    assert problems("validate") == [
        "cards/deck.yaml:7:9: error: theme 'berln' has no cards, but 3 cards give the theme 'berlin': if that is this "
        "theme, write id: berlin [theme-known]"
    ]


def test_a_theme_misspelt_on_a_card_is_still_reported_at_the_card(project):
    (project / "cards/case.yaml").write_text(card(themes="[berln]"))
    assert problems("validate") == [
        "cards/case.yaml:3:12: error: unknown theme 'berln' (did you mean 'berlin'?) [theme-known]"
    ]


def test_an_empty_required_field_is_not_told_to_go(project):
    (project / "cards/case.yaml").write_text(card(event='""'))
    assert problems("validate") == [
        "cards/case.yaml:4:3: error: 'event' is empty; a date card needs it: write a value [field-empty]"
    ]
    (project / "cards/case.yaml").write_text(card(notes='""'))
    assert problems("validate") == [
        "cards/case.yaml:7:3: error: 'notes' is empty; write a value or remove the field [field-empty]"
    ]


ENCODING = (
    "seeds/berlin-notes.txt:4:12: error: byte 0x96 is not UTF-8 (the text was saved as Windows-1252 or Latin-1?); "
    "save it as UTF-8: in Notepad, File → Save as, Encoding: UTF-8; in VS Code, Reopen with Encoding → Windows 1252, "
    "then Save with Encoding → UTF-8; or run iconv -f windows-1252 -t utf-8 berlin-notes.txt > berlin-notes.txt.utf8 "
    "and replace the file with it [seed-encoding]"
)


@pytest.fixture
def windows_seed(project):
    """The Berlin notes saved as Windows-1252 (an en dash in them), as Word and Notepad used to."""
    seed = project / "seeds/berlin-notes.txt"
    text = seed.read_text(encoding="utf-8").replace("six months, by", "six months – by")
    seed.write_bytes(text.encode("cp1252"))
    readme = project / "seeds/README.md"
    readme.write_text('## Left out\n\n- `berlin-notes.txt`: "Walter Ulbricht, the East German leader" — a test\n')


def test_a_seed_that_is_not_utf8_is_one_error_not_one_per_card(windows_seed):
    result = run("validate")
    assert [line for line in result.stderr.splitlines() if line.endswith("]")] == [ENCODING]
    assert result.exit_code == 1


@pytest.mark.parametrize("command", ["coverage", "suggest"])
def test_coverage_and_suggest_fail_on_a_seed_that_is_not_utf8(windows_seed, command):
    result = run(command)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line.endswith("]")] == [ENCODING]
    assert "no seed" not in result.stderr and result.stdout == ""


LEAK = '- id: c\n  type: quote\n  themes: [berlin]\n  text: "began building the Berlin Wall"\n  speaker: "{speaker}"\n  context: "{context}"\n  source: {{seed: berlin-notes.txt, quote: "began building the Berlin Wall"}}\n'


def test_answer_leak_matches_names_not_function_words(project):
    speaker = "The Council of the East German Government"
    (project / "cards/case.yaml").write_text(LEAK.format(speaker=speaker, context="A decree on the border in the city"))
    assert [p for p in problems("validate", "--strict") if "[answer-leak]" in p] == []
    (project / "cards/case.yaml").write_text(
        LEAK.format(speaker=speaker, context="A decree of the Council on the border")
    )
    assert [p for p in problems("validate", "--strict") if "[answer-leak]" in p] == [
        "cards/case.yaml:6:12: warning: the context names the speaker ('Council'), which is what the card asks; fix "
        "the card, or explain with 'lint: {answer-leak: <reason>}' [answer-leak]"
    ]


def test_a_tab_inside_a_line_is_named_where_the_parser_refuses_it(project, monkeypatch):
    """libyaml takes a tab before a comment; the pure-Python parser does not, and then says so as a tab."""
    monkeypatch.setattr(yamlnodes, "_Parser", yaml.SafeLoader)
    (project / "cards/case.yaml").write_text(card(id="wall-card  \t# the Wall"))
    assert problems("validate") == [
        "cards/case.yaml:1:18: error: a tab character; YAML does not allow a tab here: replace the tab with spaces "
        "[yaml-syntax]"
    ]
