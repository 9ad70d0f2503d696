"""`build-deck validate`: every problem in every file, at the offending value, with a rule id."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run
from deckbuild.lint import LINT_RULES
from deckbuild.model import RULES

INVALID = FIXTURES / "invalid"

# fixture in tests/fixtures/invalid → where the problem is (line:col in that file), and its rule.
# Card fixtures are dropped in as cards/case.yaml beside the valid cards; deck-* fixtures replace cards/deck.yaml.
CASES = [
    ("yaml-syntax.yaml", "3:10", "yaml-syntax"),  # an unclosed quote: reported where it opens
    ("yaml-syntax-colon.yaml", "2:14", "yaml-syntax"),
    ("yaml-nesting.yaml", "1:24", "yaml-syntax"),  # an answer to a stack overflow, reported where it goes too deep
    ("text-control.yaml", "4:10", "text-control"),
    ("yaml-encoding.yaml", "3:14", "yaml-encoding"),
    ("yaml-empty.yaml", "1:1", "yaml-empty"),
    ("yaml-empty-comment.yaml", "1:1", "yaml-empty"),
    ("yaml-duplicate-key.yaml", "6:3", "yaml-duplicate-key"),
    ("yaml-anchor.yaml", "1:7", "yaml-alias"),
    ("yaml-alias-bomb.yaml", "1:4", "yaml-alias"),
    ("yaml-multi-doc.yaml", "3:1", "yaml-multi-doc"),
    ("yaml-tag.yaml", "4:10", "yaml-tag"),
    ("top-level.yaml", "1:1", "top-level"),
    ("card-shape.yaml", "1:3", "card-shape"),
    ("field-required.yaml", "1:3", "field-required"),
    ("field-unknown.yaml", "6:3", "field-unknown"),
    ("field-empty.yaml", "4:3", "field-empty"),
    ("field-shape-list.yaml", "4:10", "field-shape"),
    ("field-shape-text.yaml", "3:11", "field-shape"),
    ("date-impossible.yaml", "5:9", "date-format"),
    ("date-month.yaml", "5:9", "date-format"),
    ("date-form.yaml", "5:9", "date-format"),
    ("date-order.yaml", "6:8", "date-order"),
    ("id-format.yaml", "1:7", "id-format"),
    ("id-unique.yaml", "1:7", "id-unique"),
    ("type-known.yaml", "2:9", "type-known"),
    ("theme-known.yaml", "3:12", "theme-known"),
    ("source-seed-missing.yaml", "6:18", "source-seed"),
    ("source-seed-path.yaml", "6:18", "source-seed"),
    ("source-seed-absolute.yaml", "6:18", "source-seed"),
    ("source-quote.yaml", "6:43", "source-quote"),
    ("quote-text.yaml", "4:9", "quote-text"),
    ("html-markup.yaml", "4:10", "html-markup"),
    ("lint-known.yaml", "7:10", "lint-known"),
    ("lint-reason.yaml", "8:5", "lint-reason"),
    ("duplicate-prompt.yaml", "4:10", "duplicate-prompt"),
    ("near-duplicate.yaml", "4:10", "near-duplicate"),
    ("deck-format.yaml", "2:7", "deck-format"),
    ("deck-theme-unused.yaml", "12:9", "theme-unused"),
]


@pytest.mark.parametrize(("fixture", "position", "rule"), CASES, ids=[case[0] for case in CASES])
def test_without_libyaml_each_invalid_input_is_reported_at_the_same_place(
    project, monkeypatch, fixture, position, rule
):
    """PyYAML built without libyaml (the pure-Python parser) gives the same problems at the same line:col."""
    import yaml

    from deckbuild import yamlnodes

    monkeypatch.setattr(yamlnodes, "_Parser", yaml.SafeLoader)
    path = install(fixture)
    result = run("validate")
    problems = [line for line in result.stderr.splitlines() if line.endswith(f"[{rule}]")]
    assert f"{path}:{position}" in [":".join(line.split(":")[:3]) for line in problems], result.stderr


def test_without_libyaml_valid_projects_read_the_same(project, monkeypatch):
    """The pure-Python parser's path on good input: the same cards, the same package, byte for byte; the same
    report on the real deck."""
    import yaml

    from deckbuild import yamlnodes

    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    with_libyaml = (run("validate", "--strict"), run("build", "-o", "c.apkg", env=epoch))
    real_deck = ["--cards", str(ROOT / "cards"), "--seeds", str(ROOT / "seeds")]
    real_with_libyaml = run("validate", "--strict", *real_deck)
    monkeypatch.setattr(yamlnodes, "_Parser", yaml.SafeLoader)
    without = (run("validate", "--strict"), run("build", "-o", "python.apkg", env=epoch))
    assert [(r.exit_code, r.stderr) for r in without] == [(r.exit_code, r.stderr) for r in with_libyaml]
    assert with_libyaml[0].exit_code == 0 and "5 cards" in with_libyaml[0].stderr
    assert (project / "python.apkg").read_bytes() == (project / "c.apkg").read_bytes()
    real_without = run("validate", "--strict", *real_deck)
    assert (real_without.exit_code, real_without.stderr) == (real_with_libyaml.exit_code, real_with_libyaml.stderr)


def install(fixture: str):
    target = "cards/deck.yaml" if fixture.startswith("deck-") else "cards/case.yaml"
    shutil.copy(INVALID / fixture, target)
    return target


@pytest.mark.parametrize(("fixture", "position", "rule"), CASES, ids=[case[0] for case in CASES])
def test_each_invalid_input_is_reported_at_its_value(project, fixture, position, rule):
    path = install(fixture)
    result = run("validate")
    problems = [line for line in result.stderr.splitlines() if line.endswith("]")]
    assert f"{path}:{position}" in [":".join(line.split(":")[:3]) for line in problems if line.endswith(f"[{rule}]")], (
        result.stderr
    )
    warning_only = rule in ("html-markup", "theme-unused", "near-duplicate")
    assert result.exit_code == (0 if warning_only else 1)
    assert "Traceback" not in result.output


def test_every_rule_has_a_case():
    # Rules tested elsewhere, and where.
    elsewhere = (
        {
            "released-id": "test_release.py",
            "released-format": "test_release.py",
            "deck-missing": "test_a_missing_deck_file_is_a_problem_not_a_crash",
            "yaml-key": "test_a_mapping_key_must_be_text",
            "file-unreadable": "test_an_unreadable_file_is_a_problem",
            "file-name": "test_a_card_file_with_another_ending_is_an_error",
            "seed-encoding": "test_the_folders_and_files_around_the_cards_fail_with_messages",
            "left-out": "test_left_out_lines_that_leave_nothing_out_are_warned_about",
            "quote-blank": "test_a_blank_that_is_not_in_the_quotation_is_an_error",
            "seed-title": "test_every_back_names_its_source_by_title_and_asks_for_missing_titles",
        }
        | {rule: "test_lint.py" for rule in LINT_RULES if rule != "near-duplicate"}
        | {
            "seed-reference": "test_learner_text_never_names_a_seed_by_file_or_number",
            "same-answer": "test_a_third_card_of_a_theme_with_the_same_answer_is_flagged",
        }
    )
    assert set(RULES) - {case[2] for case in CASES} - set(elsewhere) == set()
    # ...and the tests named there exist (a deleted test would otherwise leave its rule untested, silently).
    tests = Path(__file__).parent
    source = "\n".join(path.read_text() for path in tests.glob("test_*.py"))
    missing = [
        where
        for where in elsewhere.values()
        if not ((tests / where).is_file() if where.endswith(".py") else f"def {where}(" in source)
    ]
    assert missing == []


def test_a_mapping_key_must_be_text(project):
    (project / "cards/case.yaml").write_text("- id: odd-key\n  [a, b]: value\n")
    assert "cards/case.yaml:2:3: error: a mapping key must be plain text [yaml-key]" in run("validate").stderr


def test_an_unreadable_file_is_a_problem(project):
    (project / "cards/case.yaml").mkdir()
    (project / "cards/case.yaml/inner.yaml").symlink_to(project / "missing.yaml")
    result = run("validate")
    assert "cards/case.yaml/inner.yaml:1:1: error: cannot read the file" in result.stderr
    assert result.exit_code == 1


def test_the_valid_fixture_project_has_no_problems(project):
    result = run("validate")
    assert result.exit_code == 0
    assert result.stderr == "3 files checked, 5 cards, 0 errors, 0 warnings\n"


def test_all_problems_in_all_files_are_reported_at_once_in_order(project):
    install("theme-known.yaml")
    shutil.copy(INVALID / "date-impossible.yaml", "cards/another.yaml")
    shutil.copy(INVALID / "html-markup.yaml", "cards/zz-more.yaml")
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "cards/another.yaml:5:9: error: '1956-02-30' is not a calendar date; write YYYY, YYYY-MM or YYYY-MM-DD "
        "[date-format]",
        "cards/case.yaml:3:12: error: unknown theme 'berln' (did you mean 'berlin'?) [theme-known]",
        "cards/zz-more.yaml:4:10: warning: '<b>' looks like HTML; it will be shown literally, as typed, not "
        "rendered [html-markup]",
        "6 files checked, 8 cards, 2 errors, 1 warning",
    ]


def test_a_duplicate_id_cites_both_places(project):
    install("id-unique.yaml")
    result = run("validate")
    assert (
        "cards/case.yaml:1:7: error: duplicate id 'berlin-wall', first defined at cards/berlin.yaml:2:7"
        in result.stderr
    )


def test_an_unknown_field_suggests_the_near_miss(project):
    install("field-unknown.yaml")
    assert "unknown field 'sorce' (did you mean 'source'?)" in run("validate").stderr


def test_github_format_prints_annotations(project):
    install("theme-known.yaml")
    result = run("validate", "--format", "github")
    assert result.stderr.splitlines()[0] == (
        "::error file=cards/case.yaml,line=3,col=12::unknown theme 'berln' (did you mean 'berlin'?) [theme-known]"
    )


def test_strict_makes_warnings_fail(project):
    install("html-markup.yaml")
    assert run("validate").exit_code == 0
    assert run("validate", "--strict").exit_code == 1


def test_a_missing_deck_file_is_a_problem_not_a_crash(project):
    (project / "cards/deck.yaml").unlink()
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.startswith("cards/deck.yaml:1:1: error: no deck.yaml in cards:")
    assert "[deck-missing]" in result.stderr


def test_values_stay_text(project):
    # `no`, `1956`, `017` and `12:30` are text to us, not a boolean or numbers.
    text = (project / "cards/berlin.yaml").read_text()
    (project / "cards/berlin.yaml").write_text(text.replace('"The Wall stood until 1989."', "no"))
    assert run("validate").exit_code == 0
    from deckbuild.project import load_cards

    cards, _, _ = load_cards(project / "cards")
    wall = next(card for card in cards if card.id == "berlin-wall")
    assert wall.text("notes") == "no"
    assert wall.text("date") == "1961-08-13"


def test_folders_can_be_given_and_paths_are_shown_relative(project, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    install_target = project / "cards/case.yaml"
    shutil.copy(INVALID / "theme-known.yaml", install_target)
    result = run("validate", "--cards", str(project / "cards"), "--seeds", str(project / "seeds"))
    assert result.exit_code == 1
    assert result.stderr.startswith(os.path.relpath(install_target) + ":3:12: error: unknown theme 'berln'")


def test_no_mangled_input_produces_a_traceback(project):
    # Cut, shuffle and corrupt the valid files: the validator must answer with problems, never crash.
    originals = {path: path.read_bytes() for path in (project / "cards").glob("*.yaml")}
    chaos = random.Random(1956)
    for _ in range(150):
        for path, data in originals.items():
            cut = chaos.randrange(len(data))
            choice = chaos.randrange(4)
            if choice == 0:
                mangled = data[:cut]
            elif choice == 1:
                mangled = data[:cut] + bytes([chaos.randrange(256)]) + data[cut + 1 :]
            elif choice == 2:
                lines = data.splitlines(keepends=True)
                chaos.shuffle(lines)
                mangled = b"".join(lines)
            else:
                mangled = data[:cut] + b"\n  - [\n" + data[cut:]
            path.write_bytes(mangled)
        result = run("validate")
        assert result.exit_code in (0, 1), result.output
        assert result.stderr.rstrip().splitlines()[-1].endswith(("warnings", "warning"))


def test_a_card_file_with_another_ending_is_an_error(project):
    shutil.copy(INVALID / "yaml-syntax.yaml", project / "cards/new.yml")
    result = run("validate")
    assert result.exit_code == 1
    assert (
        "cards/new.yml:1:1: error: card files end in .yaml; rename this one to new.yaml or it is not read [file-name]"
        in (result.stderr)
    )


def test_a_control_character_is_reported_at_its_line_and_character(project):
    (project / "cards/case.yaml").write_bytes('- id: "éé\x01x"\n'.encode())
    assert "cards/case.yaml:1:10: error: the control character U+0001 is not allowed" in run("validate").stderr
    (project / "cards/case.yaml").write_bytes('- id: "éé'.encode() + b"\xff" + b'x"\n')
    assert "cards/case.yaml:1:10: error: byte 0xff is not UTF-8" in run("validate").stderr


def test_a_retired_card_takes_a_reason_and_a_theme_is_listed_once(project):
    path = project / "cards/berlin.yaml"
    text = path.read_text()
    path.write_text(
        text.replace('  notes: "The Wall stood until 1989."', "  retired: no").replace(
            "themes: [berlin]\n  event: \"Khrushchev's", "themes: [berlin, berlin]\n  event: \"Khrushchev's"
        )
    )
    result = run("validate")
    assert "cards/berlin.yaml:10:12: error: 'retired' takes the reason, not 'no'" in result.stderr
    assert (
        "cards/berlin.yaml:14:20: error: 'berlin' is listed twice in 'themes'; keep one [field-shape]" in result.stderr
    )


def test_github_annotations_stay_one_line_whatever_the_message(project):
    (project / "cards/case.yaml").write_text('- id: odd\n  type: "da%te\\nx"\n')
    lines = run("validate", "--format", "github").stderr.splitlines()
    assert "::error file=cards/case.yaml,line=2,col=9::unknown type 'da%25te%0Ax'" in "\n".join(lines)


def test_the_folders_and_files_around_the_cards_fail_with_messages(project, monkeypatch):
    (project / "seeds/cuba-essay.txt").write_bytes(b"caf\xe9")
    result = run("validate")
    assert (
        "seeds/cuba-essay.txt:1:4: error: byte 0xe9 is not UTF-8 (the text was saved as Windows-1252 or Latin-1?); "
        "save it as UTF-8" in result.stderr
    )
    (project / "cards/released.json").write_bytes(b"\xff")
    assert "cards/released.json:1:1: error: the release record does not read" in run("validate").stderr
    shutil.rmtree(project / "seeds")
    result = run("validate")
    assert (
        "seeds:1:1: error: there is no seeds folder seeds; create it and put in it the texts your cards cite"
        in result.stderr
    )
    assert "no seed '" not in result.stderr  # said once, not once a source


def test_a_retired_card_may_be_replaced_by_one_asking_the_same(project):
    path = project / "cards/berlin.yaml"
    path.write_text(
        path.read_text().replace('  notes: "The Wall stood until 1989."', '  retired: "replaced by wall-built"')
    )
    shutil.copy(INVALID / "duplicate-prompt.yaml", project / "cards/case.yaml")
    assert "[duplicate-prompt]" not in run("validate").stderr


@pytest.mark.parametrize("date", ["1956-00", "1956-02-00", "1957-02-29", "0000", "56", "1956-2-1"])
def test_a_date_that_is_no_calendar_date_is_refused(project, date):
    path = project / "cards/berlin.yaml"
    path.write_text(path.read_text().replace("date: 1961-08-13", f"date: {date}"))
    result = run("validate")
    assert result.exit_code == 1
    assert f"cards/berlin.yaml:6:9: error: '{date}' is not a" in result.stderr and "[date-format]" in result.stderr


def test_editor_and_file_manager_droppings_are_not_inputs(project):
    """Given the files editors and file managers leave in cards/ and seeds/, validate reads none of them."""
    (project / "seeds/.DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1\xff\xfe")
    (project / "cards/.#berlin.yaml").symlink_to("me@host.1234:1700000000")  # Emacs's lock: a dangling link
    (project / "cards/berlin.yaml~").write_text("- id: [broken")
    (project / "cards/.berlin.yaml.swp").write_bytes(b"\xff\xfe")
    (project / "cards/#cuba.yaml#").write_text("- id: [broken")
    (project / "cards/.git").mkdir()
    (project / "cards/.git/old.yaml").write_text("- id: [broken")
    result = run("validate", "--strict")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "3 files checked, 5 cards, 0 errors, 0 warnings\n"


def test_a_seed_that_is_not_utf8_is_reported_at_its_line_and_column(project):
    (project / "seeds/cuba-essay.txt").write_bytes("First line.\nIn Octob\u00e9r 1962 \u2014 ".encode() + b"caf\xe9")
    result = run("validate")
    assert "seeds/cuba-essay.txt:2:22: error: byte 0xe9 is not UTF-8" in result.stderr
    assert "[seed-encoding]" in result.stderr


def test_an_empty_card_file_is_told_to_hold_cards_whatever_its_name(project):
    (project / "cards/mydeck.yaml").write_text("")
    (project / "cards/deck.yaml").write_text("")
    result = run("validate")
    assert "cards/mydeck.yaml:1:1: error: the file is empty; write a list of cards [yaml-empty]" in result.stderr
    assert "cards/deck.yaml:1:1: error: the file is empty; write a 'deck:' and a 'themes:' section" in result.stderr


def test_without_libyaml_a_control_character_is_a_problem_at_its_character(monkeypatch):
    import yaml

    from deckbuild import yamlnodes

    monkeypatch.setattr(yamlnodes, "_Parser", yaml.SafeLoader)
    root, problems = yamlnodes.parse_yaml('- id: "éé\x01x"\n'.encode(), "x.yaml")
    assert root is None
    assert [(p.line, p.col, p.rule) for p in problems] == [(1, 10, "text-control")]


def test_an_empty_source_is_an_empty_field_like_every_other(project):
    (project / "cards/extra.yaml").write_text(
        '- id: c\n  type: date\n  themes: [berlin]\n  event: "The East German regime seals the border"\n'
        "  date: 1961\n  source:\n"
    )
    problems = [row for row in run("validate").stderr.splitlines() if row.startswith("cards/extra.yaml")]
    assert problems == [
        "cards/extra.yaml:6:10: error: 'source' is empty; cite at least one {seed: …, quote: …} [field-empty]"
    ]


def test_rules_lists_every_rule_once_with_its_severity(project):
    listed = run("rules").stdout.splitlines()
    assert [line.split()[0] for line in listed] == list(RULES)
    assert "same-answer         lint     no more than two cards of a theme with the same answer" in listed
    assert "source-quote        error    a source's excerpt occurs in its seed" in listed


def test_validate_reports_only_the_selected_rules_and_not_the_ignored(project):
    (project / "cards/extra.yaml").write_text(
        '- id: wall-html\n  type: date\n  themes: [berlin]\n  event: "The <b>East German</b> regime seals the Berlin border"\n'
        '  date: 1961-08-13\n  source: {seed: berlin-notes.txt, quote: "sealed the border"}\n'
        '  notes: "The Wall stood until 1989."\n  retired: "only a test"\n  themes2: x\n'
    )
    everything = run("validate").stderr
    assert "[html-markup]" in everything and "[field-unknown]" in everything
    selected = run("validate", "--select", "html-markup")
    assert selected.exit_code == 0 and "[field-unknown]" not in selected.stderr and "[html-markup]" in selected.stderr
    ignored = run("validate", "--ignore", "field-unknown")
    assert ignored.exit_code == 0 and "[field-unknown]" not in ignored.stderr and "[html-markup]" in ignored.stderr
    unknown = run("validate", "--ignore", "html-markup-x")
    assert unknown.exit_code == 2 and "no rule 'html-markup-x' (did you mean 'html-markup'?)" in unknown.stderr


def test_every_rule_names_the_function_that_reports_it():
    """`check` in RULES is documentation a reader follows: the function exists and names the rule's id."""
    import importlib
    import inspect

    for rule in RULES.values():
        module, function = rule.check.split(".")
        source = inspect.getsource(getattr(importlib.import_module(f"deckbuild.{module}"), function))
        assert f'"{rule.id}"' in source or (rule.lint and module == "lint"), rule


