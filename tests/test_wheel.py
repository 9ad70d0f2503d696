"""The tool as a user installs it: the wheel built from this checkout, installed in a fresh virtualenv, run from
outside the checkout. A template, style sheet or script left out of the package data fails here, not on a user's
machine."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import ROOT

NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "dist", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"
)


def call(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def without_checkout() -> dict:
    """The environment without anything that would point Python at the checkout (or pip at its metadata)."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "SOURCE_DATE_EPOCH")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh virtualenv holding the wheel of this checkout. Its dependencies come from the environment
    running the tests (a .pth file appends that environment's site-packages after the venv's own), so the test
    needs no network; the tool itself can only come from the wheel."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy, so that building leaves nothing in the checkout
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    wheels = work / "wheels"
    call(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), ".", cwd=source)
    [wheel] = wheels.glob("build_deck-*.whl")
    environment = work / "venv"
    venv.create(environment, with_pip=False)
    python = environment / ("Scripts" if os.name == "nt" else "bin") / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)]
    call(*pip, cwd=work, env=without_checkout())
    # Only now the dependencies: had pip seen the environment's own build-deck, it would have installed nothing.
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(environment), "platbase": str(environment)}))
    outer = {*site.getsitepackages(), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (purelib / "outer-environment.pth").write_text("\n".join(sorted(outer)) + "\n", encoding="utf-8")
    return python.parent


@pytest.fixture
def clean_env() -> dict:
    return without_checkout()


@pytest.fixture
def real_project(tmp_path) -> Path:
    for folder in ("cards", "seeds"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_the_tool_runs_from_the_wheel_not_from_the_checkout(installed, real_project, clean_env):
    where = call(
        str(installed / "python"), "-c", "import build_deck, deckbuild; print(build_deck.__file__, deckbuild.__file__)",
        cwd=real_project, env=clean_env,
    )  # fmt: skip
    for path in where.stdout.split():
        assert Path(path).is_relative_to(installed.parent), path


def test_the_installed_tool_builds_the_deck_and_its_preview(installed, real_project, clean_env):
    preview = call(str(installed / "build-deck"), "preview", cwd=real_project, env=clean_env)
    [page] = (real_project / "dist").glob("*.html")
    assert preview.stdout.startswith(f"wrote {Path('dist') / page.name}: ")
    text = page.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in text and "function fold(text)" in text and ".pv-note {" in text
    assert ".card {" in text  # the cards' own style sheet

    build = call(str(installed / "build-deck"), "build", cwd=real_project, env=clean_env)
    packages = list((real_project / "dist").glob("*.apkg"))
    assert len(packages) == 1 and packages[0].stat().st_size > 0
    assert f"wrote {Path('dist') / packages[0].name}" in build.stdout


def test_the_installed_tool_starts_a_deck_of_ones_own(installed, tmp_path, clean_env):
    call(str(installed / "build-deck"), "init", "mine", cwd=tmp_path, env=clean_env)
    assert (tmp_path / "mine/cards/deck.yaml").is_file() and list((tmp_path / "mine/seeds").iterdir())
    call(str(installed / "build-deck"), "validate", cwd=tmp_path / "mine", env=clean_env)
