"""build-deck: YAML fact cards → validated → tagged by theme → an Anki package.

The tool's entry point (`python build_deck.py …` and the `build-deck` command). The code lives in the package
`deckbuild/`, one stage per module, read in this order:

    load      deckbuild/yamlnodes.py   YAML → nodes with positions; bad input becomes a Problem, never an exception
              deckbuild/project.py     card files, deck.yaml, seeds and released.json → one Project
    validate  deckbuild/rules.py       the rules each card must pass alone
              deckbuild/lint.py        the rules of good flashcards (warnings a card may silence)
              deckbuild/deckrules.py   the rules across the cards (ids, questions, answers, themes, releases), on
                                       each file's CardFacts
              deckbuild/validation.py  validate(): each file's checks, from the cache or made, then the rules across
              deckbuild/keyindex.py    the deck's near-duplicate keys, sorted, for the next run after an edit
    select    deckbuild/selection.py   which cards a build takes, and the subset deck's name and id
    compile   deckbuild/notetypes.py   note types (fields, templates, CSS) and each card's note fields
              deckbuild/apkg.py        genanki objects → a byte-reproducible .apkg (the only user of genanki)
    write     deckbuild/files.py       atomic writes; deckbuild/release.py: cards/released.json

Beside the pipeline: deckbuild/model.py (the data every stage passes on; its cached_property in
deckbuild/cached.py), deckbuild/text.py (folding, words, dates, sentences), deckbuild/citations.py (every excerpt
found in one pass over its text), deckbuild/schema.py (JSON Schemas for editors), deckbuild/scaffold.py (the new
deck `init` writes), deckbuild/coverage.py and deckbuild/suggest.py (what the texts say that no card asks),
deckbuild/preview.py (one HTML page of the deck), deckbuild/parallel.py (a second process for large decks),
deckbuild/cache.py (.build-deck-cache/), deckbuild/cli.py (the click commands, a thin layer, and run(): the
process), deckbuild/options.py (the options they share) and deckbuild/report.py (how problems and the tool's errors
are printed).
"""

from deckbuild.cli import cli, run

__all__ = ["cli", "run"]

if __name__ == "__main__":
    run()
