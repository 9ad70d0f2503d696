"""Speed and memory of build-deck on synthetic decks, against a floor measured in the same run.

    SOURCE_DATE_EPOCH=1700000000 python tests/benchmark.py [--sizes 1000,10000,50000] [--rounds 3]

For each size it writes a synthetic, lint-clean project shaped like a large real one (cards in files of 500, citing
five book-length seeds of about 1.3 MB) and times whole commands as a user runs them (process start included),
each the best of the rounds, in which the commands take turns (a slower spell of the shared machine weighs on all):
  validate        `build-deck validate --no-cache`: cold
  validate warm   `build-deck validate` just after one card was edited, the cache filled by the runs before (only
                  the edited file is parsed and checked; the rules across cards run on the others' cached facts)
  build           `build-deck build --no-cache` (checks the cards in two processes while compiling and writing the
                  package); build warm: cached, one card edited just before
  floor           the same card files parsed with libyaml (yaml.load with CSafeLoader, GC paused) plus genanki
                  writing the same notes (our note types, the raw values as fields) with no checks at all
  parse           our node builder (yamlnodes.parse_yaml) over every card file, and beside it libyaml's own
                  composer (yaml.compose with CSafeLoader), both with GC paused: what parsing with positions costs
  coverage        `build-deck coverage` and `suggest`
It prints per size each command's seconds, milliseconds per card, ratio to the floor and peak memory. Targets
(issue 13): at 50k build <= 1.3 x floor, validate <= floor, time per card at 50k within 1.2 x that at 10k, warm
validate < 0.5 s, peak memory < 600 MB; `validate` of the real deck (process start included) < 0.3 s.
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
SEEDS = 5  # book-length texts, as a large real deck cites: about 1.3 MB each
SEED_BYTES = 1_300_000
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


PARSE = textwrap.dedent(
    """
    import gc, sys, yaml
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from deckbuild.yamlnodes import parse_yaml
    gc.disable()
    files = sorted(Path(sys.argv[1]).glob("c*.yaml"))
    if sys.argv[2] == "ours":
        roots = [parse_yaml(path.read_bytes(), str(path)) for path in files]
    else:
        roots = [yaml.compose(path.read_bytes(), Loader=yaml.CSafeLoader) for path in files]
    """
)


def sentence(chaos: random.Random, index: int) -> tuple[str, str]:
    """A sentence of a seed and the day it names: every sentence a day of its own, so that no two date cards of a
    theme share an answer (same-answer) and a card's full date is in its excerpt (date-precision)."""
    day, month, year = 1 + index % 28, index // 28 % 12, 1600 + index // 336 % 500
    words = " ".join(chaos.choice(WORDS) for _ in range(12))
    return f"On {day} {MONTHS[month]} {year} the {words} number {index}.", f"{year}-{month + 1:02}-{day:02}"


def pseudo_word(chaos: random.Random) -> str:
    """A made-up word: the events of a synthetic deck must not be near-duplicates of each other."""
    return "".join(chaos.choice("bcdfghklmnprstvz") + chaos.choice("aeiou") for _ in range(3))


def index_word(index: int) -> str:
    """A made-up word of its own for each index: no two events share all their words but one by chance."""
    syllables = []
    while True:
        index, digit = divmod(index, 16)
        syllables.append("bcdfghklmnprstvz"[digit] + "aeiou"[len(syllables) % 5])
        if not index:
            return "".join(syllables)


