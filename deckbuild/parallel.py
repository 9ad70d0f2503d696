"""Running work in a second process beside this one, for large decks on machines with several cores."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TypeVar

import click

PARALLEL_FROM = 2000  # cards; below this a second process costs more than it saves


PARALLEL_FILES = 8  # card files, for reading citations in two processes

T = TypeVar("T")

CAN_FORK = hasattr(os, "fork")  # not on Windows: there run_beside runs one after the other


def outcome(work: Callable[[], T]) -> T | Exception:
    """What work() returned, or the exception it raised."""
    try:
        return work()
    except Exception as error:
        return error


def run_beside(check, work, parallel: bool):
    """Run check() in a forked child while work() runs here: the card files to check shared between two cores
    (validation: checked_in_two, and validate_beside, where a build compiles meanwhile), or the texts coverage reads.

    Returns (what check returned, what work returned or the exception it raised: in a build, work runs on unchecked
    input and may fail, and then the check's result says why). Without fork, or when not parallel, the check runs
    first, then work."""

    if not parallel or not CAN_FORK:
        checked = check()
        return checked, outcome(work)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child checks, sends its result and leaves without running any of the parent's clean-ups
        code = 0
        try:
            os.close(reader)
            try:
                data = pickle.dumps(check())
            except BaseException as error:
                data = pickle.dumps(RuntimeError(f"the check failed: {error!r}"))
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(writer)
    done = outcome(work)
    with os.fdopen(reader, "rb") as source:
        data = source.read()
    _, status = os.waitpid(child, 0)
    if not data or os.waitstatus_to_exitcode(status) != 0:
        raise click.ClickException(
            "the check of the cards stopped before it finished (out of memory?); nothing written"
        )
    checked = pickle.loads(data)
    if isinstance(checked, BaseException):
        raise checked
    return checked, done
