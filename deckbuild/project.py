"""Loading a project: card files, deck.yaml, the seeds and released.json, into one Project."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Mapping
from pathlib import Path

from deckbuild.cache import NO_CACHE, Cache
from deckbuild.files import shown_path
from deckbuild.model import (
    ID_PATTERN,
    TAG_PREFIX_PATTERN,
    Card,
    CardFile,
    Deck,
    Fields,
    Items,
    Problem,
    Project,
    Record,
    Released,
    SeedInfo,
    Text,
    Theme,
    is_empty,
    occasion_speakers,
    quote_speakers,
)
from deckbuild.text import ASCII_NUMBER, did_you_mean, fold, slugify
from deckbuild.yamlnodes import gc_paused, parse_yaml, read_yaml_file

DECK_FILE = "deck.yaml"


RELEASED_FILE = "released.json"


def is_input(path: Path, folder: Path) -> bool:
    """False for what editors and file managers leave beside inputs: dot-files and dot-folders (.DS_Store, Emacs's
    .#x.yaml lock link, Vim's .x.yaml.swp), backups (x.yaml~) and Emacs's #x.yaml#."""
    parts = path.relative_to(folder).parts
    return not any(part.startswith(".") for part in parts) and not path.name.endswith("~") and path.name[:1] != "#"


def card_files(cards_dir: Path) -> list[Path]:
    """Every `*.yaml` under cards_dir but deck.yaml, in path order. A dangling link is listed so that it is
    reported, not silently skipped."""
    return sorted(
        p
        for p in cards_dir.rglob("*.yaml")
        if (p.is_file() or p.is_symlink()) and p != cards_dir / DECK_FILE and is_input(p, cards_dir)
    )


def misnamed_card_files(cards_dir: Path) -> list[Problem]:
    """A card file under another ending (.yml, .YAML) would silently never ship."""
    return [
        Problem(
            shown_path(path),
            1,
            1,
            "error",
            "file-name",
            f"card files end in .yaml; rename this one to {path.stem}.yaml or it is not read",
        )
        for path in sorted(cards_dir.rglob("*"))
        if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml"
    ]


def card_file_content(path: Path, cache: Cache = NO_CACHE) -> tuple[bytes | None, str]:
    """A card file's bytes, and the cache key of its content ("" without a cache); None when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None, ""
    return data, cache.digest("parse", shown_path(path), data) if cache.enabled else ""


def read_card_file(
    path: Path, cache: Cache = NO_CACHE, content: tuple[bytes | None, str] | None = None, keep: bool = True
) -> CardFile:
    """A card file's cards and load problems; its nodes from the cache when the file has not changed, and kept there
    for the next time unless not `keep`. `content` is card_file_content's answer when the caller has it already."""
    data, key = content or card_file_content(path, cache)
    shown = shown_path(path)
    if data is None:
        root, problems = read_yaml_file(path)  # reported as it is: unreadable
    elif not key:
        root, problems = parse_yaml(data, shown)
    else:
        cached = cache.load("parse", shown, key)
        if cached is None:
            cached = parse_yaml(data, shown)
            if keep:
                cache.store("parse", shown, key, cached)
        root, problems = cached[0], list(cached[1])
    cards = []
    if root is not None and not isinstance(root, Items):
        problems.append(
            Problem.error(
                shown, root, "top-level", "a card file must be a list of cards: start each card with '- id: …'"
            )
        )
    for node in root.items if isinstance(root, Items) else ():
        if isinstance(node, Fields):
            cards.append(Card(shown, node))
        else:
            problems.append(
                Problem.error(
                    shown, node, "card-shape", "a card must be a mapping of fields such as 'id: …' and 'type: …'"
                )
            )
    return CardFile(shown, cards, problems, key)


def read_card_files(files: list[Path], cache: Cache = NO_CACHE) -> list[CardFile]:
    with gc_paused():
        return [read_card_file(path, cache) for path in files]


def cards_of(files: list[CardFile]) -> list[Card]:
    return [card for file in files for card in file.cards]


def load_cards(cards_dir: Path) -> tuple[list[Card], list[Problem], int]:
    """The cards of every card file: (cards, problems, files read)."""
    files = read_card_files(card_files(cards_dir))
    cards = cards_of(files)
    return cards, misnamed_card_files(cards_dir) + [problem for file in files for problem in file.problems], len(files)


def load_deck(cards_dir: Path) -> tuple[Deck | None, list[Problem]]:
    path = cards_dir / DECK_FILE
    shown = shown_path(path)
    if not path.is_file():
        where = (
            f"no {DECK_FILE} in {shown_path(cards_dir)}" if cards_dir.is_dir() else f"no folder {shown_path(cards_dir)}"
        )
        message = (
            f"{where}: to start a deck here, run build-deck init; or create {shown} with a 'deck:' "
            "section (id, name, description, tag_prefix) and a 'themes:' list (each with id, title, description)"
        )
        return None, [Problem(shown, 1, 1, "error", "deck-missing", message)]
    root, problems = read_yaml_file(path, "a 'deck:' and a 'themes:' section")
    if root is None:
        return None, problems
    return read_deck(root, shown, problems)


def read_deck(root, shown: str, problems: list[Problem]) -> tuple[Deck | None, list[Problem]]:
    def error(node, message):
        problems.append(Problem(shown, node.line, node.col, "error", "deck-format", message))

    def text_field(mapping, key, required=True, part=""):
        node = mapping.get(key)
        if node is None:
            if required:
                error(mapping, missing_key(mapping, key, part or ("deck" if mapping is deck_node else "theme")))
            return ""
        if not isinstance(node, Text) or is_empty(node):
            error(node, f"'{key}' must be a line of text")
            return ""
        return node.value.strip()

    def unknown_keys(mapping, allowed):
        for key, (key_node, _) in mapping.entries.items():
            if key not in allowed:
                error(key_node, f"unknown key '{key}'{did_you_mean(key, allowed)}")

    if not isinstance(root, Fields):
        error(root, "deck.yaml must be a mapping with 'deck:' and 'themes:'")
        return None, problems
    unknown_keys(root, ("deck", "themes", "seeds", "words"))
    deck_node, themes_node = root.get("deck"), root.get("themes")
    if not isinstance(deck_node, Fields):
        error(deck_node or root, "'deck' must be a mapping with id, name, description and tag_prefix")
        deck_node = Fields({}, root.line, root.col)
    deck_id, name, description, tag_prefix = read_header(deck_node, error, text_field, unknown_keys)

    themes = read_themes(themes_node or root, error, text_field, unknown_keys)
    seeds = read_seed_infos(root.get("seeds"), error, text_field, unknown_keys)
    words = read_deck_words(root.get("words"), error, text_field, unknown_keys)
    if any(p.severity == "error" for p in problems):
        return None, problems
    id_node = deck_node.get("id")
    seeds_node = root.get("seeds") or root
    deck = Deck(deck_id, name, description, tag_prefix, tuple(themes), shown, id_node.line, id_node.col)
    return dataclasses.replace(deck, seeds=seeds, seeds_line=seeds_node.line, **words), problems


def missing_key(mapping: Fields, key: str, part: str) -> str:
    """What to add where deck.yaml lacks a key in a part (the deck, a theme, a seed), with a value to write (a fresh
    random id for the deck)."""
    title = mapping.get("title")
    title = slugify(title.value) if isinstance(title, Text) and slugify(title.value) else "first-theme"
    name = mapping.get("name")
    name = slugify(name.value) if isinstance(name, Text) and slugify(name.value) else "my-deck"
    where, example = {
        ("deck", "id"): (
            "'deck'",
            f"id: {random.SystemRandom().randrange(1 << 30, 1 << 31)} (made now at random; "
            "every note's id derives from it: never change it once the deck is shared)",
        ),
        ("deck", "name"): ("'deck'", 'name: "..." (the deck\'s name, as Anki shows it)'),
        ("deck", "tag_prefix"): ("'deck'", f"tag_prefix: {name} (the first part of every tag)"),
        ("theme", "id"): ("this theme", f"id: {title} (lower-case words joined by hyphens, named on the cards)"),
        ("theme", "title"): ("this theme", 'title: "..." (the theme as learners read it)'),
        ("seed", "file"): ("this seed", "file: <the name of a text in the seeds folder>"),
        ("seed", "title"): ("this seed", 'title: "..." (the source\'s title, as the back of a card shows it)'),
    }.get((part, key), (f"this {part}", f"{key}: ..."))
    return f"{where} has no '{key}'; add {example}"


def read_header(node: Fields, error, text_field, unknown_keys) -> tuple[int, str, str, str]:
    """deck.yaml's `deck:`: its id (a positive whole number), name, description and tag prefix."""
    unknown_keys(node, ("id", "name", "description", "tag_prefix"))
    deck_id_text = text_field(node, "id")
    deck_id = int(deck_id_text) if ASCII_NUMBER.fullmatch(deck_id_text) else 0
    if deck_id_text and not 0 < deck_id < 2**63:
        error(node.get("id"), f"deck id '{deck_id_text}' must be a positive whole number, generated once")
    name = text_field(node, "name")
    description = text_field(node, "description", required=False)
    tag_prefix = text_field(node, "tag_prefix")
    if tag_prefix and not TAG_PREFIX_PATTERN.fullmatch(tag_prefix):
        error(node.get("tag_prefix"), f"tag_prefix '{tag_prefix}' may hold only letters, digits, '-' and '_'")
    return deck_id, name, description, tag_prefix


def read_themes(node, error, text_field, unknown_keys) -> list[Theme]:
    """deck.yaml's `themes:`: a non-empty list of {id, title, description?, keywords?}, each id once."""
    if not isinstance(node, Items) or not node.items:
        error(
            node,
            "'themes' must be a non-empty list of themes with id, title and description, e.g. "
            '- {id: first-theme, title: "First theme", description: "..."}',
        )
        return []
    seen: dict[str, Theme] = {}
    for item in node.items:
        if not isinstance(item, Fields):
            error(item, "a theme must be a mapping with id, title and description")
            continue
        unknown_keys(item, ("id", "title", "description", "keywords"))
        theme_id = text_field(item, "id")
        id_node = item.get("id")
        if theme_id and not ID_PATTERN.fullmatch(theme_id):
            error(id_node, f"theme id '{theme_id}' must be kebab-case, e.g. '{slugify(theme_id)}'")
        elif theme_id in seen:
            error(id_node, f"theme id '{theme_id}' is used twice, first at line {seen[theme_id].line}")
        theme = Theme(
            theme_id,
            text_field(item, "title"),
            text_field(item, "description", required=False),
            read_keywords(item.get("keywords"), error),
            id_node.line if id_node else item.line,
            id_node.col if id_node else item.col,
        )
        if theme_id and theme_id not in seen:
            seen[theme_id] = theme
    return list(seen.values())


def read_keywords(node, error) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, Items) and all(isinstance(k, Text) for k in node.items):
        return tuple(k.value.strip() for k in node.items if k.value.strip())
    error(node, "'keywords' must be a list of words")
    return ()


