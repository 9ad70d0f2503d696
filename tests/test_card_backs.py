"""The backs as a learner reviews them in Anki: the question stays in view, the answer comes first, every line says
what it is (issue 11, item 1). The desktop tests measure the same in the Anki app itself."""

from __future__ import annotations

import re

import pytest

from conftest import import_package, run
from deckbuild.model import CARD_TYPES
from deckbuild.notetypes import TEMPLATES

PACKAGE = "dist/cold-war-crises-test-deck.apkg"


@pytest.mark.parametrize("card_type", CARD_TYPES)
def test_no_template_makes_anki_scroll_the_question_away(card_type):
    """Anki's reviewer scrolls the element with id="answer" to the top on Show Answer: no template has one."""
    for template in TEMPLATES[card_type]:
        assert 'id="answer"' not in template["afmt"] and "id=answer" not in template["afmt"], template["name"]
        # The answer follows the question at once: the rule, then the answer, before notes and sources.
        back = template["afmt"]
        assert back.index("{{FrontSide}}") < back.index('<hr class="answer-rule">') < back.index('class="answer"')
        assert back.index('class="answer"') < back.index('class="notes"') < back.index('class="sources"')


def answers(col, card_id: str) -> list[str]:
    cards = sorted((col.get_card(cid) for cid in col.find_cards(f"Id:{card_id}")), key=lambda card: card.ord)
    return [card.render_output(reload=True).answer_text for card in cards]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_backs_label_their_lines_and_give_a_persons_life_both_ways(project, collection):
    assert run("build", env={"SOURCE_DATE_EPOCH": "1700000000"}).exit_code == 0
    col = collection()
    import_package(col, project / PACKAGE)

    name_to_role, role_to_name = answers(col, "walter-ulbricht")
    for back in (name_to_role, role_to_name):
        assert "<span>Born 30 June 1893</span><span>Died 1 August 1973</span>" in back
    assert "Themes: Berlin" in text(name_to_role)
    assert '<div class="label">Source</div>' in name_to_role

    _, when = answers(col, "limited-test-ban-treaty")
    assert "Between the Soviet Union, the United States and Britain" in text(when)
    for back in (*answers(col, "berlin-wall"), when, name_to_role):
        assert 'id="answer"' not in back
