"""A cache of parsed and checked card files: validating again after an edit parses only the files that changed.

Entries live in `.build-deck-cache/` beside the cards folder (the README names it, .gitignore lists it; deleting
it is always safe). Each card file has at most two entries, each seed one, keyed by a hash of the content and path:
  parse   the file's nodes and its load problems (kept by build, preview and release, which compile the cards)
  check   the file's checks (validation.FileCheck): its load problems, the problems of each of its cards alone (the
          card rules and lint), and the facts of its cards that the rules across cards read (deckrules.CardFacts).
          They also depend on the seeds' texts and deck.yaml: their hashes are in the key
  found   the excerpts of a file's cards found in the seeds: after an edit, those of the other cards of the file are
          not looked for again
  fold    a seed's text folded as excerpts are matched
  index   the near-duplicate keys of the whole deck, sorted (keyindex)
So a warm `validate` reads each card file and hashes it, and parses and checks only the files that changed; the rules
across cards (duplicate ids, near-duplicates, themes) run on the facts of all. Every key includes a fingerprint of the
tool's own code and the Python and PyYAML versions, so an entry is never trusted across versions, nor across edits of
the tool during development. Entries are pickles signed with a key kept outside the project (in the user's cache
folder): a cache folder that came with a cloned project is never unpickled. Writes are atomic (a temporary file
renamed into place); an unreadable, corrupt or unsigned entry is a miss. `validate` removes the entries of files that
are gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import sys
from pathlib import Path

import yaml

from deckbuild.files import atomic_output

CACHE_DIR = ".build-deck-cache"


def code_fingerprint() -> bytes:
    """What the cached results depend on besides the input: the tool's code and the libraries that read YAML."""
    digest = hashlib.sha256(f"{sys.version}\0{yaml.__version__}\0{yaml.__with_libyaml__}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def signing_key() -> bytes | None:
    """A secret of this user's, made once, outside any project; None when there is nowhere to keep it."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(home) / "build-deck" / "key"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path, mode=0o600) as temporary:
            temporary.write_bytes(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        return None


class Cache:
    """Cached results by key; a Cache(None) never hits and never writes (--no-cache)."""

    def __init__(self, folder: Path | None):
        self.key = signing_key() if folder is not None else None
        self.folder = folder if self.key is not None else None
        self.salt = code_fingerprint() if self.folder is not None else b""

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def digest(self, *parts: bytes | str) -> str:
        digest = hashlib.sha256(self.salt)
        for part in parts:
            part = part.encode() if isinstance(part, str) else part
            digest.update(len(part).to_bytes(8, "little") + part)
        return digest.hexdigest()

    def _path(self, folder: Path, kind: str, name: str) -> Path:
        # One entry per kind and file: the entry of a file's previous content is replaced, never piled up.
        return folder / f"{kind}-{hashlib.sha256(name.encode()).hexdigest()[:24]}"

    def load(self, kind: str, name: str, key: str):
        """The value stored for this file under this key, or None."""
        if self.folder is None or self.key is None:
            return None
        try:
            data = self._path(self.folder, kind, name).read_bytes()
        except OSError:
            return None
        stored_key, signature, payload = data[:64], data[64:96], data[96:]
        if stored_key != key.encode() or not hmac.compare_digest(
            signature, hmac.new(self.key, stored_key + payload, "sha256").digest()
        ):
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # a corrupt entry is a miss
            return None

    def keep_only(self, entries: list[tuple[str, str]]) -> None:
        """Remove every entry but those of these (kind, name): the entries of files since deleted or renamed."""
        if self.folder is None:
            return
        kept = {self._path(self.folder, kind, name).name for kind, name in entries} | {".gitignore"}
        with contextlib.suppress(OSError):
            for path in self.folder.iterdir():
                if path.name not in kept and not path.name.startswith("."):  # temporary files of a run in progress
                    path.unlink(missing_ok=True)

    def store(self, kind: str, name: str, key: str, value) -> None:
        if self.folder is None or self.key is None:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        signature = hmac.new(self.key, key.encode() + payload, "sha256").digest()
        try:
            self.folder.mkdir(exist_ok=True)
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n")  # never committed, even where the project's .gitignore does not say so
            with atomic_output(self._path(self.folder, kind, name)) as temporary:
                temporary.write_bytes(key.encode() + signature + payload)
        except OSError:  # a read-only checkout validates all the same, without a cache
            pass


NO_CACHE = Cache(None)
