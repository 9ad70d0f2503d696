"""The deck in the Anki desktop app: what a learner sees in the reviewer after Show Answer (issue 11, item 5).

Given one card of every note type, each with a long back (long notes, several source excerpts), built with
`build-deck build`, imported through Anki's own File → Import dialog with its default options and studied in its
reviewer, light and night, in a window 1200 px and 400 px (phone) wide: after Show Answer the prompt is still in
view, nothing overflows sideways at phone width, night mode shows the deck's own colours, every text passes WCAG AA,
and there is a screenshot of every back (in $DESKTOP_SCREENSHOTS when set, for the README).

Each width and theme is one Anki process under a virtual screen (tests/desktop_driver.py); the four run side by side
once per session and report JSON, which the tests read.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.desktop

ROOT = Path(__file__).parent.parent
DRIVER = Path(__file__).parent / "desktop_driver.py"
WIDTHS = (400, 1200)
HEIGHT = 800
THEMES = ("light", "night")
WCAG_AA = 4.5  # normal-size text
CARDS_STUDIED = 10  # every template: date 1, person 2, treaty 2, quote 2 (who said it, complete it), term 2, question 1

SEED = """\
Notes on Soviet foreign policy, 1955-1956, written for the desktop tests.

In May 1955 the four occupying powers signed the Austrian State Treaty in Vienna and agreed to withdraw their troops from Austria.
The treaty ended ten years of four-power occupation, and Austria declared itself permanently neutral in October of the same year.
Soviet negotiators had accepted the treaty once Vienna promised, in the Moscow Memorandum of April 1955, to stay out of any military alliance.
Western diplomats read the Soviet change of course as a sign that the collective leadership wanted to lower tensions in Europe.
The last Soviet soldiers left Austrian soil in September 1955, shortly before the neutrality law was passed in Vienna.
Molotov had resisted the settlement for years, and Khrushchev later counted it among the first successes of the new course.
The treaty also forbade any union between Austria and Germany and limited the size of the Austrian army.
Austria paid the Soviet Union for the German assets in its eastern zone, largely in deliveries of oil over ten years.
Andrei Gromyko, born on 18 July 1909 and died on 2 July 1989, served as Soviet foreign minister from 1957 to 1985.
Gromyko had been ambassador to the United States and permanent representative at the United Nations before he led the ministry.
Western diplomats called him "Mr Nyet" for the number of times he said no in the Security Council.
He outlasted Khrushchev, Brezhnev, Andropov and Chernenko at the foreign ministry, and became head of state in 1985.
At the Yalta and Potsdam conferences Gromyko sat close to Stalin as a young diplomat and took notes on the talks.
In October 1962 he assured President Kennedy that only defensive weapons were being sent to Cuba.
He negotiated the Limited Test Ban Treaty of 1963 and, years later, the first agreements on strategic arms.
His memoirs, published in 1988, say little about the decisions he took part in and much about the leaders he met.
On 25 February 1956, at a closed session of the Twentieth Party Congress, Khrushchev denounced Stalin in the Secret Speech.
The speech, titled "On the Cult of Personality and Its Consequences", lasted about four hours and was not published in the Soviet Union until 1989.
Delegates heard a list of Stalin's crimes against loyal party members, read from documents gathered by a commission under Pyotr Pospelov.
Copies of the speech were read out at party meetings across the country in the weeks that followed, and a copy reached the West by June.
The speech shook communist parties abroad and helped set off the unrest in Poland and Hungary later in 1956.
Some delegates fainted as they listened, and others later said that the hall was completely silent when Khrushchev finished.
The speech blamed Stalin alone and kept silent about the part that Khrushchev and the other leaders had played in the purges.
In Georgia, students who defended Stalin's memory were fired on by troops in Tbilisi in March 1956.
In November 1956, at a reception for Western ambassadors in Moscow, Khrushchev told them: "Whether you like it or not, history is on our side. We will bury you."
Khrushchev later explained that he had meant that communism would outlive capitalism, not that the Soviet Union would destroy the West.
The ambassadors of twelve NATO countries and Israel walked out of the reception in protest.
American newspapers printed the phrase on their front pages, and it was quoted for decades as a threat.
The reception was held at the Polish embassy, in the week in which Soviet troops put down the Hungarian uprising.
On his visit to the United States in 1959 Khrushchev was asked about the words again and answered that he had been misunderstood.
Soviet interpreters said that the Russian phrase meant "we will outlive you" or "we will be present at your funeral".
"""

DECK = """\
deck:
  id: 1999000111
  name: "Desktop Test Deck"
  description: "One card of every type, with long backs, for the desktop tests."
  tag_prefix: desktoptest
