"""The card model: dates that say their precision, term cards, quotations to complete, sources by title, source errors
shown as errors, and no answer serving too many cards. Each on a deck of its own, through the validator and real Anki."""

from __future__ import annotations

import json

from conftest import import_package, run

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
PACKAGE = "dist/cold-war-crises-test-deck.apkg"
WALL = '{seed: berlin-notes.txt, quote: "On 13 August 1961 the East German regime sealed the border"}'
KNOT = '{seed: cuba-essay.txt, quote: "Khrushchev wrote to Kennedy"}'
ROPE = "We and you ought not now to pull on the ends of the rope"  # the fixture deck quotes the whole sentence
KNOT_OF_WAR = "in which you have tied the knot of war"


def add_cards(project, text: str, name: str = "extra.yaml"):
    (project / "cards" / name).write_text(text)


def problems(result, rule: str) -> list[str]:
    """`file:line:col` of each problem with this rule id."""
    return [":".join(line.split(":")[:3]) for line in result.stderr.splitlines() if line.endswith(f"[{rule}]")]


def build_and_import(project, collection, name: str = "collection.anki2"):
    result = run("build", env=EPOCH)
    assert result.exit_code == 0, result.output
    col = collection(name)
    import_package(col, project / PACKAGE)
    return col


def faces(col, card_id: str) -> list[tuple[str, str]]:
    """(question, answer) of every Anki card of a note, as Anki renders them, in template order."""
    cards = sorted((col.get_card(cid) for cid in col.find_cards(f"Id:{card_id}")), key=lambda card: card.ord)
    return [(out.question_text, out.answer_text) for out in (card.render_output(reload=True) for card in cards)]


def test_a_date_front_says_the_precision_it_asks_for(project, collection):
    add_cards(
        project,
        f"""- id: wall-year
  type: date
  themes: [berlin]
  event: "The border through Berlin is sealed by the East German regime"
  date: 1961
  source: {WALL}
- id: wall-range
  type: date
  themes: [berlin]
  event: "The months in which the East German regime sealed Berlin's border"
  date: 1961-08
  end: 1961-09
  source: {WALL}
  lint: {{date-precision: "the record dates it; the test says so"}}
""",
    )
    col = build_and_import(project, collection)
    assert 'When did this happen? <span class="cue">(year)</span>' in faces(col, "wall-year")[0][0]
    assert "(from and to: month and year)" in faces(col, "wall-range")[0][0]
    assert (
        "(month and year)" in faces(col, "berlin-ultimatum")[0][0]
        or "(from and to" in faces(col, "berlin-ultimatum")[0][0]
    )
    assert "(day, month and year)" in faces(col, "berlin-wall")[0][0]
    assert "(year)" in faces(col, "limited-test-ban-treaty")[1][0]


TERM = """- id: berlin-wall-term
  type: term
  themes: [berlin]
  term: "The Berlin Wall"
  definition: "The barrier the East German regime built in August 1961 to seal the western sectors off"
  source: {WALL}
"""


def test_a_term_card_asks_both_ways_in_real_anki(project, collection):
    add_cards(project, TERM.format(WALL=WALL))
    assert run("validate", "--strict").exit_code == 0, run("validate").stderr
    col = build_and_import(project, collection)
    note = col.get_note(col.find_notes("Id:berlin-wall-term")[0])
    assert note.note_type()["name"] == "build-deck Term"
    assert (note["Term"], note["Definition"]) == (
        "The Berlin Wall",
        "The barrier the East German regime built in August 1961 to seal the western sectors off",
    )
    (term_q, term_a), (definition_q, definition_a) = faces(col, "berlin-wall-term")
    assert "What does this term mean?" in term_q and "The Berlin Wall" in term_q and "barrier" not in term_q
    assert "The barrier the East German regime built" in term_a
    assert "What is this called?" in definition_q and "The Berlin Wall" not in definition_q
    assert '<div class="answer">The Berlin Wall</div>' in definition_a


def test_a_definition_that_uses_the_terms_words_gives_the_answer_away(project):
    add_cards(project, TERM.format(WALL=WALL).replace("The barrier", "The wall"))
    result = run("validate")
    assert problems(result, "answer-leak") == ["cards/extra.yaml:5:15"], result.stderr
    assert "the definition uses the term's words ('Wall')" in result.stderr