def build_deck_process(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`build-deck ARGS` as its own process, through the entry point the installed command runs (build_deck.run)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", "import build_deck; build_deck.run()", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_command_as_a_process_reports_every_problem_and_its_exit_code(project):
    """The process ends at once after its command (build_deck.run): nothing it printed may be lost on the way."""
    shutil.copy(INVALID / "field-required.yaml", project / "cards" / "case.yaml")
    failed = build_deck_process("validate", cwd=project)
    assert failed.returncode == 1
    assert f"cards{os.sep}case.yaml:1:3: error:" in failed.stderr and "[field-required]" in failed.stderr
    assert failed.stderr.rstrip().splitlines()[-1].endswith("1 error, 0 warnings")
    (project / "cards" / "case.yaml").unlink()
    built = build_deck_process("build", "-o", "out.apkg", cwd=project)
    assert (built.returncode, built.stdout.startswith("wrote out.apkg:")) == (0, True), built.stderr
    assert (project / "out.apkg").stat().st_size > 0
    unknown = build_deck_process("build", "--theme", "no-such-theme", cwd=project)
    assert unknown.returncode == 2 and "unknown theme 'no-such-theme'" in unknown.stderr
    assert build_deck_process("--version", cwd=project).stdout.startswith("build-deck, version ")


def test_the_command_as_a_process_with_its_output_closed_still_builds_and_exits_0(project):
    """`build-deck build >&- 2>&-` (a daemon, a cron job): Python has no stdout or stderr then; nothing to flush."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    closed = subprocess.run(
        ["bash", "-c", f'exec "{sys.executable}" -c "import build_deck; build_deck.run()" build -o out.apkg >&- 2>&-'],
        cwd=project, env=env, timeout=120,
    )  # fmt: skip
    assert closed.returncode == 0
    assert (project / "out.apkg").stat().st_size > 0