themes:
  - id: thaw
    title: The Thaw
    description: "Soviet foreign policy after Stalin."
seeds:
  - file: desktop-notes.txt
    title: "Notes on Soviet foreign policy, 1955–1956"
"""


def sources(*sentences: str) -> str:
    """YAML source entries citing whole sentences of the seed."""
    return "".join(f"\n    - seed: desktop-notes.txt\n      quote: {json.dumps(sentence)}" for sentence in sentences)


def cited(start: str, count: int) -> list[str]:
    """`count` consecutive sentences (lines) of the seed, from the one that begins with `start`."""
    lines = SEED.splitlines()
    first = next(number for number, line in enumerate(lines) if line.startswith(start))
    return lines[first : first + count]


CARDS = f"""\
- id: secret-speech
  type: date
  themes: [thaw]
  event: "Khrushchev denounces Stalin in the Secret Speech to the Twentieth Party Congress"
  date: 1956-02-25
  source:{sources(*cited("On 25 February 1956", 8))}
  notes: "The speech was given at a closed session after the congress had formally ended, to delegates only; foreign
    communist delegations were not admitted. Its text circulated inside the party in the following weeks and was read
    to millions at workplace meetings, while the Soviet press printed nothing of it. The Central Committee published a
    milder resolution on the cult of personality in June 1956, the same month in which the American government
    released the copy it had obtained through Israeli intelligence. Historians still argue about why Khrushchev took
    the risk: to settle accounts with rivals who had been closer to Stalin, to get ahead of the rehabilitation of the
    victims, or because he believed that the party could not go on without telling some of the truth."

- id: andrei-gromyko
  type: person
  themes: [thaw]
  name: "Andrei Gromyko"
  role: "Soviet foreign minister from 1957 to 1985, called \\"Mr Nyet\\" in the West"
  born: 1909-07-18
  died: 1989-07-02
  source:{sources(*cited("Andrei Gromyko, born", 8))}
  notes: "Gromyko joined the foreign ministry in 1939, when Molotov replaced the old diplomats purged in the terror, and
    was ambassador in Washington at thirty-four. Under Khrushchev he carried out policy rather than making it, and
    Khrushchev once said that Gromyko would sit on a block of ice if told to. His influence grew under Brezhnev, when
    he shaped détente, the arms-control talks and the Helsinki Final Act, and in 1985 he proposed Gorbachev as general
    secretary. Gorbachev then moved him to the largely ceremonial post of head of state and gave the ministry to Eduard
    Shevardnadze, who had no diplomatic experience at all."

- id: austrian-state-treaty
  type: treaty
  themes: [thaw]
  name: "Austrian State Treaty"
  date: 1955-05
  parties: ["the Soviet Union", "the Western Allies", "Austria"]
  terms: "Ended the four-power occupation of Austria, whose troops withdrew from it"
  source:{sources(*cited("In May 1955", 8))}
  notes: "The treaty was signed at the Belvedere Palace in Vienna by the foreign ministers of the Soviet Union, the
    United States, Britain and France, and by Austria's foreign minister Leopold Figl, who showed it to the crowd from
    the balcony. It was the only settlement of the early Cold War in which Soviet troops left a country they occupied.
    Neutrality is not in the treaty itself: the Austrian parliament declared it in a constitutional law of 26 October
    1955, as promised in Moscow that April. Some in the West feared that the Soviet Union meant Austria as a model for
    a neutral, united Germany, which the Western powers did not want."

