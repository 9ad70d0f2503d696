"""The batch excerpt search answers exactly as one `in` (or `str.find`) per excerpt did: same findings, same
"it matches up to" hints, same problems at the same positions. Property tests on random texts and excerpts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild import citations
from deckbuild.citations import CitationSearch, found_in, longest_prefixes, occurrences, spans
from deckbuild.coverage import excerpt_spans
from deckbuild.model import Card, Items
from deckbuild.rules import citation_requests, prefix_hint, rule_sources
from deckbuild.text import FOLD_TABLE, fold
from deckbuild.yamlnodes import parse_yaml


def matched_hint(excerpt: str, seed_text: str) -> str:
    """The hint as the tool gave it before the one-pass search: a binary search with `in` on the whole text."""
    low, high = 0, len(excerpt)
    while low < high:
        middle = (low + high + 1) // 2
        if excerpt[:middle] in seed_text:
            low = middle
        else:
            high = middle - 1
    return prefix_hint(excerpt, low)


# Few letters, so that excerpts are found, half found and repeated; white space, typographic marks, a letter
# outside the Basic Multilingual Plane.
LETTERS = st.sampled_from(list("abab c.\n ’“–-'\"\U0001d400é"))
TEXT = st.text(alphabet=LETTERS, max_size=300)
NEEDLE = st.text(alphabet=LETTERS, max_size=40)


def pieces(text: str, data) -> list[str]:
    """Excerpts of the text (found), altered excerpts (often not) and random ones."""
    found = []
    for _ in range(data.draw(st.integers(0, 60))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        found.append(text[start:end] + data.draw(st.sampled_from(["", "", "a", "x"])))
    return found + data.draw(st.lists(NEEDLE, max_size=20))


@settings(max_examples=50, deadline=None)
@given(TEXT, st.data())
def test_every_occurrence_is_found_as_str_find_finds_it(text, data):
    needles = pieces(text, data)
    expected = sorted(
        (needle, start)
        for needle in set(needles)
        if needle
        for start in range(len(text))
        if text.startswith(needle, start)
    )
    assert sorted(occurrences(text, needles)) == expected
    assert spans(text, needles) == {
        needle: list(excerpt_spans(text, needle)) for needle in set(needles) if needle in text and needle
    }


def test_excerpts_that_start_alike_are_each_found_where_they_are():
    """Excerpts sharing their first 16 characters (the automaton's prefix) and told apart after 32 (citations.KEY):
    exactly 32 long, longer, cut short, and at the very end of the text."""
    opening = "On 11 February 1956 the congress "  # 33 characters: past the prefix and the key
    endings = ["met.", "met again.", "closed its doors.", "", "m"]
    text = " ".join(opening + ending for ending in endings) + " " + opening[:32]
    needles = [opening[:32], opening[:31], opening[:17], *(opening + ending for ending in endings), opening + "sat."]
    expected = sorted(
        (needle, start) for needle in set(needles) for start in range(len(text)) if text.startswith(needle, start)
    )
    assert sorted(occurrences(text, needles)) == expected
    assert ("On 11 February 1956 the congress closed its doors.", text.index("On 11 February 1956 the congress c")) in (
        expected
    )
    assert (opening[:32], len(text) - 32) in expected


@settings(max_examples=50, deadline=None)
@given(TEXT, st.data())
def test_found_and_longest_prefix_are_those_of_in_and_the_binary_search(text, data):
    needles = pieces(text, data)
    for few in (0, 10_000):  # the automaton and plain `in`
        citations.FEW, saved = few, citations.FEW
        try:
            assert found_in(text, needles) == {needle for needle in needles if needle in text}
            lengths = longest_prefixes(text, needles)
        finally:
            citations.FEW = saved
        assert {needle: prefix_hint(needle, lengths[needle]) for needle in needles} == {
            needle: matched_hint(needle, text) for needle in needles
        }


@settings(deadline=None)
@given(st.text(max_size=60))
def test_fold_is_the_regular_expression_fold(text):
    assert fold(text) == re.sub(r"\s+", " ", text.translate(FOLD_TABLE)).strip()


def yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=3), st.data())
def test_the_problems_of_a_deck_are_those_of_one_search_per_excerpt(texts, data):
    """validate() prepares one search for all cards, as here; rule_sources given the plain texts searches excerpt
    by excerpt, as it did before: the same problems, messages and positions."""
    seeds = {f"s{n}.txt": fold(text) for n, text in enumerate(texts)} | {"broken.txt": None}
    excerpts = {seed: pieces(text, data) or ["q"] for seed, text in zip(seeds, texts, strict=False)}
    lines = []
    for index in range(data.draw(st.integers(1, 12))):
        kind = data.draw(st.sampled_from(["date", "quote"]))
        lines += [f"- id: c{index}", f"  type: {kind}", "  themes: [t]"]
        if kind == "quote":
            lines.append(f"  text: {yaml_text(data.draw(st.sampled_from(excerpts['s0.txt'])))}")
        for key in data.draw(st.sampled_from([("source",), ("source", "corrects")])):
            lines.append(f"  {key}:")
            for _ in range(data.draw(st.integers(1, 3))):
                seed = data.draw(st.sampled_from([*seeds, "missing.txt"]))
                excerpt = data.draw(st.sampled_from(excerpts.get(seed, ["q"])))
                lines += [f"    - seed: {seed}", f"      quote: {yaml_text(excerpt)}"]
    root, problems = parse_yaml("\n".join(lines).encode(), "cards/x.yaml")
    assert not problems and isinstance(root, Items)
    cards = [Card("cards/x.yaml", node) for node in root.items]
    one_by_one = sorted((p for card in cards for p in rule_sources(card, None, seeds)), key=lambda p: p.sort_key())
    search = CitationSearch(seeds).prepare(request for card in cards for request in citation_requests(card))
    batched = sorted((p for card in cards for p in rule_sources(card, None, search)), key=lambda p: p.sort_key())
    assert batched == one_by_one
