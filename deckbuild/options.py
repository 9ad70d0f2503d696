"""What the commands share between them: the folder and check options, SOURCE_DATE_EPOCH, the cache, choices."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from deckbuild.cache import CACHE_DIR, NO_CACHE, Cache
from deckbuild.model import EARLIEST_TIME, LATEST_TIME
from deckbuild.text import ASCII_NUMBER, did_you_mean


def build_time() -> int:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return int(time.time())
    if not ASCII_NUMBER.fullmatch(value.strip()) or int(value) > LATEST_TIME:
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {value!r}")
    if int(value) < EARLIEST_TIME:
        # genanki numbers notes from time × 1000: at 0 the first note id is 0, which breaks a learner's collection.
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH={value.strip()} is before 2000-01-01; a deck cannot be built then (give the time of "
            "the release, e.g. the last commit's: git log -1 --format=%ct)"
        )
    return int(value)


def folder_options(command):
    command = click.option(
        "--seeds",
        "seeds_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default="seeds",
        show_default=True,
        help="Folder of the source texts that cards cite.",
    )(command)
    command = click.option(
        "--cards",
        "cards_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default="cards",
        show_default=True,
        help="Folder of deck.yaml and the card files.",
    )(command)
    return command


def check_options(command):
    command = click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help=f"Check every file afresh, without reading or writing {CACHE_DIR}/ (for CI).",
    )(command)
    command = click.option("--strict", is_flag=True, help="Treat warnings as errors.")(command)
    command = click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "github"]),
        default="text",
        show_default=True,
        help="How to print problems: file:line:col lines, or GitHub annotations.",
    )(command)
    return command


def project_cache(cards_dir: Path, no_cache: bool) -> Cache:
    """The cache of parsed and checked card files, beside the cards folder; none with --no-cache."""
    return NO_CACHE if no_cache else Cache(cards_dir.resolve().parent / CACHE_DIR)


def choose(values: tuple[str, ...], known: list[str], option: str) -> tuple[str, ...]:
    for value in values:
        if value not in known:
            hint = did_you_mean(value, known) or f" (choose from {', '.join(known)})"
            raise click.BadParameter(f"unknown {option[2:]} '{value}'{hint}", param_hint=option)
    return tuple(dict.fromkeys(values))