QUOTE = """- id: {id}
  type: quote
  themes: [cuba]
  text: "{text}"
  speaker: "{speaker}"
  context: "{context}"
  source: {KNOT}
"""


def test_a_blank_adds_a_card_with_those_words_hidden(project, collection):
    add_cards(
        project,
        QUOTE.format(
            id="rope",
            text=ROPE,
            speaker="Nikita Khrushchev",
            context="Letter to President Kennedy",
            KNOT=KNOT,
        )
        + '  blank: "the ends of the rope"\n  date: 1962-10-26\n'
        + '  lint: {date-precision: "the letter of 26 October 1962", year-not-in-source: "the same"}\n',
    )
    assert run("validate", "--strict").exit_code == 0, run("validate").stderr
    col = build_and_import(project, collection)
    (who_q, _), (blank_q, blank_a) = faces(col, "rope")
    assert "Complete the quotation" in blank_q
    assert 'pull on <span class="blank">[…]</span></blockquote>' in blank_q and "ends of the rope" not in blank_q
    assert "Nikita Khrushchev, Letter to President Kennedy" in blank_q
    # The occasion, not its date: a date here would answer the date cards of the same events.
    assert "1962" not in blank_q and '<div class="detail">26 October 1962</div>' in blank_a
    assert '<div class="answer">the ends of the rope</div>' in blank_a
    assert "Complete the quotation" not in who_q
    # A quotation without a blank has one card only: Anki makes none from an empty front.
    assert len(faces(col, "quote-khrushchev-knot-of-war")) == 1


def test_a_blank_that_is_not_in_the_quotation_is_an_error(project):
    add_cards(
        project,
        QUOTE.format(id="rope", text=ROPE, speaker="Nikita Khrushchev", context="Letter to Kennedy", KNOT=KNOT)
        + '  blank: "knot of peace"\n',
    )
    result = run("validate")
    assert result.exit_code == 1
    assert problems(result, "quote-blank") == ["cards/extra.yaml:8:10"], result.stderr


def test_who_said_it_asks_the_occasion_when_quotations_share_a_speaker(project, collection):
    """The deck's main figure answers every who-said card; from three live quotations on, the card names the speaker
    and asks the occasion, which a learner can get wrong."""
    contexts = ["Letter to President Kennedy, 26 October 1962", "Message to Kennedy, 28 October 1962"]
    add_cards(
        project,
        "".join(
            QUOTE.format(id=f"rope-{n}", text=text, speaker="Nikita Khrushchev", context=context, KNOT=KNOT)
            for n, (text, context) in enumerate(zip((ROPE, KNOT_OF_WAR), contexts, strict=True))
        ),
    )
    col = build_and_import(project, collection)
    question, answer = faces(col, "rope-0")[0]
    assert "On what occasion was this said?" in question
    assert '<div class="speaker">Nikita Khrushchev</div>' in question
    assert '<div class="answer">Letter to President Kennedy, 26 October 1962</div>' in answer

    for path in (project / "cards/extra.yaml",):  # two quotations of one speaker: the speaker is still the question
        path.write_text(path.read_text().split("- id: rope-1")[0])
    col = build_and_import(project, collection, "another.anki2")
    question, answer = faces(col, "rope-0")[0]
    assert "Who said this, and on what occasion?" in question and "Nikita Khrushchev" not in question
    assert '<div class="answer">Nikita Khrushchev</div>' in answer


def test_every_back_names_its_source_by_title_and_asks_for_missing_titles(project, collection):
    col = build_and_import(project, collection)
    _, answer = faces(col, "berlin-wall")[0]
    assert '<span class="seed">— Notes on Berlin</span>' in answer and "berlin-notes.txt" not in answer

    deck = project / "cards/deck.yaml"
    deck.write_text(
        deck.read_text()
        .replace('    title: "Notes on Berlin"\n', '    title: "Notes on Berlin"\n')
        .replace('  - file: berlin-notes.txt\n    title: "Notes on Berlin"\n', "")
    )
    result = run("validate")
    assert result.exit_code == 0
    assert problems(result, "seed-title") == ["cards/deck.yaml:18:1"], result.stderr
    assert "seed 'berlin-notes.txt' has no title, so learners see its file name" in result.stderr


