"""The preview page: every card as Anki will show it, on one HTML page with filters. No I/O, no network."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import unicodedata

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from deckbuild.files import asset
from deckbuild.model import CARD_TYPES, Card, Deck
from deckbuild.notetypes import CSS, NOTE_FIELDS, TEMPLATES, note_fields
from deckbuild.selection import deck_slug
from deckbuild.text import FOLD_TABLE, LATIN_LETTERS, WHITESPACE, plural

# Anki's template language, as far as TEMPLATES uses it: {{Field}}, {{#Field}}…{{/Field}}, {{^Field}}…{{/Field}}.
TEMPLATE_TAG = re.compile(r"\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}")


MARKUP = re.compile(r"<[^>]*>")


# The page's script folds with this same pattern (sent in the page's data), so a search matches as search_fold does.
COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


LONG_DECK = 400  # cards; past this the page lays out only the cards in view, or a 10,000-card page takes 20 s to open


TYPE_TITLES = {card_type: card_type.capitalize() for card_type in CARD_TYPES}  # as the note types are named


def render_template(template: str, fields: dict) -> str:
    """A card face from an Anki template, in one pass (a field's value is never read as a template). A section shows
    when its field is not blank; a field the note type lacks is a mistake in TEMPLATES, so it raises KeyError."""
    out, open_sections, shown, position = [], [], True, 0
    for tag in TEMPLATE_TAG.finditer(template):
        if shown:
            out.append(template[position : tag.start()])
        position = tag.end()
        kind, name = tag.groups()
        if kind in ("#", "^"):
            open_sections.append((name, shown))
            filled = bool(fields[name].strip())
            shown = shown and filled == (kind == "#")
        elif kind == "/":
            if not open_sections or open_sections[-1][0] != name:
                raise ValueError(f"template closes {{{{/{name}}}}} that is not open")
            shown = open_sections.pop()[1]
        elif shown:
            out.append(fields[name])
    if open_sections:
        raise ValueError(f"template leaves {{{{#{open_sections[-1][0]}}}}} open")
    if shown:
        out.append(template[position:])
    return "".join(out)


def card_faces(card: Card, deck: Deck) -> list[tuple[str, str, str]]:
    """(template name, front, back) for every Anki card of the note, as Anki renders them. The back's {{FrontSide}} is
    wrapped in <div class="frontside"> so that the printed sheet can leave the question out of the answer."""
    fields = dict(zip(NOTE_FIELDS[card.type], note_fields(card, deck), strict=True))
    blank = dict.fromkeys(fields, "")
    faces = []
    for template in TEMPLATES[card.type]:
        front = render_template(template["qfmt"], fields)
        if front == render_template(template["qfmt"], blank):
            continue  # no field on the front: Anki makes no card of this template for this note (a quote without blank)
        back = render_template(template["afmt"], {**fields, "FrontSide": f'<div class="frontside">{front}</div>'})
        faces.append((template["name"], front, back))
    return faces


def search_fold(text: str) -> str:
    """Text folded for the page's search: lower case, accents and typographic quotes and dashes dropped, white space
    folded. The page's script folds what the teacher types the same way, from PREVIEW_FOLD and COMBINING_MARKS."""
    text = text.translate(FOLD_TABLE).translate(LATIN_LETTERS)
    if not text.isascii():
        text = COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return WHITESPACE.sub(" ", text.lower()).strip()


PREVIEW_FOLD = {chr(code): value for table in (FOLD_TABLE, LATIN_LETTERS) for code, value in table.items()}


def search_text(card: Card, deck: Deck) -> str:
    """Everything the card shows, as plain text (dates as written and as shown, sources, themes, id, type)."""
    shown = [html.unescape(MARKUP.sub(" ", value)) for value in note_fields(card, deck)]
    written = [card.text(key) for key in ("date", "end", "born", "died")]
    return search_fold(" ".join([*shown, *written, card.type]))


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def page_template():
    """preview.html.j2 with escaping on: a value reaches the page as HTML only when it is marked so (Markup)."""
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    # JSON in a <script> element: tojson also writes '<', '>', '&' and "'" as \u escapes, so nothing can end it early.
    environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    return environment.from_string(asset("preview.html.j2"))


def preview_note(card: Card, deck: Deck) -> dict:
    """What the page shows of one card. The faces are HTML already (note_fields escaped the card's text)."""
    return {
        "id": card.id,
        "type": card.type,
        "type_title": TYPE_TITLES.get(card.type, card.type),
        "retired": card.retired,
        "chips": [theme.title for t in card.themes if (theme := deck.theme(t))],
        "where": f"{card.path}:{card.line}",
        "faces": [
            {"name": name, "front": Markup(front), "back": Markup(back)} for name, front, back in card_faces(card, deck)
        ],
    }


def render_preview(deck: Deck, cards: list[Card]) -> str:
    """The whole page: same deck and cards, same bytes. Everything is inline; the page fetches nothing."""
    live = [card for card in cards if not card.retired]  # an option's count is its deck's, as `themes` counts
    style = CSS + "\n" + asset("preview.css")
    script = asset("preview.js")
    policy = (
        f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; "
        "base-uri 'none'; form-action 'none'"
    )
    data = {
        "deck": deck.name,
        "slug": deck_slug(deck),  # the copied command writes dist/<slug>[--<themes>][--<types>].apkg, as build names it
        "themes": {theme.id: theme.title for theme in deck.themes},
        "fold": PREVIEW_FOLD,
        "marks": COMBINING_MARKS.pattern,
        "cards": [
            {
                "id": card.id,
                "type": card.type,
                "themes": card.themes,
                "retired": bool(card.retired),
                "faces": len(TEMPLATES[card.type]),
                "text": search_text(card, deck),
            }
            for card in cards
        ],
    }
    return page_template().render(
        deck=deck,
        cards=[preview_note(card, deck) for card in cards],
        cards_total=plural(len(cards), "card"),
        faces_total=plural(sum(len(TEMPLATES[card.type]) for card in cards), "Anki card"),
        long=len(cards) > LONG_DECK,
        search_example=deck.search_example,
        theme_options=[
            {"value": theme.id, "title": theme.title, "count": sum(theme.id in card.themes for card in live)}
            for theme in deck.themes
        ],
        type_options=[
            {"value": t, "title": TYPE_TITLES[t], "count": sum(card.type == t for card in live)} for t in CARD_TYPES
        ],
        policy=policy,
        style=Markup(style),
        script=Markup(script),
        data=data,
    )
