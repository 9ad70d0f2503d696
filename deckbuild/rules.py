"""Validation of each card alone: the rules a card must pass whatever the other cards say, each yielding Problems with a rule id."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator, Mapping
from typing import NamedTuple

from deckbuild.citations import CitationSearch
from deckbuild.lint import LINT_RULES, lint_card
from deckbuild.model import (
    CARD_TYPES,
    CITATION_FIELDS,
    COMMON_OPTIONAL,
    COMMON_REQUIRED,
    DATE_FIELDS,
    HTML_PATTERN,
    ID_MAX_LENGTH,
    ID_PATTERN,
    LIST_FIELDS,
    TYPE_OPTIONAL,
    TYPE_REQUIRED,
    Card,
    Deck,
    Fields,
    Items,
    Problem,
    Text,
    is_empty,
    text_of,
)
from deckbuild.text import DATE_PATTERN, PartialDate, did_you_mean, fold, iso_date_guess, partial_date, slugify
from deckbuild.yamlnodes import YAML_BOOLEANS


def allowed_fields(card_type: str) -> tuple[str, ...]:
    return COMMON_REQUIRED + TYPE_REQUIRED.get(card_type, ()) + TYPE_OPTIONAL.get(card_type, ()) + COMMON_OPTIONAL


class CardFields(NamedTuple):
    """The fields a card of one type may have (in the order messages list them, and as a set) and must have."""

    allowed: tuple[str, ...]
    allowed_set: frozenset[str]
    required: tuple[str, ...]


# Worked out once, not for every card: a card of each type, and a card of no known type.
CARD_FIELDS = {
    card_type: CardFields(
        allowed_fields(card_type), frozenset(allowed_fields(card_type)), COMMON_REQUIRED + TYPE_REQUIRED[card_type]
    )
    for card_type in CARD_TYPES
}
UNTYPED_CARD_FIELDS = CardFields(
    COMMON_REQUIRED + COMMON_OPTIONAL, frozenset(COMMON_REQUIRED + COMMON_OPTIONAL), COMMON_REQUIRED
)
ANY_TYPE_FIELDS = frozenset(key for card_type in CARD_TYPES for key in allowed_fields(card_type))


# The fields that check_text checks and that pass whatever line of text they hold (not `retired`, which must not say
# "yes"): with text in them, as most of a card's fields are, they have nothing to report and skip check_shape.
LINE_FIELDS = ANY_TYPE_FIELDS - {*LIST_FIELDS, *CITATION_FIELDS, "lint", "retired"}


def rule_card_fields(card: Card, deck: Deck | None, seeds: Mapping[str, str | None] | None) -> Iterator[Problem]:
    """field-required, field-unknown, field-empty, field-shape, type-known."""

    card_type = card.type
    known_type = card_type in CARD_FIELDS
    type_node = card.node.get("type") if not known_type else None
    if isinstance(type_node, Text) and card_type:
        yield Problem.error(
            card.path,
            type_node,
            "type-known",
            f"unknown type '{card_type}'{did_you_mean(card_type, CARD_TYPES)}; use one of {', '.join(CARD_TYPES)}",
        )
    allowed, allowed_set, required = CARD_FIELDS.get(card_type, UNTYPED_CARD_FIELDS)
    entries = card.node.entries
    for key in required:
        if key not in entries:
            example = (
                f" ({', '.join(TYPE_REQUIRED[card_type])} are required for a {card_type} card)"
                if key in TYPE_REQUIRED.get(card_type, ())
                else ""
            )
            yield Problem.error(card.path, card.node, "field-required", f"card has no '{key}'{example}")
    text = card.text
    for key, (key_node, value) in entries.items():
        if key not in allowed_set:
            if known_type or key not in ANY_TYPE_FIELDS:
                yield Problem.error(
                    card.path,
                    key_node,
                    "field-unknown",
                    f"unknown field '{key}'{did_you_mean(key, allowed)}; a {card_type + ' card' if known_type else 'card'} has "
                    f"{', '.join(allowed)}",
                )
            continue
        if key not in LINE_FIELDS or not text(key):  # text(key): "" unless the field is text that says something
            yield from check_shape(card, key_node, value)


def check_shape(card: Card, key_node: Text, value) -> Iterator[Problem]:
    """The value of one field has the shape its key asks for. An empty value is reported at its key. (The check's
    own iterator: a generator around it would only pass its problems on.)"""
    key = key_node.value
    if key in LIST_FIELDS:
        return check_list(card, key_node, value)
    if key in CITATION_FIELDS:
        return check_citations(card, key, value)
    if key == "lint":
        return check_lint_exceptions(card, value)
    return check_text(card, key_node, value)


def check_list(card: Card, key_node: Text, value) -> Iterator[Problem]:
    """A list of text (themes, parties): not a line, not a mapping, not empty, no item twice."""
    key = key_node.value
    if isinstance(value, Text) and not is_empty(value):
        yield Problem.error(
            card.path, value, "field-shape", f"'{key}' must be a list, e.g. {key}: [{value.value.strip()}]"
        )
    elif isinstance(value, Fields):
        yield Problem.error(card.path, value, "field-shape", f"'{key}' must be a list of text, not a mapping")
    elif is_empty(value) or not value.items:
        yield Problem.error(card.path, key_node, "field-empty", f"'{key}' is empty; give at least one")
    else:
        seen = set()
        for item in value.items:
            text = text_of(item)
            if not isinstance(item, Text):
                yield Problem.error(
                    card.path, item, "field-shape", f"each item of '{key}' must be text, not a list or mapping"
                )
            elif not text:  # is_empty(item)
                yield Problem.error(card.path, item, "field-empty", f"an item of '{key}' is empty")
            elif item.value.strip() in seen:
                yield Problem.error(
                    card.path, item, "field-shape", f"'{item.value.strip()}' is listed twice in '{key}'; keep one"
                )
            seen.add(text)


def check_citations(card: Card, key: str, value) -> Iterator[Problem]:
    """`source:` or `corrects:`: one {seed, quote} or a non-empty list of them."""
    entries = value.items if isinstance(value, Items) else [value]
    if (isinstance(value, Items) and not value.items) or is_empty(value):  # `source: []` or `source:`
        entries = []
        yield Problem.error(
            card.path, value, "field-empty", f"'{key}' is empty; cite at least one {{seed: …, quote: …}}"
        )
    for entry in entries:
        if not isinstance(entry, Fields):
            yield Problem.error(
                card.path,
                entry,
                "field-shape",
                f"each entry of '{key}' must be a mapping: {{seed: <file in seeds/>, quote: <excerpt>}}",
            )
        else:
            yield from check_citation(card, key, entry)


def check_citation(card: Card, key: str, entry: Fields) -> Iterator[Problem]:
    for sub_key, (sub_key_node, sub_value) in entry.entries.items():
        if sub_key not in ("seed", "quote"):
            yield Problem.error(
                card.path,
                sub_key_node,
                "field-unknown",
                f"unknown {key} field '{sub_key}'{did_you_mean(sub_key, ('seed', 'quote'))}; "
                f"a {key} entry has seed and quote",
            )
        elif not isinstance(sub_value, Text):
            yield Problem.error(
                card.path, sub_value, "field-shape", f"{key} '{sub_key}' must be text, not a list or mapping"
            )
        elif not text_of(sub_value):  # is_empty(sub_value), text already
            yield Problem.error(card.path, sub_key_node, "field-empty", f"{key} '{sub_key}' is empty")
    for sub_key in ("seed", "quote"):
        if sub_key not in entry.entries:
            yield Problem.error(card.path, entry, "field-required", f"{key} has no '{sub_key}'")


def check_lint_exceptions(card: Card, value) -> Iterator[Problem]:
    """`lint: {<rule>: <reason>}`: known lint rules, each with its reason."""
    if not isinstance(value, Fields):
        yield Problem.error(
            card.path, value, "field-shape", "'lint' must be a mapping: {<rule-id>: <why the rule does not apply>}"
        )
        return
    for rule, (rule_node, reason) in value.entries.items():
        if rule not in LINT_RULES:
            yield Problem.error(
                card.path, rule_node, "lint-known", f"unknown lint rule '{rule}'{did_you_mean(rule, LINT_RULES)}"
            )
        if not isinstance(reason, Text) or is_empty(reason):
            where = rule_node if is_empty(reason) else reason
            yield Problem.error(
                card.path, where, "lint-reason", f"say why '{rule}' does not apply to this card: the reason is required"
            )


def check_text(card: Card, key_node: Text, value) -> Iterator[Problem]:
    """Every other field is one line of text; `retired` takes a reason, not yes or true."""
    key = key_node.value
    if isinstance(value, Items | Fields):
        kind = "a list" if isinstance(value, Items) else "a mapping"
        yield Problem.error(
            card.path, value, "field-shape", f"'{key}' must be text, not {kind}; write it on one line, in quotes"
        )
    elif is_empty(value):
        required = key in COMMON_REQUIRED + TYPE_REQUIRED.get(card.type, ())
        what = f"a {card.type} card needs it: write a value" if required else "write a value or remove the field"
        yield Problem.error(card.path, key_node, "field-empty", f"'{key}' is empty; {what}")
    elif key == "retired" and value.plain and value.value.strip().lower() in YAML_BOOLEANS:
        yield Problem.error(
            card.path,
            value,
            "field-shape",
            f"'retired' takes the reason, not '{value.value.strip()}': "
            'write e.g. retired: "merged into warsaw-pact", or remove the field',
        )


def rule_id_format(card: Card, deck, seeds) -> Iterator[Problem]:
    value = card.id
    if value and (not ID_PATTERN.fullmatch(value) or len(value) > ID_MAX_LENGTH):
        hint = f"e.g. '{slugify(value)[:ID_MAX_LENGTH].strip('-')}'" if slugify(value) else "e.g. 'warsaw-pact'"
        yield Problem.error(
            card.path,
            card.node.get("id"),
            "id-format",
            f"'{value}' is not a valid id; use at most {ID_MAX_LENGTH} lower-case letters and digits in "
            f"words joined by hyphens, {hint}",
        )


def rule_dates(card: Card, deck, seeds) -> Iterator[Problem]:
    """date-format for every date field; date-order for end before date and died before born."""
    ranges: dict[str, tuple[PartialDate, Text]] = {}
    entries = card.node.entries
    for key in DATE_FIELDS:
        value = card.text(key) if key in entries else ""  # "" for a field that is missing, empty or not text
        if not value:
            continue
        node = entries[key][1]
        parsed = partial_date(value)
        if parsed is None:
            what = "is not a calendar date" if DATE_PATTERN.fullmatch(value) else "is not a date"
            guesses = " or ".join(f"'{guess}'" for guess in iso_date_guess(value))
            hint = f" (did you mean {guesses}?)" if guesses else ""
            yield Problem.error(
                card.path, node, "date-format", f"'{value}' {what}; write YYYY, YYYY-MM or YYYY-MM-DD{hint}"
            )
        else:
            ranges[key] = (parsed, node)
    for first, last in (("date", "end"), ("born", "died")):
        if first in ranges and last in ranges and ranges[last][0].last < ranges[first][0].first:
            node = ranges[last][1]
            yield Problem.error(
                card.path,
                node,
                "date-order",
                f"{last} '{node.value.strip()}' is before {first} '{ranges[first][1].value.strip()}'",
            )


def citation_requests(card: Card) -> Iterator[tuple[str, str]]:
    """(seed, folded needle) for everything rule_sources looks for in a seed: each cited excerpt (`source:`,
    `corrects:`) in its seed, and a quotation in each seed its card cites. validate() looks for all of them at once."""
    for (_, seed, _), folded in zip(card.sources(), card.folded_excerpts, strict=True):
        yield seed, folded
    for _, seed, excerpt in card.corrections():
        yield seed, fold(excerpt)
    if card.type == "quote" and card.text("text"):
        quotation = fold(card.text("text"))
        for _, seed, _ in card.sources():
            yield seed, quotation


def rule_sources(card: Card, deck, seeds: Mapping[str, str | None] | None) -> Iterator[Problem]:
    """source-seed, source-quote, quote-text. Without a seeds folder at all, load_project has said so once.
    `seeds` is a CitationSearch prepared for every card (see validate), or the plain texts."""
    if seeds is None:
        return
    search = seeds if isinstance(seeds, CitationSearch) else CitationSearch(seeds)
    texts = search.texts  # the seeds' own mapping: `in` and [] without CitationSearch's calls in between
    cited_seeds = []
    citations = [
        (entry, seed, excerpt, folded, True)
        for (entry, seed, excerpt), folded in zip(card.sources(), card.folded_excerpts, strict=True)
    ]
    citations += [(entry, seed, excerpt, fold(excerpt), False) for entry, seed, excerpt in card.corrections()]
    for entry, seed, excerpt, folded, supports in citations:
        if not seed:
            continue
        if "/" in seed or "\\" in seed or seed in (".", ".."):  # an absolute path has a separator, on any system
            yield Problem.error(
                card.path,
                entry.get("seed"),
                "source-seed",
                f"seed '{seed}' must be a file name in seeds/, not a path; write e.g. "
                f"'{os.path.basename(seed.rstrip('/')) or 'text.txt'}'",
            )
            continue
        if seed not in texts:
            hint = did_you_mean(seed, seeds) or (f" (seeds are: {', '.join(sorted(seeds))})" if seeds else "")
            seed_node = entry.get("seed")
            yield Problem(
                card.path, seed_node.line, seed_node.col, "error", "source-seed", f"no seed '{seed}' in seeds/{hint}"
            )
            continue
        if not search.reads(seed):  # a seed that does not read: reported once, at the seed, not at every card citing it
            continue
        if supports:
            cited_seeds.append(seed)
        if excerpt and not search.contains(seed, folded):
            quote_node = entry.get("quote")
            yield Problem.error(
                card.path,
                quote_node,
                "source-quote",
                f"excerpt not found in {seed}{prefix_hint(folded, search.matched_length(seed, folded))}; copy it exactly "
                f"from the text (case, spelling and punctuation must match){ellipsis_hint(excerpt)}",
            )
    quotation = fold(card.text("text")) if card.type == "quote" else ""  # folded once, for both tests
    if cited_seeds and quotation and not any(search.contains(seed, quotation) for seed in cited_seeds):
        node = card.node.get("text")
        matched = max((prefix_hint(quotation, search.matched_length(seed, quotation)) for seed in cited_seeds), key=len)
        yield Problem.error(
            card.path,
            node,
            "quote-text",
            f"the quotation is not in any cited seed{matched}; quote it exactly as the seed does, and cite the "
            f"seed that contains it{ellipsis_hint(card.text('text'), 'quotation')}",
        )
    blank = card.text("blank")
    if card.type == "quote" and blank and fold(blank) not in quotation:
        yield Problem.error(
            card.path,
            card.node.get("blank"),
            "quote-blank",
            f"'{blank}' is not in the quotation; copy the words to hide exactly as the quotation has them",
        )


def ellipsis_hint(text: str, what: str = "excerpt") -> str:
    """An excerpt shortened with '...' never matches: the words left out are in the text."""
    if "..." not in text and "…" not in text:
        return ""
    if what == "excerpt":
        return "; an ellipsis ('...' or '…') never matches: cite the words before it and after it as two excerpts"
    return "; an ellipsis ('...' or '…') never matches: quote one unbroken passage"


def prefix_hint(excerpt: str, low: int) -> str:
    """Where an excerpt stops matching, given the length of its longest prefix found in the seed."""
    if low < 8:
        return ""
    return f" (it matches up to '…{excerpt[max(0, low - 30) : low]}', then differs)"


def rule_html(card: Card, deck, seeds) -> Iterator[Problem]:
    for node in field_texts(card):
        value = node.value
        # Markup starts with '<' or '&': `in` answers for the many texts without either in a tenth of a search's time.
        match = HTML_PATTERN.search(value) if "<" in value or "&" in value else None
        if match:
            yield Problem.warning(
                card.path,
                node,
                "html-markup",
                f"'{match.group()}' looks like HTML; it will be shown literally, as typed, not rendered",
            )


NOT_TEXT_KEYS = frozenset({"id", "type", "themes", "seed", "lint"})  # values no learner reads as text


def field_texts(card: Card, keys: frozenset[str] | None = None) -> list[Text]:
    """Every text in the card, or in the fields named, in the card's order: text_nodes(card.node), with the values
    that are a line of text (most of them) read in place, not each in a call of its own."""
    found: list[Text] = []
    for key, (_, value) in card.node.entries.items():
        if key in NOT_TEXT_KEYS or (keys is not None and key not in keys):
            continue
        if isinstance(value, Text):
            found.append(value)
        else:
            text_nodes(value, found)
    return found


def text_nodes(node, found: list[Text] | None = None) -> list[Text]:
    """Every text in a value, in order, but under none of NOT_TEXT_KEYS; added to `found` if given. (A list, not a
    generator for every value: a generator each cost more than the rest of rule_html.)"""
    found = [] if found is None else found
    if isinstance(node, Text):
        found.append(node)
    elif isinstance(node, Items):
        for item in node.items:
            text_nodes(item, found)
    elif isinstance(node, Fields):
        for key, (_, value) in node.entries.items():
            if key not in NOT_TEXT_KEYS:
                text_nodes(value, found)
    return found


SEED_NUMBER = re.compile(r"\bseeds?\s+\d+\b", re.IGNORECASE)


# Every field a learner reads as written text: not the ids and lists of the format, not the excerpts (the seeds' own
# words), not the dates (checked as dates).
SEED_REFERENCE_FIELDS = tuple(
    dict.fromkeys(
        key
        for card_type in CARD_TYPES
        for key in allowed_fields(card_type)
        if key not in {"id", "type", "themes", "lint", *CITATION_FIELDS, *DATE_FIELDS}
    )
)


SEED_REFERENCE_KEYS = frozenset(SEED_REFERENCE_FIELDS)


def rule_seed_reference(card: Card, deck, seeds: Mapping[str, str | None] | None) -> Iterator[Problem]:
    """seed-reference: a learner never sees file names or "seed 003"; the back names each source by its title."""
    if "seed-reference" in card.lint_exceptions():
        return
    entries = card.node.entries
    everything = "\n".join(text.value for text in field_texts(card, SEED_REFERENCE_KEYS))
    if not may_name_a_seed(everything, seeds or ()):  # one look at all of it: most cards name no seed
        return
    names = sorted(seeds or (), key=len, reverse=True)
    for key in SEED_REFERENCE_FIELDS:
        for text in text_nodes(entries[key][1]) if key in entries else ():
            match = SEED_NUMBER.search(text.value)
            named = match.group() if match else next((name for name in names if name in text.value), None)
            if named:
                yield Problem.warning(
                    card.path,
                    text,
                    "seed-reference",
                    f"'{key}' names a source as '{named}', which means nothing to a learner; say what the source is "
                    "(its title in deck.yaml's seeds:, or e.g. 'one student essay'), or explain with "
                    "'lint: {seed-reference: <reason>}'",
                )
                break


def may_name_a_seed(text: str, names) -> bool:
    """False where no part of the text can name a seed: it says "seed" in no case (SEED_NUMBER ignores case, and
    casefold() turns every letter it takes for s, e or d into that letter) and holds no seed's file name. One test
    of all a card's text: SEED_NUMBER's search cost 4 µs on each of them, most of this rule's time."""
    return "seed" in text.casefold() or any(name in text for name in names)


CARD_RULES = (
    rule_card_fields,
    rule_id_format,
    rule_dates,
    rule_sources,
    rule_html,
    rule_seed_reference,
)


def citation_search(
    cards: list[Card], seeds: Mapping[str, str | None], found_before: Mapping[str, Collection[str]] | None = None
) -> CitationSearch:
    """Every excerpt of the cards looked for at once: one pass over each seed, for those not found there before."""
    return CitationSearch(seeds, found_before).prepare(request for card in cards for request in citation_requests(card))


def card_problems(
    cards: list[Card], deck: Deck | None, seeds: CitationSearch | Mapping[str, str | None] | None
) -> list[list[Problem]]:
    """The problems of each card alone (the card rules and lint). `seeds`: the texts, or their citation_search for
    these cards."""
    if seeds is not None and not isinstance(seeds, CitationSearch):
        seeds = citation_search(cards, seeds)
    found = []
    for card in cards:
        problems = [problem for rule in CARD_RULES for problem in rule(card, deck, seeds)]
        problems.extend(lint_card(card, deck))
        found.append(problems)
    return found
