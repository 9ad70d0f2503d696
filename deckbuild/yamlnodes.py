"""YAML → nodes with positions: every scalar read as text, bad input as Problems, never an exception."""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from deckbuild.files import shown_path
from deckbuild.model import Fields, Items, Problem, Text

CONTROL_CHARACTERS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]))  # but tab, breaks
CONTROL_CHARACTER = re.compile(f"[{re.escape(CONTROL_CHARACTERS)}]")


MAX_NESTING = 16


YAML_BOOLEANS = frozenset(["true", "false", "yes", "no", "on", "off", "y", "n"])


_Parser: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:  # libyaml keeps the marks and is several times faster; the pure-Python parser gives the same problems (tested)
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader


# Both parsers make these events; parse_yaml tells them apart by class identity.
ScalarEvent, MappingStartEvent, MappingEndEvent = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
SequenceStartEvent, SequenceEndEvent = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def parse_yaml(  # noqa: C901 TODO(issue 9): a node builder class and yaml_error_to_problem() (review §3.6); RULES' check then names them
    data: bytes, path: str, expected: str = "a list of cards"
) -> tuple[Text | Items | Fields | None, list[Problem]]:
    """Compose a YAML document into nodes, reading every scalar as text.

    We build the nodes from parser events ourselves instead of using PyYAML's constructor: it keeps every position,
    never guesses types (`no`, `1956`, `1955-05-14` stay text), and stops at the first anchor or alias, so an alias
    bomb costs nothing.
    """

    def problem(mark, rule, message):
        return Problem(path, mark.line + 1, mark.column + 1, "error", rule, message)

    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        col = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1  # in characters
        return None, [
            Problem(
                path,
                line,
                col,
                "error",
                "yaml-encoding",
                f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8",
            )
        ]

    problems: list[Problem] = []
    # The loop below runs once per event (1.3 million for 50,000 cards): its state is in local variables, each node is
    # made with tuple.__new__ (the named tuples' own __new__ is a Python function), and the rare cases (anchors, tags,
    # control characters, bad keys) cost one test in the common one.
    new = tuple.__new__
    search = CONTROL_CHARACTER.search
    # A scalar holds a control character only if its file does (both readers refuse one there; every scalar is still
    # searched) or as an escape ("\x1f") in double quotes. A file with neither, without a backslash as most are, has
    # no scalar searched. Thirty scans of the text for one character each take a twentieth of one regex search's time.
    raw_control = any(character in source for character in CONTROL_CHARACTERS)
    escapes = raw_control or "\\" in source
    top: list = []  # the root node, once read
    stack: list[tuple] = []  # the enclosing containers' state, saved while a nested one is open
    node: Text | Items | Fields | None
    container: Items | Fields | None = None
    entries: dict | None = None  # the open mapping's entries, or None in a list or at the top
    append = top.append  # the open list's (or the top's) append
    key = None  # a mapping key whose value comes next
    documents = 0
    parser = None
    try:
        parser = _Parser(source)  # the pure-Python reader checks characters here already
        get_event: Callable[[], Any] = parser.get_event  # each branch below has checked the event's kind
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
                mark = event.start_mark
                if event.anchor or event.tag is not None:
                    if event.anchor:
                        problems.append(
                            problem(
                                mark,
                                "yaml-alias",
                                f"YAML anchor '&{event.anchor}' is not allowed; write the value out in full",
                            )
                        )
                        return None, problems
                    if event.tag not in (None, "!"):
                        problems.append(
                            problem(mark, "yaml-tag", f"explicit tag '{event.tag}' is not allowed; write plain values")
                        )
                if kind is ScalarEvent:
                    value = event.value
                    style = event.style
                    node = new(Text, (value, mark.line + 1, mark.column + 1, not style))
                    if escapes and (raw_control or style == '"') and (control := search(value)):
                        # written as an escape ("\x1f"): Anki would split the note's fields on it
                        problems.append(
                            problem(
                                mark,
                                "text-control",
                                f"the control character U+{ord(control.group()):04X} is not allowed in text; remove it",
                            )
                        )
                elif len(stack) >= MAX_NESTING:
                    problems.append(
                        problem(
                            mark,
                            "yaml-syntax",
                            f"lists and mappings nested more than {MAX_NESTING} deep; a card needs three",
                        )
                    )
                    return None, problems
                else:
                    stack.append((container, entries, append, key))
                    key = None
                    if kind is MappingStartEvent:
                        entries = {}
                        container = new(Fields, (entries, mark.line + 1, mark.column + 1))
                    else:
                        items: list = []
                        entries, append = None, items.append
                        container = new(Items, (items, mark.line + 1, mark.column + 1))
                    continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                node = container
                container, entries, append, key = stack.pop()
            elif kind is yaml.AliasEvent:
                problems.append(
                    problem(
                        event.start_mark,
                        "yaml-alias",
                        f"YAML alias '*{event.anchor}' is not allowed; write the value out in full",
                    )
                )
                return None, problems
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    problems.append(
                        problem(
                            event.start_mark,
                            "yaml-multi-doc",
                            "a second YAML document ('---'); keep one document per file",
                        )
                    )
                    return None, problems
                continue
            elif kind is yaml.StreamEndEvent:
                break
            else:  # stream start, document end
                continue
            if entries is None:
                append(node)
            elif key is None:
                key = node  # its value comes next
            elif type(key) is Text and key.value not in entries:
                entries[key.value] = (key, node)
                key = None
            else:
                if type(key) is not Text:
                    problems.append(
                        Problem(path, key.line, key.col, "error", "yaml-key", "a mapping key must be plain text")
                    )
                else:
                    first = entries[key.value][0]
                    problems.append(
                        Problem.error(
                            path,
                            key,
                            "yaml-duplicate-key",
                            f"duplicate key '{key.value}', first given at line {first.line}; keep one of them",
                        )
                    )
                key = None
    except yaml.MarkedYAMLError as error:
        # An unclosed quote or bracket is found at the end of the file; where it was opened is more use.
        at_end = "end of stream" in (error.problem or "")
        mark = (error.context_mark if at_end else None) or error.problem_mark or error.context_mark
        line, col, message = syntax_message(source, mark, error)
        problems.append(Problem(path, line, col, "error", "yaml-syntax", message))
        return None, problems
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        # libyaml counts bytes of the UTF-8 text, the pure-Python reader characters.
        if _Parser.__module__ == "yaml.cyaml":
            before = source.encode("utf-8")[: error.position].decode("utf-8", errors="ignore")
        else:
            before = source[: error.position]
        line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
        code = error.character if isinstance(error.character, int) else ord(error.character)
        message = f"the control character U+{code:04X} is not allowed in YAML; remove it"
        problems.append(Problem(path, line, col, "error", "text-control", message))
        return None, problems
    except yaml.YAMLError as error:  # anything else the parser refuses, without a position
        problems.append(
            Problem(path, 1, 1, "error", "yaml-syntax", f"YAML does not parse: {str(error).splitlines()[0]}")
        )
        return None, problems
    finally:
        if parser is not None:
            parser.dispose()
    root = top[0] if top else None
    if root is None:
        # The caller knows what the file holds; the parser does not guess it from the file name (D9).
        problems.append(Problem(path, 1, 1, "error", "yaml-empty", f"the file is empty; write {expected}"))
    return root, problems