- id: quote-we-will-bury-you
  type: quote
  themes: [thaw]
  text: "Whether you like it or not, history is on our side. We will bury you."
  blank: "We will bury you."
  speaker: "Nikita Khrushchev"
  context: "To Western ambassadors at a reception in Moscow"
  date: 1956-11
  source:{sources(*cited("In November 1956, at a reception", 7))}
  notes: "The Russian words, \\"My vas pokhoronim\\", echo a phrase of Marx's Communist Manifesto about the bourgeoisie
    producing its own grave-diggers, and Khrushchev repeated the idea in a speech in Yugoslavia in 1963, saying that the
    working class would bury capitalism. Interpreters at the reception translated it literally, and the line became
    the best-known sentence he ever spoke in the West, far better known than the explanation he gave afterwards. The
    context mattered: the words came days after Soviet tanks had crushed Budapest, and the ambassadors heard them as a
    boast about force, not as a forecast about history."

- id: secret-speech-term
  type: term
  themes: [thaw]
  term: "The Secret Speech"
  definition: "Khrushchev's closed address of February 1956 denouncing Stalin's crimes and his cult of personality"
  source:{sources(*cited("On 25 February 1956", 2))}

- id: why-the-secret-speech
  type: question
  themes: [thaw]
  question: "Why did Khrushchev denounce Stalin in a closed session of the party congress rather than in public?"
  answer: "To break with Stalin's terror without shaking the party's hold on a country raised to worship him"
  source:{sources(*cited("On 25 February 1956", 2))}
  notes: "The speech was read out to party meetings across the country within weeks, and reached the West through
    Poland; it was published in the Soviet Union only in 1989."
