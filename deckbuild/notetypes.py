"""The Anki note types: fields, templates and CSS, and the note fields, tags and hashes of a card. No genanki."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as json_string
from types import MappingProxyType

from deckbuild.files import asset
from deckbuild.model import CARD_TYPES, Card, Deck
from deckbuild.text import MONTHS, partial_date

NOTE_TYPE_IDS = {
    "date": 1607392319,
    "person": 1536925017,
    "treaty": 1429187133,
    "quote": 1771062248,
    "term": 1318861764,
    "question": 1966437300,
}


NOTE_TYPE_NAMES = {t: f"build-deck {t.capitalize()}" for t in CARD_TYPES}


# Every field a note type will ever need, in Anki's order. Adding or removing one later makes Anki import a copy of the
# note type and refuse to update any learner's notes, so this list is frozen. The first field is the sort field.
COMMON_NOTE_FIELDS = ("Source", "Corrects", "Notes", "Themes", "Id", "Retired")
NOTE_FIELDS = {
    "date": ("Event", "Date", "End", "Precision", *COMMON_NOTE_FIELDS),
    "person": ("Name", "Role", "Born", "Died", *COMMON_NOTE_FIELDS),
    "treaty": ("Name", "Date", "Parties", "Terms", "Precision", *COMMON_NOTE_FIELDS),
    "quote": ("Text", "Speaker", "Context", "Date", "Blank", "Cloze", "AskOccasion", *COMMON_NOTE_FIELDS),
    "term": ("Term", "Definition", *COMMON_NOTE_FIELDS),
    "question": ("Question", "Answer", *COMMON_NOTE_FIELDS),
}


# Every field and template carries a fixed integer id (Anki >= 2.1.67 matches them by id, not by name or position):
# generated once, never changed, never reused. A released note type keeps these ids and this field list for good; the
# release record (cards/released.json) holds them, and `release` refuses a note type that lost or changed one. Any
# other change of a field list needs a new note-type id (see CONTRIBUTING: what a note-type change costs learners).
FIELD_IDS = {
    "date": {
        "Event": 1950668976, "Date": 1066104469, "End": 1015581200, "Precision": 1378314085, "Source": 2133536367,
        "Corrects": 1608885688, "Notes": 2047917419,
        "Themes": 1935473229, "Id": 1699109224, "Retired": 1845446164,
    },
    "person": {
        "Name": 1434182081, "Role": 1196735901, "Born": 1008312014, "Died": 1940821084, "Source": 1190559964, "Corrects": 1393481962,
        "Notes": 1352305176, "Themes": 1548351455, "Id": 2071919477, "Retired": 1207809983,
    },
    "treaty": {
        "Name": 1587829755, "Date": 1131860413, "Parties": 2132938653, "Terms": 1064188034, "Precision": 1575422549, "Source": 1169700004,
        "Corrects": 1488550433,
        "Notes": 1331723225, "Themes": 1430448267, "Id": 2103861531, "Retired": 1514587799,
    },
    "quote": {
        "Text": 2068711803, "Speaker": 1477466711, "Context": 1163143707, "Date": 1025665537, "Blank": 1428277141, "Cloze": 1218891751,
        "AskOccasion": 1256794528, "Source": 2088980419, "Corrects": 1566761875,
        "Notes": 1354682777, "Themes": 1386545390, "Id": 1334376232, "Retired": 1189975312,
    },
    "term": {
        "Term": 1375058098, "Definition": 1765803778, "Source": 1155850637, "Corrects": 2048930609, "Notes": 1449453994,
        "Themes": 1281417237, "Id": 1727929885, "Retired": 1426789830,
    },
    "question": {
        "Question": 1134840632, "Answer": 1911826951, "Source": 1887530680, "Corrects": 1763059654, "Notes": 1664545347,
        "Themes": 1470833449, "Id": 2133848512, "Retired": 1125152835,
    },
}  # fmt: skip
TEMPLATE_IDS = {
    "date": {"When?": 1225368905},
    "person": {"Who was…?": 1105521163, "Who is described?": 1846751646},
    "treaty": {"What did it establish?": 1401086459, "When and between whom?": 1162377381},
    "quote": {"Who said it?": 1185130470, "Complete the quotation": 1781200285},
    "term": {"What does it mean?": 1614889944, "What is it called?": 1922573644},
    "question": {"Answer the question": 1356689153},
}


# The cards' style sheet; it is part of every note type's hash, so a change to it re-imports the note types.
CSS = asset("card.css")


BACK_FOOTER = """\
{{#Notes}}<div class="notes">{{Notes}}</div>{{/Notes}}
{{#Retired}}<div class="retired">Retired: {{Retired}}</div>{{/Retired}}
{{#Source}}<div class="sources"><div class="label">Source</div>{{Source}}</div>{{/Source}}
{{#Corrects}}<div class="corrects">{{Corrects}}</div>{{/Corrects}}
{{#Themes}}<div class="themes"><span class="label">Themes:</span> {{Themes}}</div>{{/Themes}}"""


# Born and died, on both directions of a person card: one line, each part only when known.
LIFE = '<div class="detail life">{{#Born}}<span>Born {{Born}}</span>{{/Born}}{{#Died}}<span>Died {{Died}}</span>{{/Died}}</div>'


def template(name: str, kind: str, prompt: str, answer: str) -> Mapping[str, str]:
    front = f'<div class="kind">{kind}</div>\n{prompt}'
    # Read-only: a table shared by every package of the process must not take in what genanki writes into its dicts.
    return MappingProxyType(
        {"name": name, "qfmt": front, "afmt": f'{{{{FrontSide}}}}\n<hr class="answer-rule">\n{answer}\n{BACK_FOOTER}'}
    )


TEMPLATES = {
    "date": (
        template(
            "When?",
            'When did this happen? <span class="cue">({{Precision}})</span>',
            '<div class="prompt">{{Event}}</div>',
            '<div class="answer">{{Date}}{{#End}} – {{End}}{{/End}}</div>',
        ),
    ),
    "person": (
        template(
            "Who was…?",
            "Who was this?",
            '<div class="prompt">{{Name}}</div>',
            '<div class="answer">{{Role}}</div>\n' + LIFE,
        ),
        template(
            "Who is described?",
            "Who was this?",
            '<div class="prompt">{{Role}}</div>',
            '<div class="answer">{{Name}}</div>\n' + LIFE,
        ),
    ),
    "treaty": (
        template(
            "What did it establish?",
            "What did it establish?",
            '<div class="prompt">{{Name}}</div>',
            '<div class="answer">{{Terms}}</div>',
        ),
        template(
            "When and between whom?",
            # A treaty without parties is a decree, law or declaration: its card asks only when.
            "{{#Parties}}When, and between whom?{{/Parties}}{{^Parties}}When?{{/Parties}}"
            ' <span class="cue">({{Precision}})</span>',
            '<div class="prompt">{{Name}}</div>',
            '<div class="answer">{{Date}}</div>\n{{#Parties}}<div class="detail">Between {{Parties}}</div>{{/Parties}}',
        ),
    ),
    "quote": (
        template(
            "Who said it?",
            # When the deck has many quotations of one speaker, the speaker is no question: ask the occasion.
            "{{#AskOccasion}}On what occasion was this said?{{/AskOccasion}}"
            "{{^AskOccasion}}Who said this, and on what occasion?{{/AskOccasion}}",
            '<blockquote class="prompt">{{Text}}</blockquote>\n'
            '{{#AskOccasion}}<div class="speaker">{{Speaker}}</div>{{/AskOccasion}}',
            '<div class="answer">{{^AskOccasion}}{{Speaker}}{{/AskOccasion}}'
            "{{#AskOccasion}}{{Context}}{{#Date}}, {{Date}}{{/Date}}{{/AskOccasion}}</div>\n"
            '{{^AskOccasion}}<div class="detail">{{Context}}{{#Date}}, {{Date}}{{/Date}}</div>{{/AskOccasion}}',
        ),
        # Anki makes this card only for notes whose front is not empty: those with a `blank:`.
        template(
            "Complete the quotation",
            "{{#Blank}}Complete the quotation{{/Blank}}",
            # The occasion without its date: the date would answer the date cards of the same events.
            # and without the occasion where the other card asks it (AskOccasion): one card must not answer the other.
            '{{#Blank}}<blockquote class="prompt">{{Cloze}}</blockquote>\n'
            '<div class="speaker">{{Speaker}}{{^AskOccasion}}, {{Context}}{{/AskOccasion}}</div>{{/Blank}}',
            '<div class="answer">{{Blank}}</div>\n{{#Date}}<div class="detail">{{Date}}</div>{{/Date}}',
        ),
    ),
    "term": (
        template(
            "What does it mean?",
            "What does this term mean?",
            '<div class="prompt">{{Term}}</div>',
            '<div class="answer">{{Definition}}</div>',
        ),
        template(
            "What is it called?",
            "What is this called?",
            '<div class="prompt">{{Definition}}</div>',
            '<div class="answer">{{Term}}</div>',
        ),
    ),
    # One way only: a cause, a motive or a consequence, asked as the question it answers.
    "question": (
        template(
            "Answer the question",
            "Question",
            '<div class="prompt">{{Question}}</div>',
            '<div class="answer">{{Answer}}</div>',
        ),
    ),
}


def note_type_fields(card_type: str) -> list[dict]:
    """The note type's fields as Anki's note-type JSON holds them: a name and a fixed id each."""
    return [{"name": name, "id": FIELD_IDS[card_type][name]} for name in NOTE_FIELDS[card_type]]


def note_type_templates(card_type: str) -> list[dict]:
    """The templates as fresh dicts (genanki writes into the dicts it is handed), each with its fixed id."""
    return [dict(template, id=TEMPLATE_IDS[card_type][template["name"]]) for template in TEMPLATES[card_type]]


def note_type_shape(card_type: str) -> dict:
    """What a release freezes of a note type: its id and its field and template ids, in order."""
    return {
        "id": NOTE_TYPE_IDS[card_type],
        "fields": [FIELD_IDS[card_type][name] for name in NOTE_FIELDS[card_type]],
        "templates": [TEMPLATE_IDS[card_type][template["name"]] for template in TEMPLATES[card_type]],
    }


def note_type_hash(card_type: str) -> str:
    # Only the keys we write: genanki adds its own keys to the template dicts it is handed (D1 of the code review).
    templates = [
        {key: template[key] for key in ("name", "qfmt", "afmt", "id")} for template in note_type_templates(card_type)
    ]
    spec = [NOTE_TYPE_NAMES[card_type], note_type_fields(card_type), templates, CSS]
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def escape(text: str) -> str:
    """Contributors write plain text: shown literally, never run. Line breaks stay line breaks."""
    # Most text has none of these: four searches cost less than html.escape's call and four replaces.
    if "&" in text or "<" in text or ">" in text or "\n" in text:
        return html.escape(text, quote=False).replace("\n", "<br>")
    return text


def display_date(text: str) -> str:
    if not text:  # most cards have no end, birth or death date
        return ""
    date = partial_date(text)
    if not date:
        return escape(text)
    year = date.text[:4]
    if date.month and date.day:
        return f"{date.day} {MONTHS[date.month - 1]} {year}"
    if date.month:
        return f"{MONTHS[date.month - 1]} {year}"
    return year


def join_words(items: list[str]) -> str:
    return "".join(items) if len(items) <= 1 else ", ".join(items[:-1]) + " and " + items[-1]


def precision(text: str, end: str = "") -> str:
    """What a date's front asks for, from the date's form: the cue that says how precise an answer is wanted."""
    date = partial_date(text)
    if not date:
        return ""
    cue = "day, month and year" if date.day else "month and year" if date.month else "year"
    return f"from and to: {cue}" if end else cue


def excerpt_html(deck: Deck, seed: str, excerpt: str) -> str:
    return f'<div class="source">“{escape(excerpt)}” <span class="seed">— {escape(deck.seed_title(seed))}</span></div>'


def source_html(card: Card, deck: Deck) -> str:
    """The first supporting excerpt with its source's title; the others folded away, one tap from the answer."""
    sources = [excerpt_html(deck, seed, excerpt) for _, seed, excerpt in card.sources()]
    if len(sources) <= 1:
        return "".join(sources)
    more = f"{len(sources) - 1} more source{'s' if len(sources) > 2 else ''}"
    return f'{sources[0]}<details class="more"><summary>{more}</summary>{"".join(sources[1:])}</details>'


def corrects_html(card: Card, deck: Deck) -> str:
    """Excerpts that state what the card corrects: shown as that source's claim, never as support."""
    return "".join(
        [
            f'<div class="claim"><span class="says">{escape(deck.seed_title(seed))} says:</span> “{escape(excerpt)}”</div>'
            for _, seed, excerpt in card.corrections()
        ]
    )


def cloze_html(card: Card) -> str:
    """The quotation with the `blank:` words hidden (their first occurrence)."""
    text, blank = card.text("text"), card.text("blank")
    at = text.find(blank) if blank else -1
    if at < 0:
        return ""
    return f'{escape(text[:at])}<span class="blank">[…]</span>{escape(text[at + len(blank) :])}'


FIELD_VALUES = {
    "Event": lambda card, deck: escape(card.text("event")),
    "Name": lambda card, deck: escape(card.text("name")),
    "Role": lambda card, deck: escape(card.text("role")),
    "Text": lambda card, deck: escape(card.text("text")),
    "Speaker": lambda card, deck: escape(card.text("speaker")),
    "Context": lambda card, deck: escape(card.text("context")),
    "Terms": lambda card, deck: escape(card.text("terms")),
    "Parties": lambda card, deck: escape(join_words(card.texts("parties"))),
    "Date": lambda card, deck: display_date(card.text("date")),
    "End": lambda card, deck: display_date(card.text("end")),
    "Precision": lambda card, deck: precision(card.text("date"), card.text("end")),
    "Born": lambda card, deck: display_date(card.text("born")),
    "Died": lambda card, deck: display_date(card.text("died")),
    "Blank": lambda card, deck: escape(card.text("blank")),
    "Cloze": lambda card, deck: cloze_html(card),
    "AskOccasion": lambda card, deck: "y" if deck.asks_occasion(card) else "",
    "Term": lambda card, deck: escape(card.text("term")),
    "Question": lambda card, deck: escape(card.text("question")),
    "Answer": lambda card, deck: escape(card.text("answer")),
    "Definition": lambda card, deck: escape(card.text("definition")),
    "Source": source_html,
    "Corrects": corrects_html,
    "Notes": lambda card, deck: escape(card.text("notes")),
    "Themes": lambda card, deck: escape(", ".join([theme.title for theme in map(deck.theme, card.themes) if theme])),
    "Id": lambda card, deck: escape(card.id),
    "Retired": lambda card, deck: escape(card.retired),
}


def note_fields(card: Card, deck: Deck) -> list[str]:
    """The note's fields, in NOTE_FIELDS order, every one escaped."""
    return [FIELD_VALUES[name](card, deck) for name in NOTE_FIELDS[card.type]]


def note_tags(card: Card, deck: Deck) -> list[str]:
    tags = [f"{deck.tag_prefix}::theme::{theme}" for theme in card.themes]
    tags.append(f"{deck.tag_prefix}::type::{card.type}")
    if card.retired:
        tags.append(f"{deck.tag_prefix}::retired")
    return tags


def note_hash(card_type: str, fields: list[str], tags: list[str]) -> str:
    """What Anki sees of a note: when this changes, the note's modification time must move."""
    # json.dumps([note type id, fields, tags]) written out, the same text (tests/test_apkg.py compares them): json.dumps
    # makes a new encoder on every call, a third of its time here.
    quoted_fields, quoted_tags = ", ".join(map(json_string, fields)), ", ".join(map(json_string, tags))
    spec = f"[{NOTE_TYPE_IDS[card_type]}, [{quoted_fields}], [{quoted_tags}]]"
    return hashlib.sha256(spec.encode()).hexdigest()[:16]
