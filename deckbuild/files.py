"""Files: the package's assets, paths as a user typed them, and atomic writes (a file is whole or untouched)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path


def asset(name: str) -> str:
    """A file of deckbuild/assets/, as written (bytes decoded, no newline translation: CSP hashes and note-type hashes
    are computed from these exact characters)."""
    return resources.files("deckbuild").joinpath("assets").joinpath(name).read_bytes().decode("utf-8")


def shown_path(path: Path) -> str:
    """Paths in messages are relative to the current directory, as a user typed them."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@contextlib.contextmanager
def atomic_output(path: Path, mode: int = 0o644) -> Iterator[Path]:
    """A temporary file beside path, renamed over it when the block succeeds and removed when it fails: readers see
    the old file or the new one, never half of one, and a failed run leaves no trace (not even a new folder). The
    file gets `mode` (a secret: 0o600) before anyone can see it under its name."""
    created = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
        created = []
    finally:
        Path(temporary).unlink(missing_ok=True)
        for folder in created:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()
