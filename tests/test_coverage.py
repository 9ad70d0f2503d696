"""`build-deck coverage` and `suggest`: what the texts say that the deck does not test yet."""

from __future__ import annotations

import json

import yaml

from conftest import ROOT, run

NEW_FACTS = (
    "On 28 October 1962 Khrushchev agreed to remove the missiles from Cuba.\n"
    "Kennedy told his brother: “We will not be the first to blink in this crisis.”\n"
)


def add_to_seed(project, text):
    path = project / "seeds/cuba-essay.txt"
    path.write_text(path.read_text() + text)


def test_every_fact_bearing_passage_of_the_fixture_is_cited(project):
    result = run("coverage")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "seed              passages  cited  left out  uncited",
        "berlin-notes.txt         4      4         0        0",
        "cuba-essay.txt           3      3         0        0",
        "total                    7      7         0        0",
    ]


def test_uncited_passages_are_listed_by_seed_and_line_most_fact_dense_first(project):
    add_to_seed(project, NEW_FACTS)
    result = run("coverage")
    assert result.stdout.splitlines()[2:] == [
        "cuba-essay.txt           5      3         0        2",
        "total                    9      7         0        2",
        "",
        "uncited, most fact-dense first:",
        "cuba-essay.txt:8: [year, date, person] On 28 October 1962 Khrushchev agreed to remove the missiles from Cuba.",
        "cuba-essay.txt:9: [quotation] Kennedy told his brother: “We will not be the first to blink in this crisis.”",
    ]


def test_a_repeated_passage_counts_once_and_left_out_passages_count_apart(project):
    add_to_seed(project, NEW_FACTS + NEW_FACTS)  # pasted twice, as some seeds are
    (project / "seeds/README.md").write_text(
        "# Seeds\n\n## Left out\n\n"
        '- `cuba-essay.txt`: "Kennedy told his brother" — an anecdote the deck does not test\n'
    )
    report = json.loads(run("coverage", "--format", "json").stdout)
    assert report["total"] == {"passages": 9, "cited": 7, "left_out": 1}
    cuba = next(seed for seed in report["seeds"] if seed["seed"] == "cuba-essay.txt")
    assert (cuba["passages"], cuba["cited"], cuba["left_out"]) == (5, 3, 1)
    assert cuba["uncited"] == [
        {
            "line": 8,
            "text": "On 28 October 1962 Khrushchev agreed to remove the missiles from Cuba.",
            "facts": ["year", "date", "person"],
        }
    ]


def test_a_card_citing_a_passage_covers_it(project):
    add_to_seed(project, NEW_FACTS)
    cards = project / "cards/cuba.yaml"
    cards.write_text(
        cards.read_text()
        + """
- id: missiles-withdrawal-agreed
  type: date
  themes: [cuba]
  event: "Khrushchev agrees to remove the Soviet missiles from Cuba"
  date: 1962-10-28
  source: {seed: cuba-essay.txt, quote: "On 28 October 1962 Khrushchev agreed"}
"""
    )
    report = json.loads(run("coverage", "--format", "json").stdout)
    assert report["total"] == {"passages": 9, "cited": 8, "left_out": 0}


def test_suggest_drafts_cards_that_validate_once_a_human_fills_the_wording(project):
    add_to_seed(project, NEW_FACTS)
    result = run("suggest", "seeds/cuba-essay.txt")
    assert result.exit_code == 0
    drafts = yaml.load(result.stdout, Loader=yaml.BaseLoader)
    assert [(d["id"], d["type"], d["themes"]) for d in drafts] == [
        ("khrushchev-agreed-remove-missiles-cuba", "date", ["cuba"]),  # no words: in deck.yaml, no subject words
        ("quote-we-will-not-be-the", "quote", ["cuba"]),  # no card names the speaker,
    ]
    date_draft, quote_draft = drafts
    assert date_draft["date"] == "1962-10-28" and date_draft["event"] == ""
    assert date_draft["source"] == {
        "seed": "cuba-essay.txt",
        "quote": "On 28 October 1962 Khrushchev agreed to remove the missiles from Cuba.",
    }
    assert quote_draft["text"] == "We will not be the first to blink in this crisis."
    assert "# TODO: what happened" in result.stdout

    # As printed, the drafts are only missing the wording a human writes:
    (project / "cards/drafts.yaml").write_text(result.stdout)
    problems = run("validate").stderr
    assert "[source-quote]" not in problems and "[quote-text]" not in problems and "[yaml-" not in problems
    assert (
        "cards/drafts.yaml:5:3: error: 'event' is empty; a date card needs it: write a value [field-empty]" in problems
    )

    filled = (
        result.stdout.replace('event: ""', 'event: "Khrushchev agrees to withdraw the Soviet missiles from Cuba"')
        .replace('speaker: ""', 'speaker: "Robert Kennedy"')
        .replace('context: ""', 'context: "Telling his brother of the resolve of the White House"')
    )
    (project / "cards/drafts.yaml").write_text(filled)
    result = run("validate")
    assert result.exit_code == 0, result.stderr


def test_suggest_names_an_unknown_seed(project):
    result = run("suggest", "cuba-esay.txt")
    assert result.exit_code == 2
    assert "no seed 'cuba-esay.txt' in seeds (did you mean 'cuba-essay.txt'?)" in result.stderr


