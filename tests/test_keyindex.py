"""The near-duplicate key index: after files change, are added or are removed, it names the same shared keys as
counting every key of the deck again, and it asks to be made anew when too many files changed."""

from __future__ import annotations

from array import array

from hypothesis import given
from hypothesis import strategies as st

from deckbuild.deckrules import repeated
from deckbuild.keyindex import MAX_CHANGED, index_keys, repeated_since

# Few distinct keys, so that files share some: the case the index must get right.
file_keys = st.lists(st.integers(0, 40), max_size=12).map(lambda keys: array("Q", keys))
decks = st.dictionaries(st.sampled_from([f"cards/{n}.yaml" for n in range(12)]), file_keys, max_size=10)


def described(deck: dict[str, array], version: str) -> dict[str, tuple[str, array]]:
    """Each file with the cache key of its checks: the same key for the same keys."""
    return {path: (f"{version}:{list(keys)}", keys) for path, keys in deck.items()}


@given(decks, decks)
def test_the_index_of_a_deck_before_an_edit_names_the_keys_shared_after_it(before, after):
    index = index_keys(described(before, "v"))
    now = described(after, "v")
    answer = repeated_since(index, now)
    changed = {
        path for path in before.keys() | after.keys() if now.get(path, ("",))[0] != index.files.get(path, ("",))[0]
    }
    if len(changed) > MAX_CHANGED:
        assert answer is None
    else:
        assert answer == repeated(keys for keys in after.values())


def test_a_key_shared_with_a_file_since_removed_is_no_longer_shared():
    index = index_keys(described({"cards/a.yaml": array("Q", [1, 2]), "cards/b.yaml": array("Q", [2, 3])}, "v"))
    assert index.repeated == {2}
    assert repeated_since(index, described({"cards/a.yaml": array("Q", [1, 2])}, "v")) == set()
    assert repeated_since(
        index, described({"cards/a.yaml": array("Q", [1, 2]), "cards/b.yaml": array("Q", [3, 1])}, "w")
    ) == {1}