def make_project(root: Path, size: int) -> None:
    chaos = random.Random(size)
    (root / "cards").mkdir(parents=True)
    (root / "seeds").mkdir()
    themes = [f"theme-{n}" for n in range(10)]
    (root / "cards/deck.yaml").write_text(
        "deck:\n  id: 2059146773\n  name: Benchmark deck\n  tag_prefix: bench\nthemes:\n"
        + "".join(f"  - id: {t}\n    title: Theme {t}\n    description: The {t} of the benchmark.\n" for t in themes)
        + "seeds:\n"
        + "".join(f"  - {{file: seed-{seed:03}.txt, title: Book {seed}}}\n" for seed in range(SEEDS))
    )
    seed_sentences: list[list[str]] = [[] for _ in range(SEEDS)]
    seed_days: list[list[str]] = [[] for _ in range(SEEDS)]
    counter = 0
    for seed in range(SEEDS):
        length = 0
        while length < SEED_BYTES:
            text, day = sentence(chaos, counter)
            seed_sentences[seed].append(text)
            seed_days[seed].append(day)
            length += len(seed_sentences[seed][-1]) + 1
            counter += 1
        (root / "seeds" / f"seed-{seed:03}.txt").write_text("\n".join(seed_sentences[seed]) + "\n")
    order = [chaos.sample(range(len(sentences)), len(sentences)) for sentences in seed_sentences]
    kinds = ("date", "person", "treaty", "quote")
    for first in range(0, size, CARDS_PER_FILE):
        lines = []
        for index in range(first, min(size, first + CARDS_PER_FILE)):
            # Each card cites a sentence of its own, anywhere in its text: quotations must not repeat.
            seed = (index // 4) % SEEDS
            number = order[seed][(index // 4 // SEEDS * 4 + index % 4) % len(order[seed])]
            excerpt, day = seed_sentences[seed][number], seed_days[seed][number]
            year = day[:4]
            kind = kinds[index % 4]
            lines += [
                f"- id: card-{index}",
                f"  type: {kind}",
                f"  themes: [{themes[index % 10]}, {themes[(index + 3) % 10]}]",
            ]
            if kind == "date":
                lines += [
                    f'  event: "The {pseudo_word(chaos)} {pseudo_word(chaos)} of {index_word(index)} takes place"',
                    f"  date: {day}",
                ]
            elif kind == "person":
                lines += [f'  name: "Person Number{index}"', '  role: "A leader who acted in the story here"']
            elif kind == "treaty":
                lines += [f'  name: "Treaty of {pseudo_word(chaos)} {pseudo_word(chaos)}-{index_word(index)}"', f"  date: {year}", '  parties: ["the Soviet Union", "Poland"]',
                          '  terms: "Established a lasting alliance between them"']  # fmt: skip
            else:
                lines += [
                    f'  text: "{excerpt}"',
                    f'  speaker: "Speaker Number{index}"',
                    '  context: "A speech to the party congress in Moscow"',
                ]
            lines += [
                "  source:",
                f"    seed: seed-{seed:03}.txt",
                f'    quote: "{excerpt}"',
                f'  notes: "Synthetic card {index}."',
            ]
        (root / "cards" / f"c{first // CARDS_PER_FILE:04}.yaml").write_text("\n".join(lines) + "\n")


# As an installed tool runs: with its compiled bytecode. Without it (PYTHONDONTWRITEBYTECODE set, as on some CI
# machines) every run compiles the package anew: 0.1 s more per command, on the real deck a third of the time.
TOOL_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_once(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall time, peak memory in MB) of one whole command."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a long report must not block the command
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors, env=TOOL_ENV)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"failed: {' '.join(command)}\n{errors.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def edit_one_card(root: Path) -> None:
    """Change one card's notes, as a contributor fixing a typo would: a new content for one file of the deck."""
    path = root / "cards" / "c0000.yaml"
    text = path.read_text()
    edited = text.replace("Synthetic card 1.", "Synthetic card 1, edited.", 1)
    path.write_text(edited if edited != text else text.replace("Synthetic card 1, edited.", "Synthetic card 1.", 1))


def timed(commands: dict, cwd: Path, rounds: int = 3) -> dict[str, tuple[float, float]]:
    """Per command (name → the command, or (what to do first, the command)): (best wall time, highest peak memory)
    over the rounds. The commands take turns within each round."""
    best = {name: (float("inf"), 0.0) for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            if isinstance(command, tuple):
                command[0]()
                command = command[1]
            seconds, memory = run_once(command, cwd)
            best[name] = (min(best[name][0], seconds), max(best[name][1], memory))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    tool = [sys.executable, str(ROOT / "build_deck.py")]

    real = timed({"validate": [*tool, "validate"]}, ROOT, rounds=5)["validate"][0]
    print(f"real deck: validate {real:.2f} s, process start included (target < 0.3 s)")
    per_card = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            make_project(root, size)
            run_once([*tool, "validate"], root)  # fills the cache for the warm runs
            run_once([*tool, "build", "-o", "out.apkg"], root)
            commands = {
                "floor": [sys.executable, "-c", FLOOR, "cards", "floor.apkg", str(ROOT)],
                "validate": [*tool, "validate", "--no-cache"],
                "validate warm": (lambda root=root: edit_one_card(root), [*tool, "validate"]),
                "build": [*tool, "build", "--no-cache", "-o", "out.apkg"],
                "build warm": (lambda root=root: edit_one_card(root), [*tool, "build", "-o", "out.apkg"]),
                "parse (ours)": [sys.executable, "-c", PARSE, "cards", "ours", str(ROOT)],
                "parse (libyaml compose)": [sys.executable, "-c", PARSE, "cards", "compose", str(ROOT)],
                "coverage": [*tool, "coverage"],
                "suggest": [*tool, "suggest"],
            }
            times = timed(commands, root, arguments.rounds)
            floor = times["floor"][0]
            print(f"\n{size} cards     seconds  ms/card  x floor  peak MB")
            for name, (seconds, memory) in times.items():
                print(f"{name:<24} {seconds:7.2f}  {seconds / size * 1000:7.3f}  {seconds / floor:7.2f}  {memory:7.0f}")
            per_card[size] = {name: seconds / size for name, (seconds, _) in times.items()}
            print(flush=True)
    if 10000 in per_card and 50000 in per_card:
        growth = ", ".join(
            f"{name} {per_card[50000][name] / per_card[10000][name]:.2f}" for name in ("validate", "build", "floor")
        )
        print(f"time per card at 50k / at 10k (target <= 1.2): {growth}")


if __name__ == "__main__":
    main()