def syntax_message(source: str, mark: Any, error: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """Where a YAML syntax error is, and what to write instead: the newcomer's two traps, a tab and a straight quote
    inside a quoted value, are named as such (both parsers word them as indentation or token errors)."""
    lines = source.splitlines() or [""]
    line = lines[min(mark.line, len(lines) - 1)]
    tab = line.find("\t") if "tab" in (error.problem or "") or line[mark.column : mark.column + 1] == "\t" else -1
    if tab >= 0:
        where = "YAML indents with spaces only" if not line[:tab].strip() else "YAML does not allow a tab here"
        return mark.line + 1, tab + 1, f"a tab character; {where}: replace the tab with spaces"
    before = line[: mark.column].rstrip()
    quote = before[-1:]
    if quote in ('"', "'") and before.count(quote) >= 2 and error.problem_mark is mark:
        col = len(before)
        if quote == '"':
            message = (
                'a straight " inside a double-quoted value ends the value here; write \\" for a quotation mark '
                "inside it, or put single quotes around the value"
            )
        else:
            message = (
                "a straight ' inside a single-quoted value ends the value here; write '' (two) for an apostrophe "
                "inside it, or put double quotes around the value"
            )
        return mark.line + 1, col, message  # type: ignore[union-attr]  # `is` narrowed it to problem_mark's Mark | None
    what = " ".join(part for part in (error.context, error.problem) if part)
    return (
        mark.line + 1,
        mark.column + 1,
        f"YAML does not parse: {what}; check the indentation and quote text that contains ': ' or ' #'",
    )


def read_yaml_file(path: Path, expected: str = "a list of cards") -> tuple[Text | Items | Fields | None, list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [
            Problem(shown_path(path), 1, 1, "error", "file-unreadable", f"cannot read the file: {error.strerror}")
        ]
    return parse_yaml(data, shown_path(path), expected)


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector: the pipeline makes millions of small acyclic objects, and the collector
    would rescan every one of them again and again as they accumulate (a superlinear cost on large decks)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
