"""The preview shows every card as Anki does: its template renderer against real Anki's, for every template of every
note type, on cards with every optional field filled and with none."""

from __future__ import annotations

from pathlib import Path

from conftest import import_package, run
from deckbuild.model import CARD_TYPES, COMMON_OPTIONAL, TYPE_OPTIONAL
from deckbuild.notetypes import TEMPLATES
from deckbuild.preview import card_faces
from deckbuild.project import load_project

WALL = '{seed: berlin-notes.txt, quote: "On 13 August 1961 the East German regime sealed the border"}'
ULTIMATUM = '{seed: berlin-notes.txt, quote: "Khrushchev demanded that the Western powers leave West Berlin"}'
ULBRICHT = '{seed: berlin-notes.txt, quote: "Ulbricht (30 June 1893 – 1 August 1973)"}'
TEST_BAN = '{seed: cuba-essay.txt, quote: "The Limited Test Ban Treaty of 1963 between the USSR, the USA and Britain"}'
ROPE = '{seed: cuba-essay.txt, quote: "We and you ought not now to pull on the ends of the rope"}'
CORRECTS = '{seed: cuba-essay.txt, quote: "The crisis began when American U-2 flights found Soviet missile sites"}'

# Per type: every optional field filled (the common ones too, retired among them), then none of them.
FULL = """
- id: full-date
  type: date
  themes: [berlin]
  event: "Khrushchev's demand that the Western powers quit the western sectors of the divided city"
  date: 1958-11
  end: 1959-05
  source: {ULTIMATUM}
  corrects: {CORRECTS}
  notes: "The deadline passed & nothing <happened>."
  retired: "Kept for the rendering test"
  lint: {{answer-leak: "a test"}}
- id: bare-date
  type: date
  themes: [berlin]
  event: "The East German regime closes the crossings between the two halves of the city"
  date: 1961
  source: {WALL}
- id: full-person
  type: person
  themes: [berlin]
  name: "Walter Ulbricht the elder"
  role: "The party chief who ruled the eastern state into the seventies"
  born: 1893-06-30
  died: 1973-08
  source: {ULBRICHT}
  corrects: {CORRECTS}
  notes: "A note"
  retired: "Kept for the rendering test"
- id: bare-person
  type: person
  themes: [berlin]
  name: "Ulbricht"
  role: "The leader who asked the Kremlin again and again for a closed border"
  source: {ULBRICHT}
- id: full-treaty
  type: treaty
  themes: [arms-race]
  name: "The Moscow Treaty on tests"
  date: 1963
  parties: ["the USSR", "the USA", "Britain"]
  terms: "Ended test explosions in the air, in space and under the sea"
  source: {TEST_BAN}
  corrects: {CORRECTS}
  notes: "A note"
  retired: "Kept for the rendering test"
- id: bare-treaty
  type: treaty
  themes: [arms-race]
  name: "A decree on tests"
  date: 1963
  terms: "Nuclear explosions stop everywhere except below ground"
  source: {TEST_BAN}
- id: full-quote
  type: quote
  themes: [cuba]
  text: "We and you ought not now to pull on the ends of the rope"
  speaker: "Khrushchev"
  context: "Writing to the American president in the autumn crisis"
  date: 1962
  blank: "the ends of the rope"
  source: {ROPE}
  corrects: {CORRECTS}
  notes: "A note"
  retired: "Kept for the rendering test"
- id: bare-quote
  type: quote
  themes: [cuba]
  text: "ought not now to pull on the ends"
  speaker: "Nikita Sergeyevich"
  context: "A letter to Washington about the rope and the knot"
  source: {ROPE}
- id: full-term
  type: term
  themes: [berlin]
  term: "The anti-fascist wall"
  definition: "What the regime called its border barrier, built to seal the city's western part off"
  source: {WALL}
  corrects: {CORRECTS}
  notes: "A note"
  retired: "Kept for the rendering test"
- id: bare-term
  type: term
  themes: [berlin]
  term: "Sealed border"
  definition: "The line the regime closed overnight between the eastern and western sectors"
  source: {WALL}
- id: full-question
  type: question
  themes: [berlin]
  question: "Why did the regime seal the sector border through the city overnight?"
  answer: "To stop its people leaving for the western sectors"
  source: {WALL}
  corrects: {CORRECTS}
  notes: "A note"
  retired: "Kept for the rendering test"
- id: bare-question
  type: question
  themes: [berlin]
  question: "What did the regime build along the sector border it had sealed?"
  answer: "A wall"
  source: {WALL}
""".format(**globals())


def test_every_template_renders_in_the_preview_as_in_anki(project, collection):
    (project / "cards/rendering.yaml").write_text(FULL)
    result = run("build", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.output
    col = collection()
    import_package(col, project / "dist/cold-war-crises-test-deck.apkg")
    loaded = load_project(Path("cards"), Path("seeds"))
    cards = {card.id: card for card in loaded.cards if card.id.startswith(("full-", "bare-"))}
    # The cards above fill every optional field, and leave each out, of every type.
    for card_type in CARD_TYPES:
        for field in (*TYPE_OPTIONAL[card_type], *(f for f in COMMON_OPTIONAL if f != "lint")):
            assert cards[f"full-{card_type}"].text(field) or cards[f"full-{card_type}"].node.get(field), field
            assert cards[f"bare-{card_type}"].node.get(field) is None, field

    rendered = set()
    for card_id, card in cards.items():
        in_anki = {}
        for cid in col.find_cards(f"Id:{card_id}"):
            anki_card = col.get_card(cid)
            output = anki_card.render_output(reload=True)
            in_anki[anki_card.template()["name"]] = (output.question_text, output.answer_text)
        in_preview = {}
        for name, front, back in card_faces(card, loaded.deck):
            # The preview wraps the back's copy of the front so that a printed sheet can leave it out.
            wrapped = f'<div class="frontside">{front}</div>'
            assert wrapped in back
            in_preview[name] = (front, back.replace(wrapped, front, 1))
        assert in_preview == in_anki, card_id
        rendered |= {(card.type, name) for name in in_anki}
    assert rendered == {(card_type, t["name"]) for card_type in CARD_TYPES for t in TEMPLATES[card_type]}
