"""Speed and memory of build-deck on synthetic decks, against a floor measured in the same run.

    python tests/benchmark.py [--sizes 1000,10000,50000]

For each size it writes a synthetic project (cards in files of 500, 100 seeds of about 20 KB that the cards cite)
and times whole commands as a user runs them (process start included), each the best of three rounds in which
the commands take turns:
  validate    `build-deck validate`
  build       `build-deck build` (validates, then compiles and writes the package)
  floor       the same card files parsed with libyaml (yaml.load with CSafeLoader, GC paused) plus genanki writing
              the same notes (our note types, the raw values as fields) with no checks at all
  coverage    `build-deck coverage` and `suggest`, when the installed tool has them
It prints one line per size with build/floor, and the peak memory of the build. Targets: build within 1.5x of the
floor at 10k and 50k, 50k cards under 10 s and 600 MB, `validate` of the real deck under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deckbuild.text import MONTHS  # noqa: E402  (the tool under test, from this checkout)

WORDS = ["treaty", "summit", "missile", "border", "party", "congress", "leader", "speech", "crisis", "bloc", "reform", "alliance", "pact", "army", "minister", "delegation", "premier", "secretary", "rival", "satellite", "ultimatum", "wall", "embargo", "aid"]  # fmt: skip
SEEDS = 100
CARDS_PER_FILE = 500

FLOOR = textwrap.dedent(
    """
    import gc, sys, yaml, genanki
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from deckbuild.notetypes import CSS, NOTE_FIELDS, NOTE_TYPE_IDS, TEMPLATES
    cards_dir, out = Path(sys.argv[1]), sys.argv[2]
    gc.disable()
    cards = [card for path in sorted(cards_dir.glob("c*.yaml")) for card in yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)]
    # The same note types and the same notes, the raw values in the fields: no checks, no escaping, no formatting.
    models = {kind: genanki.Model(NOTE_TYPE_IDS[kind], kind, fields=[{"name": n} for n in NOTE_FIELDS[kind]],
                                  templates=[dict(t) for t in TEMPLATES[kind]], css=CSS) for kind in NOTE_FIELDS}
    deck = genanki.Deck(2059146773, "floor")
    for card in cards:
        values = {key.capitalize(): str(value) for key, value in card.items()}
        values["Source"] = str(card["source"]["quote"])
        fields = [values.get(name, "") for name in NOTE_FIELDS[card["type"]]]
        tags = [f"bench::theme::{theme}" for theme in card["themes"]] + [f"bench::type::{card['type']}"]
        deck.add_note(genanki.Note(model=models[card["type"]], fields=fields, tags=tags, guid=genanki.guid_for(card["id"])))
    genanki.Package(deck).write_to_file(out, timestamp=1700000000)
    """
)


def sentence(chaos: random.Random, index: int) -> str:
    year = 1953 + index % 12
    words = " ".join(chaos.choice(WORDS) for _ in range(12))
    return f"In {MONTHS[index % 12]} {year} the {words} number {index}."


def pseudo_word(chaos: random.Random) -> str:
    """A made-up word: the events of a synthetic deck must not be near-duplicates of each other."""
    return "".join(chaos.choice("bcdfghklmnprstvz") + chaos.choice("aeiou") for _ in range(3))


def make_project(root: Path, size: int) -> None:
    chaos = random.Random(size)
    (root / "cards").mkdir(parents=True)
    (root / "seeds").mkdir()
    themes = [f"theme-{n}" for n in range(10)]
    (root / "cards/deck.yaml").write_text(
        "deck:\n  id: 2059146773\n  name: Benchmark deck\n  tag_prefix: bench\nthemes:\n"
        + "".join(f"  - id: {t}\n    title: Theme {t}\n    description: The {t} of the benchmark.\n" for t in themes)
    )
    seed_sentences: list[list[str]] = [[] for _ in range(SEEDS)]
    counter = 0
    for seed in range(SEEDS):  # about 20 KB each
        while sum(len(s) + 1 for s in seed_sentences[seed]) < 20_000:
            seed_sentences[seed].append(sentence(chaos, counter))
            counter += 1
        (root / "seeds" / f"seed-{seed:03}.txt").write_text("\n".join(seed_sentences[seed]) + "\n")
    kinds = ("date", "person", "treaty", "quote")
    for first in range(0, size, CARDS_PER_FILE):
        lines = []
        for index in range(first, min(size, first + CARDS_PER_FILE)):
            # Each card cites its own sentence while there are enough: quotations must not repeat.
            seed, number = (index // 4) % SEEDS, index // 4 // SEEDS + index % 4 * 57
            excerpt = seed_sentences[seed][number % len(seed_sentences[seed])]
            year = excerpt.split()[2]
            kind = kinds[index % 4]
            lines += [
                f"- id: card-{index}",
                f"  type: {kind}",
                f"  themes: [{themes[index % 10]}, {themes[(index + 3) % 10]}]",
            ]
            if kind == "date":
                lines += [
                    f'  event: "The {pseudo_word(chaos)} {pseudo_word(chaos)} of {pseudo_word(chaos)} takes place"',
                    f"  date: {year}",
                ]
            elif kind == "person":
                lines += [f'  name: "Person Number{index}"', '  role: "A leader who acted in the story here"']
            elif kind == "treaty":
                lines += [f'  name: "Treaty of {pseudo_word(chaos)}-{index}"', f"  date: {year}", '  parties: ["the Soviet Union", "Poland"]',
                          '  terms: "Established a lasting alliance between them"']  # fmt: skip
            else:
                lines += [
                    f'  text: "{excerpt}"',
                    '  speaker: "Nikita Khrushchev"',
                    '  context: "A speech to the party congress in Moscow"',
                ]
            lines += [
                "  source:",
                f"    seed: seed-{seed:03}.txt",
                f'    quote: "{excerpt}"',
                f'  notes: "Synthetic card {index}."',
            ]
        (root / "cards" / f"c{first // CARDS_PER_FILE:04}.yaml").write_text("\n".join(lines) + "\n")


def run_once(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall time, peak memory in MB) of one whole command."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a long report must not block the command
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"failed: {' '.join(command)}\n{errors.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def timed(commands: dict[str, list[str]], cwd: Path, rounds: int = 3) -> dict[str, tuple[float, float]]:
    """Per command: (best wall time, highest peak memory) over the rounds. The commands take turns within each
    round, so that a slower spell of a shared machine weighs on all of them alike, the floor included."""
    best = {name: (float("inf"), 0.0) for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            seconds, memory = run_once(command, cwd)
            best[name] = (min(best[name][0], seconds), max(best[name][1], memory))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    tool = [sys.executable, str(ROOT / "build_deck.py")]
    has = subprocess.run([*tool, "--help"], capture_output=True, text=True).stdout

    real = timed({"validate": [*tool, "validate"]}, ROOT)["validate"][0]
    print(f"real deck: validate {real:.2f} s (target < 0.5 s)")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            make_project(root, size)
            commands = {
                "validate": [*tool, "validate"],
                "build": [*tool, "build", "-o", "out.apkg"],
                "floor": [sys.executable, "-c", FLOOR, "cards", "floor.apkg", str(ROOT)],
            }
            commands |= {name: [*tool, name] for name in ("coverage", "suggest") if f"  {name}" in has}
            times = timed(commands, root)
            validate, build, floor = times["validate"][0], times["build"][0], times["floor"][0]
            line = (f"{size:>6} cards: validate {validate:6.2f} s  build {build:6.2f} s  floor {floor:6.2f} s  "
                    f"build/floor {build / floor:4.2f}  build peak {times['build'][1]:5.0f} MB")  # fmt: skip
            for name in ("coverage", "suggest"):
                if name in times:
                    line += f"  {name} {times[name][0]:5.2f} s"
            print(line, flush=True)


if __name__ == "__main__":
    main()
