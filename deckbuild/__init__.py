"""build-deck: YAML fact cards → validated → tagged by theme → an Anki package. See build_deck.py for the map."""

from deckbuild.version import __version__

__all__ = ["__version__"]
