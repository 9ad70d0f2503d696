"""Card lint: the rules of good flashcards, as warnings a card may silence with a reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from deckbuild.model import DATE_FIELDS, RULES, Card, Deck, Items, Problem
from deckbuild.text import (
    SENTENCE_END,
    STOPWORDS,
    WORD,
    YEAR,
    PartialDate,
    dated_months,
    name_words,
    partial_date,
    split_sentences,
)

# Card lint: the rules of good flashcards. Warnings; a card silences one with `lint: {<rule>: <reason>}`.
PRONOUNS = frozenset(["he", "she", "it", "they", "this", "these", "those", "his", "her", "its", "their", "him", "them"])


# The fields a card's front shows as its question (TEMPLATES' fronts; a test keeps the two in step), less names and
# quotations: a name is short by nature and a quotation keeps its words. A treaty's terms and a quote's context are
# answers, not prompts (D5).
PROMPT_FIELDS = ("event", "role", "definition", "question")


ANSWER_FIELDS = ("role", "terms", "context", "name", "speaker", "definition", "answer")


MIN_PROMPT_WORDS = 4


MAX_ANSWER_WORDS = 30


MAX_LIST_ITEMS = 3


def lint_card(card: Card, deck: Deck | None = None) -> Iterator[Problem]:
    """The rules of good flashcards, as warnings. A card silences one with `lint: {<rule>: <reason>}`."""
    silenced = card.lint_exceptions()
    for rule, check in LINT_CHECKS.items():
        if rule in silenced:
            continue
        for node, rule_id, message in check(card, deck):
            yield Problem(
                card.path,
                node.line,
                node.col,
                "warning",
                rule_id,
                f"{message}; fix the card, or explain with 'lint: {{{rule_id}: <reason>}}'",
            )


def lint_answer_leak(card: Card, deck: Deck | None):
    """The answer stands in the question: the year in a date card's event, the name in a person's role..."""
    leak = LEAKS.get(card.type)
    if leak is None:
        return
    key, answers_of, words_of, message = leak
    question = card.text(key)
    # This type's answers only, and only those the question holds as text, case folded: a word of the question is a
    # part of it, casefold() folds each character alone, and lower() never tells apart what casefold() joins. Most
    # questions hold none of their answers, and then their words are never read.
    folded = question.casefold()
    answers = [answer for answer in answers_of(card, deck) if answer.casefold() in folded]
    said = set(map(str.lower, words_of(question))) if answers else set()
    leaked = next((answer for answer in answers if answer.lower() in said), None)
    if leaked:
        yield card.node.get(key), "answer-leak", f"{message} ('{leaked}'), which is what the card asks"


def leak_years(card: Card, deck: Deck | None) -> list[str]:
    return [year for key in ("date", "end") for year in YEAR.findall(card.text(key))]


# card type → (the field that asks, the answers it must not state, how to read its words, what the warning says)
LEAKS: dict[str, tuple[str, Callable[[Card, Deck | None], list[str]], Callable[[str], list[str]], str]] = {
    "date": ("event", leak_years, YEAR.findall, "the event states its own year"),
    "treaty": ("name", leak_years, YEAR.findall, "the treaty's name states its year"),
    "person": ("role", lambda card, deck: leak_names(card.text("name")), WORD.findall, "the role names the person"),
    "quote": (
        "context",
        lambda card, deck: leak_names(card.text("speaker")),
        WORD.findall,
        "the context names the speaker",
    ),
    "term": (
        "definition",
        lambda card, deck: content_words(card.text("term"), deck.subject_words if deck else frozenset()),
        WORD.findall,
        "the definition uses the term's words",
    ),
}


# Capitalised at the start of a name ("The Declaration of the Rights of Man"), but no part of the name a learner
# recalls: "the" in a context is no leak.
# fmt: off
FUNCTION_WORDS = frozenset({
    "the", "and", "for", "from", "into", "with", "upon", "over", "under", "about", "after", "before", "between",
    "against", "among", "of", "on", "in", "at", "by", "to", "an", "a", "le", "la", "les", "des", "du", "de",
    "der", "die", "das", "den", "von", "van", "el", "los", "las", "del",
})
# fmt: on


def leak_names(name: str) -> list[str]:
    """The words of a name that give it away: its name words less function words."""
    return [word for word in name_words(name) if word.lower() not in FUNCTION_WORDS]


def content_words(text: str, subject_words: frozenset[str] = frozenset()) -> list[str]:
    """The words of a term that would give it away: not the short function words ("of", "the", "to"), nor the
    words that name the deck's subject (deck.yaml's `words: subject:`), which nearly every card holds."""
    return [
        w for w in WORD.findall(text) if len(w) > 3 and w.lower() not in STOPWORDS and w.lower() not in subject_words
    ]


def texts_of(card: Card, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """(field, text) for each of the fields that the card has as text that says something, in the keys' order. A
    card has few of the fields a check reads: `in` turns the others away, each sooner than a call to Card.text."""
    entries = card.node.entries
    return [(key, text) for key in keys if key in entries and (text := card.text(key))]


def lint_prompt_pronoun(card: Card, deck: Deck | None):
    for key, value in texts_of(card, PROMPT_FIELDS):
        words = value.split(maxsplit=1)  # the first word is all it reads
        if words[0].lower().strip(",.'\"") in PRONOUNS:
            yield (
                card.node.get(key),
                "prompt-pronoun",
                f"'{key}' starts with '{words[0]}', which means nothing out of context; name who or what",
            )


def lint_prompt_short(card: Card, deck: Deck | None):
    for key, value in texts_of(card, PROMPT_FIELDS):
        if len(value.split()) < MIN_PROMPT_WORDS:
            yield (
                card.node.get(key),
                "prompt-short",
                f"'{key}' has fewer than {MIN_PROMPT_WORDS} words: too little to have exactly one right answer",
            )


def card_dates(card: Card) -> Iterator[tuple[str, PartialDate]]:
    """(field, date) for each well-formed date on the card; date-format reports the others."""
    for key, text in texts_of(card, DATE_FIELDS):
        date = partial_date(text)
        if date:
            yield key, date


def lint_date_precision(card: Card, deck: Deck | None):
    """A date more precise than any cited excerpt: the month or day came from somewhere the card does not cite."""
    excerpts = [excerpt for excerpt in card.folded_excerpts if excerpt]
    if not excerpts:
        return
    stated: set[tuple[int, int | None]] | None = None  # (month, day or None) of each date the excerpts state
    for key, date in card_dates(card):
        if not date.month:
            continue
        month, day = date.month, date.day
        if stated is None:  # read once, for the card's first date with a month
            stated = {(named, named_day) for e in excerpts for named, named_day, _ in dated_months(e)}
        month_named = any(named == month for named, _ in stated)
        if not month_named or (day and (month, day) not in stated):
            what = "day" if month_named else "month"
            yield (
                card.node.get(key),
                "date-precision",
                f"{key} '{date.text}' gives a {what} that no cited excerpt states",
            )


def lint_year_not_in_source(card: Card, deck: Deck | None):
    excerpts = " ".join(card.folded_excerpts)
    if not excerpts:
        return
    for key, date in card_dates(card):
        if date.text[:4] not in excerpts:
            yield (
                card.node.get(key),
                "year-not-in-source",
                f"{key} '{date.text}': the year {date.text[:4]} is in none of the cited excerpts",
            )


def lint_list_too_long(card: Card, deck: Deck | None):
    node = card.node.get("parties")
    if isinstance(node, Items) and len(node.items) > MAX_LIST_ITEMS:
        yield (
            node,
            "list-too-long",
            f"{len(node.items)} parties: a list longer than {MAX_LIST_ITEMS} is hard to recall; group them (e.g. '{deck.group_example if deck else Deck.group_example}')",
        )
    for key, value in texts_of(card, ("role", "terms", "answer")):
        if value.count(",") >= MAX_LIST_ITEMS:
            yield (
                card.node.get(key),
                "list-too-long",
                f"'{key}' lists more than {MAX_LIST_ITEMS} things; keep one fact per card",
            )


def lint_answer_too_long(card: Card, deck: Deck | None):
    for key, value in texts_of(card, ANSWER_FIELDS):
        if len(value.split()) > MAX_ANSWER_WORDS or more_than_one_sentence(value):
            yield (
                card.node.get(key),
                "answer-too-long",
                f"'{key}' is longer than one short sentence; move the rest to notes",
            )


def more_than_one_sentence(text: str) -> bool:
    """One sentence splitter for the whole tool (text.split_sentences): "John F. Kennedy" is one sentence. A text
    without a sentence end in it is one sentence, and the splitter's search costs more than the one search that
    says so (most answers)."""
    if "." not in text and "!" not in text and "?" not in text:  # no sentence end, and no search for one
        return False
    return SENTENCE_END.search(text) is not None and len(list(split_sentences(text, 0, len(text)))) > 1


LINT_CHECKS = {  # rule id → the check; each yields (node, rule id, message)
    "answer-leak": lint_answer_leak,
    "prompt-pronoun": lint_prompt_pronoun,
    "prompt-short": lint_prompt_short,
    "date-precision": lint_date_precision,
    "year-not-in-source": lint_year_not_in_source,
    "list-too-long": lint_list_too_long,
    "answer-too-long": lint_answer_too_long,
}


# The rules a card may silence; near-duplicate and same-answer are checked across cards (deckrules.py), seed-reference
# with the seeds (rules.py).
LINT_RULES = tuple(rule.id for rule in RULES.values() if rule.lint)