def test_learner_text_never_names_a_seed_by_file_or_number(project):
    add_cards(
        project,
        f"""- id: wall-notes
  type: date
  themes: [berlin]
  event: "The border through Berlin is sealed by the East German regime"
  date: 1961
  source: {WALL}
  notes: "Seed 003 says otherwise."
- id: wall-notes-2
  type: person
  themes: [berlin]
  name: "Walter Ulbricht the Second"
  role: "East German leader named in berlin-notes.txt"
  source: {WALL}
""",
    )
    result = run("validate")
    assert problems(result, "seed-reference") == ["cards/extra.yaml:7:10", "cards/extra.yaml:12:9"], result.stderr
    assert "'notes' names a source as 'Seed 003'" in result.stderr

    text = (project / "cards/extra.yaml").read_text()
    (project / "cards/extra.yaml").write_text(
        text.replace('  notes: "Seed', '  lint: {seed-reference: "quoted for the test"}\n  notes: "Seed')
    )
    assert problems(run("validate"), "seed-reference") == ["cards/extra.yaml:13:9"]


CORRECTED = f"""- id: wall-corrected
  type: date
  themes: [berlin]
  event: "The East German regime seals the border between East and West Berlin"
  date: 1961-08-13
  source: {WALL}
  corrects:
    - seed: cuba-essay.txt
      quote: "The crisis began when American U-2 flights found Soviet missile sites"
  notes: "Not in 1962."
"""


def test_a_source_error_is_shown_as_that_sources_claim_never_as_support(project, collection):
    add_cards(project, CORRECTED)
    assert run("validate", "--strict").exit_code == 0, run("validate").stderr
    col = build_and_import(project, collection)
    note = col.get_note(col.find_notes("Id:wall-corrected")[0])
    assert note["Corrects"] == (
        '<div class="claim"><span class="says">An essay on the Cuban crisis says:</span> '
        "“The crisis began when American U-2 flights found Soviet missile sites”</div>"
    )
    assert "U-2" not in note["Source"]
    _, answer = faces(col, "wall-corrected")[0]
    assert answer.index('class="sources"') < answer.index('class="corrects"')


def test_a_corrects_excerpt_is_checked_like_a_source_and_counts_for_coverage(project):
    add_cards(project, CORRECTED.replace("found Soviet missile sites", "found Soviet rocket sites"))
    result = run("validate")
    assert result.exit_code == 1
    assert problems(result, "source-quote") == ["cards/extra.yaml:9:14"], result.stderr

    # A passage that only a card's corrects: cites is accounted for: the deck says what is wrong with it.
    cuba = project / "cards/cuba.yaml"
    cuba.write_text(
        cuba.read_text().replace(
            '      quote: "Soviet missile sites in October 1962"\n    - seed: cuba-essay.txt\n', ""
        )
    )
    uncited = json.loads(run("coverage", "--format", "json").stdout)["total"]
    add_cards(project, CORRECTED)
    accounted = json.loads(run("coverage", "--format", "json").stdout)["total"]
    assert (uncited["cited"], accounted["cited"]) == (uncited["passages"] - 1, accounted["passages"])


def test_a_third_card_of_a_theme_with_the_same_answer_is_flagged(project):
    cards = "".join(
        f"""- id: sealed-{n}
  type: date
  themes: [berlin]
  event: "{event}"
  date: 1961-08-13
  source: {WALL}
"""
        for n, event in enumerate(
            [
                "The East German regime closes the sector border in Berlin",
                "Barbed wire goes up along the Berlin sector line",
            ]
        )
    )
    add_cards(project, cards)
    result = run("validate")
    flagged = problems(result, "same-answer")
    assert flagged == ["cards/berlin.yaml:6:9", "cards/extra.yaml:5:9", "cards/extra.yaml:11:9"], result.stderr
    assert (
        "3 cards of theme 'berlin' have the answer '1961-08-13': 'sealed-0' (cards/extra.yaml:1), 'sealed-1'"
        in result.stderr
    )

    add_cards(
        project,
        cards.replace(
            "  date: 1961-08-13\n", '  date: 1961-08-13\n  lint: {same-answer: "two views of one night"}\n', 1
        ),
    )
    assert problems(run("validate"), "same-answer") == []


