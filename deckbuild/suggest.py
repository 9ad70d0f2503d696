"""Draft cards, as YAML, for the passages no card cites yet."""

from __future__ import annotations

import re

from deckbuild.coverage import FACT_PATTERNS, MIN_PASSAGE_WORDS, Passage
from deckbuild.model import ID_MAX_LENGTH, Deck
from deckbuild.text import MONTHS, STOPWORDS, WORD, dated_months, parse_date, slugify

TREATY_NAME = re.compile(
    r"(?:[A-Z][\w'’-]*\s+){0,4}(?:Treaty|Pact|Agreement|Alliance|Accords?|Declaration|Convention|Charter)"
    r"(?:\s+of\s+[A-Z][\w'’-]*)?"
)


QUOTED = re.compile(r"[“\"]([^“”\"]+)[”\"]")


def guess_date(text: str) -> str:
    """The most precise date a sentence states: YYYY-MM-DD, YYYY-MM or YYYY; "" when it has no year."""
    first_year = FACT_PATTERNS["year"].search(text)
    if not first_year:
        return ""
    for month, day, year in dated_months(text):  # the first month that is part of a date, with its own year
        year = year or first_year.group()
        if day and parse_date(f"{year}-{month:02}-{day:02}"):
            return f"{year}-{month:02}-{day:02}"
        return f"{year}-{month:02}"
    return first_year.group()


def theme_vocabularies(deck: Deck) -> list[Vocabulary]:
    """Per theme: its id, the words of its id, title, description and keywords, and its keywords."""
    vocabularies = []
    for theme in deck.themes:
        text = " ".join((theme.id.replace("-", " "), theme.title, theme.description, *theme.keywords))
        words = frozenset(w.lower() for w in WORD.findall(text) if len(w) >= 4) - STOPWORDS - deck.subject_words
        vocabularies.append((theme.id, words, tuple(k.lower() for k in theme.keywords)))
    return vocabularies


Vocabulary = tuple[str, frozenset, tuple[str, ...]]


def guess_themes(text: str, deck: Deck, vocabularies: list[Vocabulary]) -> list[str]:
    """The themes whose title, description and keywords share the most words with the text (a keyword counts 3)."""
    words = {w.lower() for w in WORD.findall(text) if len(w) >= 4} - STOPWORDS - deck.subject_words
    lowered = text.lower()
    scores = [
        (len(words & vocabulary) + 2 * sum(k in lowered for k in keywords), theme_id)
        for theme_id, vocabulary, keywords in vocabularies
    ]
    best = max(score for score, _ in scores)
    return [theme_id for score, theme_id in scores if score == best and best > 0][:2] or [deck.themes[0].id]


def yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# A passage that names an idea: "the policy of peaceful coexistence", "what became known as the Thaw".
DEFINES = re.compile(
    r"\b(?:policy|doctrine|principle|idea|concept|theory) of ([a-z][a-z'-]+(?: [a-z][a-z'-]+){0,3}?)(?=[,.;:]| (?:with|which|that|and|to|in|was|is)\b)"
    r"|\b(?:known as|called|so-called|termed) [‘'“\"]?((?:the )?[A-Z][\w'-]*(?: [\w'-]+){0,3}?)[’'”\"]?(?=[,.;:]| (?:and|which|that|by|was|is)\b)"
)


def draft_card(
    passage: Passage, deck: Deck, vocabularies: list[Vocabulary], people: dict[str, str], taken: set[str]
) -> str:
    """A card for an uncited passage, as YAML to paste and finish: filled where the text says it, marked where a
    human must check (CHECK) or write (TODO)."""
    text, facts = passage.text, passage.facts
    date = guess_date(text)
    named = next((people[word] for word in WORD.findall(text) if word in people), "")
    quoted = next((q for q in QUOTED.findall(text) if len(q.split()) >= MIN_PASSAGE_WORDS), "")
    treaty = TREATY_NAME.search(text)
    if quoted:
        card_type, why = "quote", "a quotation"
        fields = [
            ("text", yaml_text(quoted.strip()), "CHECK: the quoted words, exactly as the text gives them"),
            ("speaker", yaml_text(named), "CHECK: who said it" if named else "TODO: who said it"),
            ("context", '""', "TODO: the occasion, without naming the speaker"),
        ]
        if date:
            fields.append(("date", date, "CHECK: when it was said"))
        speaker = slugify(named.split()[-1]) + "-" if named else ""
        subject = f"quote-{speaker}{slugify(' '.join(quoted.split()[: 4 if named else 5]))}"
    elif "treaty" in facts:
        card_type, why = "treaty", "a treaty word"
        name = treaty.group().strip() if treaty else ""
        fields = [
            ("name", yaml_text(name), "CHECK: the treaty's name" if name else "TODO: the treaty's name"),
            ("date", date or '""', "CHECK: when it was signed" if date else "TODO: when it was signed"),
            ("parties", "[]", "TODO: who signed it, at most three items"),
            ("terms", '""', "TODO: what it established or forbade, in one sentence"),
        ]
        subject = name or " ".join(text.split()[:5])
    elif match := DEFINES.search(text):
        card_type, why = "term", "a named idea"
        term = (match.group(1) or match.group(2)).strip()
        term = term[0].upper() + term[1:]
        fields = [
            ("term", yaml_text(term), "CHECK: the idea's name, as learners should know it"),
            ("definition", '""', "TODO: what it means in this story, in one sentence, without the term's words"),
        ]
        subject = term
    elif date:
        card_type, why = "date", "a year"
        fields = [
            ("event", '""', "TODO: what happened, so that 'when?' has one answer; without the year"),
            ("date", date, "CHECK: at the precision the text supports"),
        ]
        words = [
            w
            for w in WORD.findall(text)
            if len(w) >= 3 and w.lower() not in STOPWORDS | deck.subject_words and w not in MONTHS
        ]
        subject = " ".join(words[:5])
    else:
        card_type, why = "person", "a named person"
        fields = [
            ("name", yaml_text(named), "CHECK: the person's full name" if named else "TODO: the person's full name"),
            ("role", '""', "TODO: who they were in this story, one line, without their name"),
        ]
        subject = named or " ".join(text.split()[:4])
    card_id = slugify(subject)[: ID_MAX_LENGTH - 4].strip("-") or "card"
    base, number = card_id, 2
    while card_id in taken:
        card_id, number = f"{base}-{number}", number + 1
    taken.add(card_id)
    themes = guess_themes(text, deck, vocabularies)
    lines = [
        f"# {passage.seed}:{passage.line} [{', '.join(facts)}]",
        f"- id: {card_id}  # CHECK: a stable id, never changed once released",
        f"  type: {card_type}  # CHECK: guessed from {why}",
        f"  themes: [{', '.join(themes)}]  # CHECK: guessed from the theme descriptions",
        *(f"  {key}: {value}  # {note}" for key, value, note in fields),
        "  source:",
        f"    seed: {passage.seed}",
        f"    quote: {yaml_text(text)}",
    ]
    return "\n".join(lines) + "\n"
