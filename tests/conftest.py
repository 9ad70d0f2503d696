"""Shared helpers: a copy of a fixture project as the current directory, the CLI, and real Anki."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import settings

from deckbuild.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
V1 = {"SOURCE_DATE_EPOCH": "1700000000"}  # a release
V2 = {"SOURCE_DATE_EPOCH": "1700086400"}  # the next, a day later
# Hypothesis's 200 ms deadline per example fails the property tests on a busy machine (a first call took 475 ms under
# load), a timing and not a bug: they check results only.
settings.register_profile("build-deck", deadline=None)
settings.load_profile("build-deck")
ANKI_MISSING = "the real-Anki tests need the anki package: pip install '.[test]'"


def pytest_collection_modifyitems(items):
    """Tests that open a real Anki collection carry the `anki` marker: `pytest -m "not anki"` runs the rest."""
    for item in items:
        if "collection" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.anki)


def pytest_sessionfinish(session, exitstatus):
    """In CI (CI set, as .ci/run and GitHub set it) a skipped test fails the run: a skip must never hide a missing
    install step or feature."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; install what they need (see .ci/run)", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def user_cache_folder(tmp_path_factory):
    """The cache's signing key (deckbuild/cache.py) goes to a folder of the test run's, not the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """The valid fixture project (cards/ and seeds/), copied into a temporary current directory."""
    shutil.copytree(FIXTURES / "valid", tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return tmp_path


def run(*args: str, env: dict | None = None):
    """Run `build-deck ARGS` in-process, as a user would from the shell."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def collection(tmp_path):
    """A fresh, empty Anki collection; closed after the test."""
    pytest.importorskip("anki", reason=ANKI_MISSING)
    from anki.collection import Collection

    opened = []

    def make(name: str = "collection.anki2"):
        col = Collection(str(tmp_path / name))
        opened.append(col)
        return col

    yield make
    for col in opened:
        col.close()


def import_package(col, package: Path):
    """Import as a learner does with Anki's default options (update notes and note types if newer)."""
    # From the protobuf module: anki.collection re-exports these only since 24.x, and the oldest supported is 23.10.
    from anki.import_export_pb2 import (
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportAnkiPackageUpdateCondition,
    )

    IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    request = ImportAnkiPackageRequest(
        package_path=str(package.resolve()),
        options=ImportAnkiPackageOptions(
            update_notes=IF_NEWER, update_notetypes=IF_NEWER, merge_notetypes=False, with_scheduling=False
        ),
    )
    log = col.import_anki_package(request).log
    col.models._clear_cache()  # the importer changes note types behind the cache
    return log


def review_state(col):
    """Per card: (note Id, template ordinal) → interval, due, queue and the review log."""
    state = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        revlog = col.db.list("select id from revlog where cid = ? order by id", cid)
        state[(card.note()["Id"], card.ord)] = (card.ivl, card.due, card.queue, card.reps, tuple(revlog))
    return state


def study_every_card(col):
    """Answer every card 'Easy' once through the real scheduler, so each has an interval and a review history."""
    col.decks.select(col.decks.id_for_name("Cold War Crises — Test Deck"))
    answered = 0
    while (card := col.sched.getCard()) is not None:
        col.sched.answerCard(card, 4)
        answered += 1
    return answered


def shipped_cards() -> list[dict]:
    """The cards as plain YAML sees them, independently of the tool."""
    files = sorted(path for path in (ROOT / "cards").glob("*.yaml") if path.name != "deck.yaml")
    return [card for path in files for card in yaml.load(path.read_text(), Loader=yaml.BaseLoader)]