def test_quotations_without_a_speaker_share_no_answer_they_lack_one(project):
    """Three quotations of one theme with no speaker (nor occasion) are three missing fields, not one shared answer
    (an empty one): validate used to stop on a traceback here."""
    add_cards(
        project,
        "".join(
            f"""- id: unsaid-{n}
  type: quote
  themes: [cuba]
  text: "Soviet missile sites in October 1962"
  source: {{seed: cuba-essay.txt, quote: "Soviet missile sites in October 1962"}}
"""
            for n in range(3)
        ),
    )
    result = run("validate")
    assert result.exit_code == 1
    missing = [line for line in result.stderr.splitlines() if line.endswith("[field-required]")]
    assert [line.split(": ")[0] for line in missing if "no 'speaker'" in line] == [
        "cards/extra.yaml:1:3",
        "cards/extra.yaml:6:3",
        "cards/extra.yaml:11:3",
    ]
    assert problems(result, "same-answer") == []


def test_a_treaty_without_parties_is_a_declaration_asked_only_when(project, collection):
    add_cards(
        project,
        f"""- id: wall-decree
  type: treaty
  themes: [berlin]
  name: "The East German decree sealing the Berlin sector border"
  date: 1961-08-13
  terms: "Closed the border between East and West Berlin"
  source: {WALL}
""",
    )
    assert run("validate", "--strict").exit_code == 0, run("validate").stderr
    col = build_and_import(project, collection)
    question, answer = faces(col, "wall-decree")[1]
    assert "When? <span" in question and "between whom" not in question
    assert 'class="detail"' not in answer
    assert "When, and between whom?" in faces(col, "limited-test-ban-treaty")[1][0]


def test_suggest_drafts_a_term_card_where_a_passage_names_an_idea(project):
    import yaml

    seed = project / "seeds/cuba-essay.txt"
    seed.write_text(
        seed.read_text() + "\nIn 1956 Khrushchev proclaimed the policy of peaceful coexistence with the West.\n"
    )
    drafts = yaml.load(run("suggest").stdout, Loader=yaml.BaseLoader)
    assert [(d["type"], d["term"], d["definition"]) for d in drafts] == [("term", "Peaceful coexistence", "")]
    assert (
        drafts[0]["source"]["quote"]
        == "In 1956 Khrushchev proclaimed the policy of peaceful coexistence with the West."
    )


def test_a_question_card_asks_one_way_in_real_anki(project, collection):
    """A cause, motive or consequence has no name to ask back: a question card asks it one way only."""
    add_cards(
        project,
        f"""- id: why-the-wall
  type: question
  themes: [berlin]
  question: "Why did the East German regime seal the border through Berlin in August 1961?"
  answer: "To stop its citizens fleeing to the West through West Berlin"
  source: {WALL}
""",
    )
    assert run("validate", "--strict").exit_code == 0, run("validate").stderr
    col = build_and_import(project, collection)
    note = col.get_note(col.find_notes("Id:why-the-wall")[0])
    assert note.note_type()["name"] == "build-deck Question"
    [(question, answer)] = faces(col, "why-the-wall")
    assert "Why did the East German regime seal the border" in question and "fleeing" not in question
    assert '<div class="answer">To stop its citizens fleeing to the West through West Berlin</div>' in answer


def test_a_quotation_to_complete_hides_the_occasion_its_other_card_asks(project, collection):
    contexts = ["Letter to President Kennedy", "Message to Kennedy"]
    add_cards(
        project,
        "".join(
            QUOTE.format(id=f"rope-{n}", text=text, speaker="Nikita Khrushchev", context=context, KNOT=KNOT)
            for n, (text, context) in enumerate(zip((ROPE, KNOT_OF_WAR), contexts, strict=True))
        )
        + '  blank: "the knot of war"\n',
    )
    col = build_and_import(project, collection)
    (occasion_q, occasion_a), (blank_q, _) = faces(col, "rope-1")
    assert "On what occasion was this said?" in occasion_q and "Message to Kennedy" in occasion_a
    assert '<div class="speaker">Nikita Khrushchev</div>' in blank_q and "Message to Kennedy" not in blank_q


def test_a_large_group_with_one_answer_names_three_others_and_counts_the_rest(project):
    cards = "".join(
        f"""- id: sealed-{n}
  type: date
  themes: [berlin]
  event: "The East German regime seals sector crossing number {n} in Berlin"
  date: 1961-08-13
  source: {WALL}
"""
        for n in range(6)
    )
    add_cards(project, cards)
    messages = [line for line in run("validate").stderr.splitlines() if line.endswith("[same-answer]")]
    assert len(messages) == 7  # six new cards and the fixture's own
    assert all(" and 3 more; make the answer more precise" in line for line in messages), messages[0]
