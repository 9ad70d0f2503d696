"""Card lint: the rules of good flashcards, as warnings that a card can silence with a stated reason."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, run

WALL = 'seed: berlin-notes.txt, quote: "On 13 August 1961 the East German regime sealed the border"'
TEST_BAN = 'seed: cuba-essay.txt, quote: "The Limited Test Ban Treaty of 1963 between the USSR, the USA and Britain"'

# (what is wrong, the card, line:col of the warning in that card, the rule)
CASES = [
    ("a date card's event states the year",
     f'- id: c\n  type: date\n  themes: [berlin]\n  event: "The Wall goes up in Berlin in 1961"\n  date: 1961\n  source: {{{WALL}}}\n',
     "4:10", "answer-leak"),
    ("a person's role names the person",
     '- id: c\n  type: person\n  themes: [berlin]\n  name: "Walter Ernst Paul Ulbricht"\n  role: "East German leader, Ulbricht to his friends"\n'
     '  source: {seed: berlin-notes.txt, quote: "Walter Ulbricht, the East German leader"}\n',
     "5:9", "answer-leak"),
    ("a quote's context names the speaker",
     '- id: c\n  type: quote\n  themes: [cuba]\n  text: "the knot of war"\n  speaker: "Nikita Khrushchev"\n'
     '  context: "Khrushchev writing to Kennedy in the missile crisis"\n  source: {seed: cuba-essay.txt, quote: "the knot of war"}\n',
     "6:12", "answer-leak"),
    ("a prompt starts with a pronoun",
     f'- id: c\n  type: date\n  themes: [berlin]\n  event: "They seal the border between the two halves of Berlin"\n  date: 1961\n  source: {{{WALL}}}\n',
     "4:10", "prompt-pronoun"),
    ("a prompt too short to have one answer",
     f'- id: c\n  type: date\n  themes: [berlin]\n  event: "The Wall"\n  date: 1961\n  source: {{{WALL}}}\n',
     "4:10", "prompt-short"),
    ("a day no excerpt states",
     f'- id: c\n  type: date\n  themes: [berlin]\n  event: "The East German regime seals the Berlin border"\n  date: 1961-08-12\n  source: {{{WALL}}}\n',
     "5:9", "date-precision"),
    ("a month no excerpt states",
     f'- id: c\n  type: treaty\n  themes: [arms-race]\n  name: "Partial Nuclear Test Ban Treaty"\n  date: 1963-08\n  parties: [USSR, USA, Britain]\n'
     f'  terms: "Banned nuclear tests in the atmosphere"\n  source: {{{TEST_BAN}}}\n',
     "5:9", "date-precision"),
    ("a year in none of the excerpts",
     f'- id: c\n  type: date\n  themes: [berlin]\n  event: "The East German regime seals the Berlin border"\n  date: 1962\n  source: {{{WALL}}}\n',
     "5:9", "year-not-in-source"),
    ("a list of four parties",
     f'- id: c\n  type: treaty\n  themes: [arms-race]\n  name: "Partial Nuclear Test Ban Treaty"\n  date: 1963\n  parties: [USSR, USA, Britain, France]\n'
     f'  terms: "Banned nuclear tests in the atmosphere"\n  source: {{{TEST_BAN}}}\n',
     "6:12", "list-too-long"),
    ("an answer of two sentences",
     f'- id: c\n  type: treaty\n  themes: [arms-race]\n  name: "Partial Nuclear Test Ban Treaty"\n  date: 1963\n  parties: [USSR, USA, Britain]\n'
     f'  terms: "Banned tests in the air. Underground tests went on."\n  source: {{{TEST_BAN}}}\n',
     "7:10", "answer-too-long"),
]  # fmt: skip


@pytest.mark.parametrize(("card", "position", "rule"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_lint_rule_warns_at_the_field(project, card, position, rule):
    (project / "cards/case.yaml").write_text(card)
    result = run("validate")
    warnings = [line for line in result.stderr.splitlines() if line.endswith(f"[{rule}]")]
    assert [line.split(": warning: ")[0] for line in warnings] == [f"cards/case.yaml:{position}"], result.stderr
    assert result.exit_code == 0  # warnings only
    assert run("validate", "--strict").exit_code == 1


@pytest.mark.parametrize(("card", "rule"), [(case[1], case[3]) for case in CASES], ids=[case[0] for case in CASES])
def test_a_stated_reason_silences_the_rule_for_that_card_only(project, card, rule):
    (project / "cards/case.yaml").write_text(card + f'  lint: {{{rule}: "the source is wrong here; see the notes"}}\n')
    (project / "cards/other.yaml").write_text(card.replace("- id: c\n", "- id: d\n"))
    result = run("validate")
    flagged = {line.split(":")[0] for line in result.stderr.splitlines() if line.endswith(f"[{rule}]")}
    assert flagged == {"cards/other.yaml"}


@pytest.mark.parametrize("silenced", ["berlin-wall", "wall-reworded"])
def test_a_near_duplicate_is_silenced_on_either_of_the_two_cards(project, silenced):
    """The reason may sit on the earlier card as well as on the later one: a card with it leaves the comparison."""
    shutil.copy(FIXTURES / "invalid/near-duplicate.yaml", project / "cards/case.yaml")  # after cards/berlin.yaml
    assert "[near-duplicate]" in run("validate").stderr
    reason = '  lint: {near-duplicate: "the reworded one is for the printed sheet"}\n'
    for path in (project / "cards/berlin.yaml", project / "cards/case.yaml"):
        text = path.read_text()
        start = text.find(f"- id: {silenced}\n")
        if start >= 0:
            end = text.find("\n- id: ", start + 1)
            end = len(text) if end < 0 else end + 1
            path.write_text(text[:end].rstrip("\n") + "\n" + reason + text[end:])
    result = run("validate", "--strict")
    assert "near-duplicate" not in result.stderr
    assert result.exit_code == 0, result.stderr


def test_a_good_card_passes_the_lint(project):
    assert run("validate", "--strict").exit_code == 0


@pytest.mark.parametrize(
    ("sentence", "date", "warned"),
    [
        ("Jan Kowalski, a student, crossed to the West in 1961.", "1961-01", "a month"),  # a name, not January
        ("Convoy 13 reached the city in August 1961.", "1961-08-13", "a day"),  # a count, not the 13th
        ("The convoy reached the city on 13 August 1961.", "1961-08-13", None),
        ("The convoy reached the city on August 13, 1961.", "1961-08-13", None),
        ("In 1961 the convoy left, and in August of the same year it arrived.", "1961-08", None),
    ],
)
def test_a_month_or_day_counts_only_where_it_reads_as_a_date(project, sentence, date, warned):
    """Given an excerpt with a name that looks like a month or a number that looks like a day, the card's date is
    still more precise than the excerpt."""
    (project / "seeds/notes.txt").write_text(sentence + "\n")
    (project / "cards/extra.yaml").write_text(
        f'- id: c\n  type: date\n  themes: [berlin]\n  event: "A convoy of students crosses into West Berlin"\n'
        f'  date: {date}\n  source: {{seed: notes.txt, quote: "{sentence}"}}\n'
    )
    warnings = [line for line in run("validate").stderr.splitlines() if "[date-precision]" in line]
    if warned is None:
        assert warnings == []
    else:
        assert warnings == [
            f"cards/extra.yaml:5:9: warning: date '{date}' gives {warned} that no cited excerpt states; fix the card, "
            "or explain with 'lint: {date-precision: <reason>}' [date-precision]"
        ]


def test_suggest_dates_a_sentence_by_the_month_that_reads_as_a_date():
    from deckbuild.suggest import guess_date

    assert guess_date("Stalin died in 1953, and in March 1956 Khrushchev spoke.") == "1956-03"
    assert guess_date("Jan Masaryk fell from a window in 1948.") == "1948"
    assert guess_date("Born in Ukraine on the 17 April,1894.") == "1894-04-17"
    assert guess_date("Mission 4 flew in April 1961 and landed on the 12th.") == "1961-04"


def test_prompt_rules_judge_the_fronts_fields_only(project):
    """The prompt lint reads what a card's front asks (its template's question fields), never an answer."""
    import re

    from deckbuild.lint import PROMPT_FIELDS
    from deckbuild.notetypes import NOTE_FIELDS, TEMPLATES

    on_fronts = {
        field.lower()
        for card_type, templates in TEMPLATES.items()
        for template in templates
        for field in re.findall(r"\{\{([A-Za-z]+)\}\}", template["qfmt"])
        if field in NOTE_FIELDS[card_type]
    }
    # Names (of people, treaties, ideas) are short by nature and a quotation keeps its words; the speaker, occasion and
    # date beside a quotation to complete, and the precision cue, are context, not the question.
    assert set(PROMPT_FIELDS) == on_fronts - {
        "name",
        "term",
        "text",
        "cloze",
        "speaker",
        "context",
        "date",
        "precision",
    }

    # A short treaty terms (an answer) is not a short prompt.
    (project / "cards/extra.yaml").write_text(
        f'- id: c\n  type: treaty\n  themes: [arms-race]\n  name: "Partial Nuclear Test Ban Treaty"\n  date: 1963\n'
        f'  parties: [USSR, USA, Britain]\n  terms: "No atmospheric tests"\n  source: {{{TEST_BAN}}}\n'
    )
    assert "[prompt-short]" not in run("validate").stderr


def test_one_sentence_with_an_initial_or_a_title_is_not_two(project):
    """answer-too-long counts sentences with the tool's one splitter, which coverage uses too."""
    (project / "cards/case.yaml").write_text(
        '- id: c\n  type: person\n  themes: [cuba]\n  name: "Nikita Khrushchev"\n'
        '  role: "Soviet leader who faced John F. Kennedy and Mr. Rusk over Cuba"\n'
        '  source: {seed: cuba-essay.txt, quote: "Khrushchev wrote to Kennedy"}\n'
        '- id: d\n  type: person\n  themes: [cuba]\n  name: "John Kennedy"\n'
        '  role: "US president in the missile crisis. 1962 was his hardest year"\n'
        '  source: {seed: cuba-essay.txt, quote: "Khrushchev wrote to Kennedy"}\n'
    )
    flagged = [
        line.split(": warning: ")[0] for line in run("validate").stderr.splitlines() if "[answer-too-long]" in line
    ]
    assert flagged == ["cards/case.yaml:11:9"]  # the second card's two sentences, the second opening with a year