def read_deck_words(node, error, text_field, unknown_keys) -> dict:
    """deck.yaml's optional `words:` (subject, search_example, group_example) as Deck fields; the defaults are neutral."""
    if node is None:
        return {}
    if not isinstance(node, Fields):
        error(node, "'words' must be a mapping with subject, search_example and group_example")
        return {}
    unknown_keys(node, ("subject", "search_example", "group_example"))
    words: dict = {key: text_field(node, key) for key in ("search_example", "group_example") if node.get(key)}
    subject = node.get("subject")
    if subject is not None:
        if isinstance(subject, Items) and all(isinstance(word, Text) for word in subject.items):
            words["subject_words"] = frozenset(word.value.strip().lower() for word in subject.items)
        else:
            error(subject, "'subject' must be a list of words, e.g. [soviet, khrushchev]")
    return words


SEED_KEYS = ("file", "title", "author", "kind", "year", "url")


def read_seed_infos(node, error, text_field, unknown_keys) -> tuple[SeedInfo, ...]:
    """deck.yaml's optional `seeds:`: a list of {file, title} with optional author, kind, year and url."""
    if node is None:
        return ()
    if not isinstance(node, Items):
        error(node, "'seeds' must be a list of {file: <name in seeds/>, title: <what learners see>}")
        return ()
    seeds: dict[str, SeedInfo] = {}
    for item in node.items:
        if not isinstance(item, Fields):
            error(item, "a seed must be a mapping: {file: <name in seeds/>, title: <what learners see>}")
            continue
        unknown_keys(item, SEED_KEYS)
        values = {key: text_field(item, key, required=key in ("file", "title"), part="seed") for key in SEED_KEYS}
        if values["file"] in seeds:
            error(item.get("file"), f"seed '{values['file']}' is listed twice; keep one")
        elif values["file"]:
            seeds[values["file"]] = SeedInfo(**values)
    return tuple(seeds.values())