def test_suggest_has_nothing_to_say_when_all_is_cited(project):
    assert run("suggest").stdout == "# every fact-bearing passage is cited or left out: nothing to suggest\n"


def test_every_fact_bearing_passage_of_our_texts_is_cited_or_left_out(monkeypatch):
    monkeypatch.chdir(ROOT)
    report = json.loads(run("coverage", "--format", "json").stdout)
    assert [(seed["seed"], seed["uncited"]) for seed in report["seeds"] if seed["uncited"]] == []
    assert report["total"]["cited"] > 0


def test_coverage_and_suggest_fail_without_readable_seeds(project):
    """Given no seeds folder, or a seed that does not read, coverage and suggest say so instead of reporting 0."""
    for command in ("coverage", "suggest"):
        result = run(command, "--seeds", "nowhere")
        assert result.exit_code == 1
        assert (
            "nowhere:1:1: error: there is no seeds folder nowhere; create it and put in it the texts your cards cite"
            in result.stderr
        )
        assert "build-deck: cannot read every text in the seeds folder" in result.stderr
    (project / "seeds/cuba-essay.txt").write_bytes(b"caf\xe9")
    for command in ("coverage", "suggest"):
        result = run(command)
        assert result.exit_code == 1
        assert "seeds/cuba-essay.txt:1:4: error: byte 0xe9 is not UTF-8" in result.stderr


def test_left_out_lines_that_leave_nothing_out_are_warned_about(project):
    """Given a `## Left out` section with a good line, a malformed one, an unknown seed and words not in the text,
    coverage and suggest warn at each bad line of seeds/README.md and still run."""
    first_words = " ".join((project / "seeds/cuba-essay.txt").read_text().split()[:4])
    (project / "seeds/README.md").write_text(
        "# Seeds\n\n## Left out\n\n"
        f'- `cuba-essay.txt`: "{first_words}" — page furniture\n'
        "- cuba-essay.txt: no quotes here\n"
        '- `cuba-esay.txt`: "anything" — a typo in the name\n'
        '- `cuba-essay.txt`: "words the essay never uses" — not in the text\n'
        "\n## Errata\n\n- not a left-out line\n"
    )
    for command in ("coverage", "suggest"):
        result = run(command)
        assert result.exit_code == 0
        warnings = [line for line in result.stderr.splitlines() if "[left-out]" in line]
        assert warnings == [
            'seeds/README.md:6:1: warning: this line does not read; write - `SEED`: "the exact words" — why it '
            "is left out [left-out]",
            "seeds/README.md:7:1: warning: no seed 'cuba-esay.txt' in seeds (did you mean 'cuba-essay.txt'?) [left-out]",
            "seeds/README.md:8:1: warning: the words in quotes are not in cuba-essay.txt, so nothing is left out; "
            "copy them from the text [left-out]",
        ]


def test_a_hard_wrapped_sentence_is_one_passage_and_a_heading_is_not_part_of_it():
    from deckbuild.text import sentence_spans

    text = (
        "Cuba, 1962\n\n"
        "On 28 October 1962 Khrushchev agreed to remove the\n"
        "missiles from Cuba. Kennedy promised not to invade.\n\n"
        "Nikita Khrushchev\n"
        "Born in 1894 in Kalinovka.\n"
    )
    assert [text[start:end] for start, end in sentence_spans(text)] == [
        "Cuba, 1962",
        "On 28 October 1962 Khrushchev agreed to remove the\nmissiles from Cuba.",
        "Kennedy promised not to invade.",
        "Nikita Khrushchev",
        "Born in 1894 in Kalinovka.",
    ]


def one_file_per_card(project):
    """The fixture's cards, one card file each: enough files for the two processes to share."""
    for path in sorted((project / "cards").glob("*.yaml")):
        if path.name == "deck.yaml":
            continue
        text = path.read_text()
        header, *cards = text.split("\n- id: ") if not text.startswith("- id: ") else ["", *text[6:].split("\n- id: ")]
        path.unlink()
        for card in cards:
            name = card.split("\n", 1)[0].strip()
            (project / f"cards/{name}.yaml").write_text(f"{header}\n- id: {card.rstrip()}\n".lstrip("\n"))


def test_coverage_and_suggest_in_two_processes_say_what_one_process_says(project, monkeypatch):
    """The parallel path, tested directly: deckbuild.parallel.PARALLEL_FILES lowered, read where it is used."""
    from deckbuild import coverage, parallel

    one_file_per_card(project)
    add_to_seed(project, NEW_FACTS)
    assert run("validate").exit_code == 0
    taken = []
    run_beside = coverage.run_beside
    monkeypatch.setattr(coverage, "run_beside", lambda *a, **k: taken.append(k["parallel"]) or run_beside(*a, **k))

    outputs = {}
    for files in (10**9, 2):
        monkeypatch.setattr(parallel, "PARALLEL_FILES", files)
        outputs[files] = [run("coverage", "--format", "json"), run("suggest")]
    assert taken == [False, False, True, True]
    one, two = ([(r.exit_code, r.stdout, r.stderr) for r in results] for results in outputs.values())
    assert two == one
    assert json.loads(one[0][1])["total"]["cited"] > 0 and "Khrushchev agreed" in one[1][1]