"""


# ----------------------------------------------------------------------------------------------------------------------
# The run: build with the CLI, study in Anki, read the reports.
# ----------------------------------------------------------------------------------------------------------------------


def build_deck(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`build-deck ARGS` in a process of its own, the tool from this checkout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-m", "build_deck", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the screenshots go: $DESKTOP_SCREENSHOTS (e.g. for the README), else a temporary folder."""
    folder = Path(os.environ.get("DESKTOP_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*_back.png"):
        old.unlink()  # a screenshot in the folder is one this run took
    return folder


@pytest.fixture(scope="session")
def studied(tmp_path_factory, screenshots) -> dict[tuple[str, int], dict]:
    """The test deck, built by the CLI and studied in Anki: (theme, width) → what the reviewer showed."""
    if importlib.util.find_spec("aqt") is None:
        pytest.skip("the desktop tests need the Anki desktop app: pip install '.[desktop]'")  # under CI: a failure
    if shutil.which("xvfb-run") is None:
        pytest.skip("the desktop tests need a virtual screen: apt-get install xvfb xauth (see .ci/run)")
    project = tmp_path_factory.mktemp("desktop-deck")
    (project / "cards").mkdir()
    (project / "seeds").mkdir()
    (project / "seeds/desktop-notes.txt").write_text(SEED)
    (project / "cards/deck.yaml").write_text(DECK)
    (project / "cards/thaw.yaml").write_text(CARDS)
    built = build_deck("build", "--cards", "cards", "--seeds", "seeds", "-o", "desktop.apkg", cwd=project)
    assert built.returncode == 0, built.stderr
    assert built.stdout == 'wrote desktop.apkg: 6 notes, deck "Desktop Test Deck"\n'

    command = [
        "xvfb-run", "-a", "-s", "-screen 0 1600x1200x24",
        sys.executable, str(DRIVER), "all", "--package", str(project / "desktop.apkg"),
        "--work", str(project / "anki"), "--screenshots", str(screenshots), "--height", str(HEIGHT),
        *(f"--width={width}" for width in WIDTHS), *(f"--theme={theme}" for theme in THEMES),
    ]  # fmt: skip
    env = {**os.environ, "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    # A session of its own, so that a time-out ends xvfb-run, Xvfb and every Anki process together.
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as driver:
        try:
            stdout, stderr = driver.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(driver.pid, signal.SIGKILL)
            stdout, stderr = driver.communicate()
            pytest.fail(f"Anki did not finish in 300 s:\n{stderr[-3000:]}")
    assert driver.returncode == 0, stderr[-5000:]
    reports = json.loads(stdout)
    return {(theme, width): reports[f"{theme}_{width}"] for theme in THEMES for width in WIDTHS}


def name(card: dict) -> str:
    """A card as the failure messages name it: its type and template, e.g. 'Person: Who was…?'."""
    return f"{card['note_type'].split()[-1]}: {card['template']}"


def listed(found: dict[str, str]) -> str:
    """Every finding on a line of its own, so that a failure shows all the measured values at any verbosity."""
    return "\n" + "\n".join(f"{what}: {value}" for what, value in sorted(found.items()))


def rgb(colour: str) -> tuple[float, ...]:
    """A computed CSS colour, 'rgb(r, g, b)' or 'rgba(r, g, b, a)', as numbers."""
    match = re.fullmatch(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)", colour)
    assert match, f"not a computed colour: {colour}"
    red, green, blue, alpha = match.groups()
    return float(red), float(green), float(blue), float(alpha if alpha is not None else 1)


def luminance(colour: tuple[float, ...]) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(text: str, background: str) -> float:
    """WCAG 2 contrast ratio of text on an opaque background; a translucent text colour is blended first."""
    fore, back = rgb(text), rgb(background)
    alpha = fore[3]
    blended = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fore[:3], back[:3], strict=True))
    lighter, darker = sorted((luminance(blended), luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# ----------------------------------------------------------------------------------------------------------------------
# The tests
# ----------------------------------------------------------------------------------------------------------------------

every_run = pytest.mark.parametrize(("theme", "width"), [(theme, width) for theme in THEMES for width in WIDTHS])


@every_run
def test_every_template_of_every_note_type_is_studied(studied, theme, width):
    """The measurements below cover every card a learner can meet, in a window of the width asked for."""
    report = studied[theme, width]
    assert sorted(report["note_types"]) == [
        "build-deck Date",
        "build-deck Person",
        "build-deck Question",
        "build-deck Quote",
        "build-deck Term",
        "build-deck Treaty",
    ]
    templates = sorted((kind, template) for kind, names in report["note_types"].items() for template in names)
    assert report["imported_cards"] == len(templates) == CARDS_STUDIED
    assert sorted((card["note_type"], card["template"]) for card in report["cards"]) == templates
    assert report["state_after"] == "overview"  # all studied: Anki has no card left to show
    for card in report["cards"]:
        assert (card["window_width"], card["inner_width"]) == (width, width), name(card)
        assert ("nightMode" in card["body_class"].split()) == (theme == "night"), name(card)


@every_run
def test_show_answer_keeps_the_prompt_in_view(studied, theme, width):
    """After Show Answer the page stays at the top and the prompt is on screen, so the learner sees what the answer
    answers."""
    cards = studied[theme, width]["cards"]
    assert all(card["prompt_text"] for card in cards)  # every back shows the prompt again
    out_of_view = {
        name(card): f"scrollTop {card['scroll_top']}, prompt top {card['prompt_top']:.0f} px"
        for card in cards
        if card["scroll_top"] != 0 or card["prompt_top"] < 0
    }
    assert out_of_view == {}, listed(out_of_view)


@pytest.mark.parametrize("theme", THEMES)
def test_nothing_overflows_sideways_at_phone_width(studied, theme):
    cards = studied[theme, 400]["cards"]
    overflowing = {
        name(card): f"scrollWidth {card['scroll_width']} > clientWidth {card['client_width']}"
        for card in cards
        if card["scroll_width"] > card["client_width"]
    }
    assert overflowing == {}, listed(overflowing)
    reaching_out = {
        name(card): f"an element reaches {card['rightmost_element']:.0f} px of {card['client_width']}"
        for card in cards
        if card["rightmost_element"] > card["client_width"]
    }
    assert reaching_out == {}, listed(reaching_out)


@every_run
def test_the_page_shows_the_decks_own_colours(studied, theme, width):
    """The card's background and text, the answer, the muted sources and the quotation box take the deck's palette
    (its CSS custom properties), in night mode too: Anki's own night-mode colours must not win."""
    wrong = {}
    for card in studied[theme, width]["cards"]:
        palette, styles = card["deck_palette"], card["styles"]
        expected = {
            "card background": (styles["card"]["background"], palette["paper"]),
            "card text": (styles["card"]["color"], palette["ink"]),
            "answer text": (styles["answer"]["color"], palette["ink"]),
            "muted text": (styles["muted"]["color"], palette["muted"]),
        }
        if styles["blockquote"] is not None:
            expected["quotation background"] = (styles["blockquote"]["background"], palette["quote_bg"])
            expected["quotation text"] = (styles["blockquote"]["color"], palette["ink"])
        for part, (shown, deck) in expected.items():
            if shown != deck:
                wrong[f"{name(card)}, {part}"] = f"{shown}, not the deck's {deck}"
    assert wrong == {}, listed(wrong)


@pytest.mark.parametrize("width", WIDTHS)
def test_night_mode_has_a_dark_palette_of_its_own(studied, width):
    """Night mode switches the deck to its night palette: dark paper, light ink, unlike the day palette."""
    days = {name(card): card["deck_palette"] for card in studied["light", width]["cards"]}
    nights = {name(card): card["deck_palette"] for card in studied["night", width]["cards"]}
    assert sorted(days) == sorted(nights)
    for card, day in days.items():
        night = nights[card]
        assert night["paper"] != day["paper"] and night["ink"] != day["ink"], card
        assert luminance(rgb(night["paper"])) < luminance(rgb(night["ink"])), card
        assert luminance(rgb(day["paper"])) > luminance(rgb(day["ink"])), card


@every_run
def test_every_text_passes_wcag_aa_contrast(studied, theme, width):
    """Card text, the answer, the muted sources, the quotation and the kind label, each on the background behind it
    (computed colours), reach 4.5:1."""
    low = {}
    ratios = []
    for card in studied[theme, width]["cards"]:
        for part in ("card", "answer", "muted", "blockquote", "kind"):
            style = card["styles"][part]
            if style is None:
                continue
            ratio = contrast(style["color"], style["behind"])
            ratios.append(ratio)
            if ratio < WCAG_AA:
                low[f"{name(card)}, {part}"] = f"{ratio:.2f}:1 ({style['color']} on {style['behind']})"
    assert len(ratios) == CARDS_STUDIED * 4 + 2  # four texts on every card, and the two quote cards' quotation
    assert low == {}, listed(low)


@every_run
def test_a_screenshot_of_every_back(studied, screenshots, theme, width):
    """A PNG of the whole window after Show Answer, named THEME_WIDTH_TYPE-TEMPLATE_back.png."""
    for card in studied[theme, width]["cards"]:
        shot = Path(card["screenshot"])
        assert shot.parent == screenshots
        assert shot.name.startswith(f"{theme}_{width}_") and shot.name.endswith("_back.png")
        header = shot.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", shot.name
        size = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
        assert size == (width, HEIGHT), shot.name
    assert len({card["screenshot"] for card in studied[theme, width]["cards"]}) == CARDS_STUDIED