def read_seeds(seeds_dir: Path) -> tuple[dict[str, str] | None, list[Problem]]:
    """The texts cards may cite: every file directly in the seeds folder but its README, by file name (None when
    there is no such folder: one problem then says so, instead of one for every source)."""
    shown = shown_path(seeds_dir)
    if not seeds_dir.is_dir():
        return None, [
            Problem(
                shown,
                1,
                1,
                "error",
                "source-seed",
                f"there is no seeds folder {shown}; create it and put in it the texts your cards cite (build-deck init "
                "makes one with an example), or point --seeds at it",
            )
        ]
    texts, problems = {}, []
    for path in sorted(seeds_dir.iterdir()):
        if not path.is_file() or path.name == "README.md" or not is_input(path, seeds_dir):
            continue
        try:
            data = path.read_bytes()
            texts[path.name] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line_start = data.rfind(b"\n", 0, error.start) + 1
            line = data.count(b"\n", 0, error.start) + 1
            col = len(data[line_start : error.start].decode("utf-8", "replace")) + 1
            problems.append(
                Problem(
                    shown_path(path),
                    line,
                    col,
                    "error",
                    "seed-encoding",
                    f"byte 0x{data[error.start]:02x} is not UTF-8 (the text was saved as Windows-1252 or "
                    "Latin-1?); save it as UTF-8: in Notepad, File → Save as, Encoding: UTF-8; in VS Code, Reopen "
                    "with Encoding → Windows 1252, then Save with Encoding → UTF-8; or run "
                    f"iconv -f windows-1252 -t utf-8 {path.name} > {path.name}.utf8 and replace the file with it",
                )
            )
        except OSError as error:
            problems.append(
                Problem(shown_path(path), 1, 1, "error", "file-unreadable", f"cannot read the file: {error.strerror}")
            )
    return texts, problems


