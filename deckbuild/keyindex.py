"""The near-duplicate keys of a whole deck, sorted and kept between runs (in the cache), so that after an edit only the
keys of the files that changed are looked up. Collecting all the keys again costs more than the rest of a warm
`validate`: a 50,000-card deck has about 400,000 of them, and a set of them takes 0.1 s and 30 MB to make; looking up
one file's keys in a sorted array takes milliseconds.

The index says which keys more than one card has (`repeated`); rule_prompts_distinct then looks card by card only at
the cards with those keys. It describes the deck as it was when it was made (each file's checks, by cache key), and
answers for the deck as it is now from the files that changed since; when too many did, it is made anew.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import chain, pairwise
from typing import NamedTuple

MAX_CHANGED = 8  # card files changed since the index was made, beyond which making it anew is quicker


class KeyIndex(NamedTuple):
    files: dict[str, tuple[str, array]]  # card file → (the cache key of its checks, its cards' keys)
    keys: array  # every key of every file, sorted
    repeated: frozenset[int]  # the keys of more than one card


def index_keys(files: dict[str, tuple[str, array]]) -> KeyIndex:
    every = array("Q", sorted(chain.from_iterable(keys for _, keys in files.values())))
    return KeyIndex(files, every, frozenset(a for a, b in pairwise(every) if a == b))


def repeated_since(index: KeyIndex, files: dict[str, tuple[str, array]]) -> set[int] | None:
    """The keys of more than one card of these files (card file → the cache key of its checks, its cards' keys): the
    index's, corrected for the files changed, added or removed since it was made; None when too many were."""
    changed = [path for path in files.keys() | index.files.keys() if files.get(path, ("",))[0] != index.files.get(path, ("",))[0]]  # fmt: skip
    if len(changed) > MAX_CHANGED:
        return None
    before = Counter(chain.from_iterable(index.files[path][1] for path in changed if path in index.files))
    after = Counter(chain.from_iterable(files[path][1] for path in changed if path in files))
    repeats = set(index.repeated - before.keys() - after.keys())
    for key in before.keys() | after.keys():
        if bisect_right(index.keys, key) - bisect_left(index.keys, key) - before[key] + after[key] > 1:
            repeats.add(key)
    return repeats
