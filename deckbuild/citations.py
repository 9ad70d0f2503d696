"""Citations checked in bulk: every excerpt that cites a text is looked for in one pass over that text.

A deck of 50,000 cards citing five books made 50,000 substring searches through a megabyte each: time that grew
with cards × text length. Here each text is scanned once for all the excerpts citing it, with an Aho–Corasick
automaton (pyahocorasick, in C) built on the excerpts' first PREFIX characters; each hit of a prefix is then
confirmed with `str.startswith` at that position. The automaton stays small (PREFIX characters per excerpt, not
the whole excerpt: 50,000 excerpts of 130 characters made an automaton of 3 s to build) and the answers are
exactly those of `needle in text` and `str.find`: a property test compares the two on random texts.

Any field that cites (`source:`, `corrects:`, a quotation's text) asks the same way: a list of (seed, needle)
requests, needles already folded (text.fold). With few needles for a text, plain `in` is quicker than building
an automaton, and gives the same answers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping

import ahocorasick

PREFIX = 16  # characters of each needle in the automaton: long enough to be rare in a text, short to build


# Characters that sort the needles sharing a prefix: where a prefix is found, the needles of this many characters or
# more are looked up by the text there, not each compared with it. Excerpts that start alike ("On 11 February 1")
# were 30 comparisons at each of a prefix's 30 places in a book: more than all the rest of the search.
KEY = 32


FEW = 48  # needles per text below which one `in` each is quicker than an automaton (measured on 1.3 MB texts)


def occurrences(text: str, needles: Iterable[str]) -> Iterator[tuple[str, int]]:
    """(needle, start) for every place each non-empty needle occurs in the text, overlapping ones included."""
    groups: dict[str, tuple[list[str], dict[str, list[str]]]] = {}  # prefix → (shorter than KEY, the others by KEY)
    for needle in set(needles):
        if needle:
            short, long = groups.setdefault(needle[:PREFIX], ([], {}))
            if len(needle) < KEY:
                short.append(needle)
            else:
                long.setdefault(needle[:KEY], []).append(needle)
    if not groups:
        return
    automaton = ahocorasick.Automaton()
    for prefix, group in groups.items():
        automaton.add_word(prefix, (len(prefix), *group))
    automaton.make_automaton()
    startswith = text.startswith
    for end, (length, short, long) in automaton.iter(text):
        start = end - length + 1
        for needle in short:
            if len(needle) == length or startswith(needle, start):
                yield needle, start
        for needle in long.get(text[start : start + KEY], ()) if long else ():
            if startswith(needle, start):
                yield needle, start


def found_in(text: str, needles: Iterable[str]) -> set[str]:
    """The needles that occur in the text (the empty one always does, as with `in`)."""
    needles = set(needles)
    if len(needles) < FEW:
        return {needle for needle in needles if needle in text}
    found = {needle for needle, _ in occurrences(text, needles)}
    if "" in needles:
        found.add("")
    return found


def longest_prefixes(text: str, needles: Iterable[str]) -> dict[str, int]:
    """For each needle, the length of its longest prefix that occurs in the text: a binary search per needle, with
    the probes of all needles in one round looked for together (about log2 of the longest needle's length passes)."""
    bounds = {needle: [0, len(needle)] for needle in set(needles)}
    while True:
        probes = {needle: needle[: (low + high + 1) // 2] for needle, (low, high) in bounds.items() if low < high}
        if not probes:
            return {needle: low for needle, (low, _) in bounds.items()}
        found = found_in(text, probes.values())
        for needle, probe in probes.items():
            if probe in found:
                bounds[needle][0] = len(probe)
            else:
                bounds[needle][1] = len(probe) - 1


def spans(text: str, needles: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """Every (start, end) where each non-empty needle occurs in the text, overlapping ones included, in order."""
    found: dict[str, list[tuple[int, int]]] = {}
    for needle, start in occurrences(text, needles):
        found.setdefault(needle, []).append((start, start + len(needle)))
    for places in found.values():
        places.sort()
    return found


class CitationSearch(Mapping):
    """The folded seed texts (name → text, or None for a seed that does not read), answering "is this needle in
    that seed?" from one batch search prepared for all the requests at once. A request not prepared is answered
    directly, with the same result: preparing only makes it quicker."""

    def __init__(self, texts: Mapping[str, str | None], found_before: Mapping[str, Collection[str]] | None = None):
        """`found_before`: needles found in each text on an earlier run, in the very same texts: not looked for
        again (after a one-card edit, the excerpts of the other cards of its file)."""
        self.texts = texts
        self.found_before = found_before or {}
        self._found: dict[str, set[str]] = {}
        self._asked: dict[str, set[str]] = {}
        self._prefixes: dict[str, dict[str, int]] = {}

    def __getitem__(self, name):
        return self.texts[name]

    def __iter__(self):
        return iter(self.texts)

    def __len__(self):
        return len(self.texts)

    def prepare(self, requests: Iterable[tuple[str, str]]) -> CitationSearch:
        """Look for every (seed, needle) at once, one pass per seed; then for every needle not found, how much of it
        is (for the message that says where it stops matching). A seed whose needles were all found before is not
        read at all."""
        wanted: dict[str, set[str]] = {}
        for seed, needle in requests:
            wanted.setdefault(seed, set()).add(needle)
        for seed, needles in wanted.items():
            known = needles.intersection(self.found_before.get(seed, ()))
            text = self.texts.get(seed) if known != needles else ""
            if text is None:  # no such seed, or it does not read: rule_sources says so
                continue
            found = known | found_in(text, needles - known)
            self._asked.setdefault(seed, set()).update(needles)
            self._found.setdefault(seed, set()).update(found)
            missing = needles - found
            if missing:
                self._prefixes.setdefault(seed, {}).update(longest_prefixes(text, missing))
        return self

    def reads(self, seed: str) -> bool:
        """Whether the seed is there and its text reads; without reading it where needles were found in it before."""
        return seed in self.found_before or self.texts.get(seed) is not None

    def found(self, seed: str) -> set[str]:
        """The needles prepared for this seed that it contains."""
        return self._found.get(seed, set())

    def contains(self, seed: str, needle: str) -> bool:
        if needle in self._asked.get(seed, ()):
            return needle in self._found[seed]
        text = self.texts[seed]
        assert text is not None, f"{seed} does not read; ask only of the seeds that do"
        return needle in text

    def matched_length(self, seed: str, needle: str) -> int:
        """The length of the needle's longest prefix that occurs in the seed."""
        known = self._prefixes.get(seed, {}).get(needle)
        if known is not None:
            return known
        text = self.texts[seed]
        assert text is not None, f"{seed} does not read; ask only of the seeds that do"
        return longest_prefixes(text, [needle])[needle]