def load_released(cards_dir: Path) -> tuple[Released, list[Problem]]:
    """The committed record of released cards (see `release`); an absent file means nothing was released yet."""
    path = cards_dir / RELEASED_FILE
    shown = shown_path(path)
    empty = Released(shown, 0, {}, {})
    if not path.is_file():
        return empty, []
    try:
        text = path.read_bytes().decode("utf-8")
        data = json.loads(text)
        lines = {
            key: number
            for number, line in enumerate(text.splitlines(), 1)
            for key in re.findall(r'^\s*"([^"]+)": \{"hash"', line)
        }
        cards = {
            card_id: Record(
                entry["hash"],
                int(entry["mod"]),
                entry["type"],
                lines.get(card_id, 1),
                dict(entry.get("parts", {})),
                tuple(entry.get("changes", ())),
            )
            for card_id, entry in data["cards"].items()
        }
        note_types = {
            name: Record(
                entry["hash"],
                int(entry["mod"]),
                line=lines.get(name, 1),
                shape={key: entry[key] for key in ("id", "fields", "templates") if key in entry},
            )
            for name, entry in data["note_types"].items()
        }
        deck_id = int(data["deck_id"])
        version, whats_new = str(data.get("version", "")), dict(data.get("whats_new", {}))
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError) as error:
        problem = Problem(
            shown,
            1,
            1,
            "error",
            "released-format",
            f"the release record does not read ({error}); restore it from git, never edit it by hand",
        )
        return empty, [problem]
    return Released(shown, deck_id, cards, note_types, version, whats_new), []


class FoldedTexts(Mapping):
    """The seeds' texts as excerpts are matched (text.fold), each folded the first time a check reads it, and kept
    folded in the cache: folding five books takes longer than the rest of a warm `validate`. `raw` keeps the texts
    as read (None for a seed that does not read)."""

    def __init__(self, raw: dict[str, str | None], cache: Cache = NO_CACHE):
        self.raw = raw
        self.cache = cache
        self._folded: dict[str, str | None] = {}

    def __getitem__(self, name: str) -> str | None:
        if name not in self._folded:
            text = self.raw[name]
            self._folded[name] = None if text is None else self._fold(name, text)
        return self._folded[name]

    def _fold(self, name: str, text: str) -> str:
        key = self.cache.digest("fold", name, text) if self.cache.enabled else ""
        folded = self.cache.load("fold", name, key) if key else None
        if not isinstance(folded, str):
            folded = fold(text)
            if key:
                self.cache.store("fold", name, key, folded)
        return folded

    def __contains__(self, name) -> bool:  # without folding the text, as Mapping's own would
        return name in self.raw

    def __iter__(self):
        return iter(self.raw)

    def __len__(self):
        return len(self.raw)


def load_setting(cards_dir: Path, seeds_dir: Path, cache: Cache = NO_CACHE) -> Project:
    """Everything of a project but its cards: deck.yaml, released.json, the seeds, and the problems of reading them."""
    deck, deck_problems = load_deck(cards_dir)
    released, released_problems = load_released(cards_dir)
    seed_texts, seed_problems = read_seeds(seeds_dir)
    seeds = None
    if seed_texts is not None:
        # A seed that does not read (not UTF-8) is there: its one problem says why, no card's does.
        seeds = FoldedTexts(seed_texts | {Path(problem.path).name: None for problem in seed_problems}, cache)
    problems = deck_problems + misnamed_card_files(cards_dir) + released_problems + seed_problems
    return Project(deck, [], seeds, released, problems, 1)


def load_project(cards_dir: Path, seeds_dir: Path, cache: Cache = NO_CACHE) -> Project:
    """The whole project, every card file parsed (from the cache where a file did not change)."""
    project = load_setting(cards_dir, seeds_dir, cache)
    files = read_card_files(card_files(cards_dir), cache)
    cards = cards_of(files)
    deck = project.deck
    if deck is not None:
        deck = dataclasses.replace(deck, occasion_speakers=occasion_speakers(quote_speakers(cards)))
    return dataclasses.replace(project, deck=deck, cards=cards, files=files, files_checked=len(files) + 1, cache=cache)
