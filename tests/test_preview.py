"""`build-deck preview`: the page a teacher opens, driven in a real headless browser (Debian's chromium + Playwright).

Every number is counted from the fixture's YAML here, independently of the tool.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TEMPLATES_PER_TYPE = {"date": 1, "person": 2, "treaty": 2, "quote": 1}  # Anki cards per note, as the issue lists them

pytestmark = pytest.mark.browser


# --- helpers ------------------------------------------------------------------------------------------------------


def yaml_cards() -> list[dict]:
    """The cards of the project in the current directory, read with plain PyYAML."""
    return [
        card
        for path in sorted(Path("cards").glob("*.yaml"))
        if path.name != "deck.yaml"
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]


def yaml_deck() -> dict:
    return yaml.safe_load(Path("cards/deck.yaml").read_text(encoding="utf-8"))


def words_in(value) -> str:
    """Every text the card holds (sources included), in one lower-case string."""
    if isinstance(value, dict):
        return " ".join(words_in(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(words_in(v) for v in value)
    return str(value).lower()


def ids(cards) -> set[str]:
    return {card["id"] for card in cards}


def preview() -> Path:
    result = run("preview")
    assert result.exit_code == 0, result.output
    pages = list(Path("dist").glob("*.html"))
    assert len(pages) == 1
    assert result.stdout == f"wrote {Path('dist') / pages[0].name}: {len(yaml_cards())} cards\n"
    return pages[0]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the browser tests need playwright: pip install '.[test]'"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip("the browser tests need Debian's chromium: apt-get install chromium (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """open_page(path, **context options) → the page, loaded from a file:// URL. Every request is recorded; any that
    is not for a local file is refused and fails the test, as does any script error."""
    contexts, requests, errors = [], [], []

    def refuse_network(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    def open_(path: Path, **options):
        context = browser.new_context(**options)
        contexts.append(context)
        context.route("**/*", refuse_network)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(path.resolve().as_uri())
        page.requests = requests
        return page

    yield open_
    for context in contexts:
        context.close()
    assert [url for url in requests if not url.startswith("file:")] == []
    assert errors == []


def shown(page) -> int:
    return int(page.inner_text("#pv-shown"))


def visible_ids(page) -> set[str]:
    return set(page.eval_on_selector_all(".pv-note:not([hidden])", "notes => notes.map(n => n.dataset.id)"))


def check(page, group: str, value: str):
    page.check(f"input[name={group}][value='{value}']")


# --- the command ---------------------------------------------------------------------------------------------------


def test_preview_writes_one_self_contained_page_the_same_every_time(project):
    page = preview()
    first = page.read_bytes()
    assert preview().read_bytes() == first
    text = first.decode()
    assert "<link" not in text and " src=" not in text and "@import" not in text and "url(" not in text


def test_preview_writes_nothing_when_a_card_has_an_error(project):
    cards = Path("cards/berlin.yaml")
    cards.write_text(cards.read_text().replace("date: 1961-08-13", "date: 1961-02-30"))
    result = run("preview")
    assert result.exit_code == 1
    assert "[date-" in result.stderr
    assert not Path("dist").exists()


def test_preview_writes_where_it_is_told(project):
    result = run("preview", "-o", "out/cards.html")
    assert result.exit_code == 0
    assert result.stdout == f"wrote {Path('out/cards.html')}: {len(yaml_cards())} cards\n"
    assert Path("out/cards.html").read_text().startswith("<!DOCTYPE html>")


# --- the page ------------------------------------------------------------------------------------------------------


def test_every_card_is_shown_front_and_back_for_every_template(project, open_page):
    cards = yaml_cards()
    page = open_page(preview())
    assert shown(page) == len(cards)
    assert visible_ids(page) == ids(cards)
    templates = sum(TEMPLATES_PER_TYPE[card["type"]] for card in cards)
    assert page.locator(".pv-template").count() == templates
    assert page.locator(".pv-front .card").count() == page.locator(".pv-back .card").count() == templates

    wall = page.locator("#card-berlin-wall")
    assert wall.locator(".pv-front .card .kind").text_content() == "When did this happen? (day, month and year)"
    assert "The East German regime seals the border" in wall.locator(".pv-front .card .prompt").inner_text()
    back = wall.locator(".pv-back .card")
    assert back.locator(".answer").inner_text() == "13 August 1961"
    assert "The Wall stood until 1989." in back.inner_text()
    assert "began building the Berlin Wall" in back.locator(".sources").inner_text()
    assert back.locator(".themes").inner_text() == "Themes: Berlin"
    ulbricht = page.locator("#card-walter-ulbricht .pv-back .answer")
    assert ulbricht.all_inner_texts() == ["East German leader who pressed Moscow to act on Berlin", "Walter Ulbricht"]
    treaty = page.locator("#card-limited-test-ban-treaty .pv-back .detail").inner_text()
    assert treaty == "Between the Soviet Union, the United States and Britain"


def test_a_theme_filter_shows_the_cards_with_any_checked_theme(project, open_page):
    cards = yaml_cards()
    page = open_page(preview())
    check(page, "theme", "berlin")
    berlin = [card for card in cards if "berlin" in card["themes"]]
    assert 0 < len(berlin) < len(cards)
    assert shown(page) == len(berlin) and visible_ids(page) == ids(berlin)

    check(page, "theme", "arms-race")
    either = [card for card in cards if {"berlin", "arms-race"} & set(card["themes"])]
    assert shown(page) == len(either) and visible_ids(page) == ids(either)


def test_a_type_filter_combines_with_the_theme_filter_by_and(project, open_page):
    cards = yaml_cards()
    page = open_page(preview())
    check(page, "type", "treaty")
    treaties = [card for card in cards if card["type"] == "treaty"]
    assert shown(page) == len(treaties) and visible_ids(page) == ids(treaties)

    page.uncheck("input[name=type][value=treaty]")
    check(page, "type", "date")
    check(page, "type", "quote")
    check(page, "theme", "cuba")
    cuba = [card for card in cards if "cuba" in card["themes"]]
    dates_or_quotes = [card for card in cards if card["type"] in ("date", "quote")]
    both = [card for card in cuba if card in dates_or_quotes]
    assert 0 < len(both) < min(len(cuba), len(dates_or_quotes))
    assert shown(page) == len(both) and visible_ids(page) == ids(both)

    check(page, "theme", "berlin")
    either = [card for card in dates_or_quotes if {"cuba", "berlin"} & set(card["themes"])]
    assert shown(page) == len(either) and visible_ids(page) == ids(either)

    page.click("#pv-clear")
    assert shown(page) == len(cards)
    assert page.inner_text("#pv-command") == "build-deck build"


def test_search_narrows_to_the_cards_containing_the_text(project, open_page):
    cards = yaml_cards()
    page = open_page(preview())
    page.fill("#pv-search", "Khrushchev")
    matching = [card for card in cards if "khrushchev" in words_in(card)]
    assert 0 < len(matching) < len(cards)
    assert shown(page) == len(matching) and visible_ids(page) == ids(matching)

    check(page, "type", "quote")
    quotes = [card for card in matching if card["type"] == "quote"]
    assert shown(page) == len(quotes) and visible_ids(page) == ids(quotes)

    page.fill("#pv-search", "no card says this")
    assert shown(page) == 0
    assert page.is_visible("#pv-empty")


def test_the_copied_command_builds_the_selection(project, open_page):
    deck = yaml_deck()
    page = open_page(preview())
    assert page.inner_text("#pv-command") == "build-deck build"

    check(page, "theme", "arms-race")  # checked out of order: the command lists themes in the deck's order
    check(page, "theme", "berlin")
    check(page, "type", "date")
    command = page.inner_text("#pv-command")
    assert command == "build-deck build --theme berlin --theme arms-race --type date"

    selected = [
        card for card in yaml_cards() if {"berlin", "arms-race"} & set(card["themes"]) and card["type"] == "date"
    ]
    note = page.inner_text("#pv-command-note")
    titles = ", ".join(
        theme["title"]
        for theme in sorted(deck["themes"], key=lambda t: t["id"])
        if theme["id"] in ("berlin", "arms-race")
    )
    name = f"{deck['deck']['name']} — {titles} — date cards"
    assert f"“{name}”: {len(selected)} notes" in note

    built = run(*command.split()[1:])
    assert built.exit_code == 0, built.output
    assert f': {len(selected)} notes, deck "{name}"' in built.stdout
    # ...into the file of its own the page names: the full deck's file is never overwritten by a subset (issue 14).
    assert ", into dist/cold-war-crises-test-deck--arms-race+berlin--date.apkg." in note
    assert built.stdout.startswith("wrote dist/cold-war-crises-test-deck--arms-race+berlin--date.apkg: ")


def test_the_copy_button_puts_the_command_on_the_clipboard(project, open_page):
    page = open_page(preview())
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    check(page, "type", "person")
    page.click("#pv-copy")
    page.wait_for_function("document.getElementById('pv-copy').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == "build-deck build --type person"


def test_retired_cards_are_shown_marked_and_left_out_of_a_subset(project, open_page):
    cards_file = Path("cards/berlin.yaml")
    cards_file.write_text(
        cards_file.read_text().replace(
            "- id: berlin-ultimatum\n", '- id: berlin-ultimatum\n  retired: "Merged into berlin-wall"\n'
        )
    )
    cards = yaml_cards()
    retired = [card for card in cards if card.get("retired")]
    assert ids(retired) == {"berlin-ultimatum"}
    page = open_page(preview())
    assert page.locator("#card-berlin-ultimatum .pv-retired").inner_text().lower() == "retired"
    assert page.locator(".pv-retired").count() == 1
    assert "Retired: Merged into berlin-wall" in page.inner_text("#card-berlin-ultimatum .pv-back .retired")
    assert f": {len(cards)} notes" in page.inner_text("#pv-command-note")  # the whole deck keeps retired cards
    assert ", into dist/cold-war-crises-test-deck.apkg." in page.inner_text("#pv-command-note")

    check(page, "theme", "berlin")
    berlin = [card for card in cards if "berlin" in card["themes"]]
    live = [card for card in berlin if not card.get("retired")]
    assert shown(page) == len(berlin)  # shown, marked
    # The theme's count is its deck's, as `build-deck themes` counts: retired cards left out.
    assert page.inner_text("label:has(input[name=theme][value=berlin]) .pv-n") == str(len(live))
    assert [line.split()[1] for line in run("themes").stdout.splitlines() if line.split()[0] == "berlin"] == [
        str(len(live))
    ]
    live_dates = [card for card in cards if card["type"] == "date" and not card.get("retired")]
    assert page.inner_text("label:has(input[name=type][value=date]) .pv-n") == str(len(live_dates))  # a type's too
    assert f": {len(live)} notes" in page.inner_text("#pv-command-note")  # but not built into a subset
    built = run(*page.inner_text("#pv-command").split()[1:])
    assert f": {len(live)} notes" in built.stdout


def test_markup_anywhere_is_shown_as_text_and_never_runs(project, open_page):
    attack = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'
    breakout = "</title></script><script>window.pwned = 3</script><!--"
    cards_file = Path("cards/berlin.yaml")
    cards_file.write_text(cards_file.read_text().replace('notes: "The Wall stood until 1989."', f"notes: '{attack}'"))
    deck_file = Path("cards/deck.yaml")
    deck_file.write_text(
        deck_file.read_text()
        .replace('name: "Cold War Crises — Test Deck"', f'name: "Cold War Crises {breakout}"')
        .replace("title: Berlin", f'title: "Berlin {breakout}"')
    )
    page = open_page(preview())
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("img").count() == 0 and page.locator("script").count() == 2
    assert attack in page.inner_text("#card-berlin-wall .pv-back .notes")
    assert page.inner_text("h1") == f"Cold War Crises {breakout}"
    assert page.title().startswith(f"Cold War Crises {breakout}")
    assert breakout in page.inner_text("#pv-themes")

    cards = yaml_cards()
    assert shown(page) == len(cards)  # the embedded data survived the breakout and the script runs
    check(page, "theme", "berlin")
    assert shown(page) == len([card for card in cards if "berlin" in card["themes"]])
    assert f"Cold War Crises {breakout} — Berlin {breakout}" in page.inner_text("#pv-command-note")


def test_the_page_makes_no_network_request(project, open_page):
    page = open_page(preview())
    check(page, "theme", "cuba")
    page.fill("#pv-search", "treaty")
    page.click("#pv-copy")
    page.emulate_media(media="print")
    page.wait_for_timeout(200)
    assert page.requests and all(url.startswith("file:") for url in page.requests)  # the recorder saw the page


def test_the_page_fits_a_phone(project, open_page):
    page = open_page(preview(), viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#pv-filters > summary")  # the filters fold away on a small screen
    check(page, "theme", "cuba")
    assert shown(page) == len([card for card in yaml_cards() if "cuba" in card["themes"]])


def test_print_shows_the_selection_as_questions_and_answers_without_the_controls(project, open_page):
    cards = yaml_cards()
    page = open_page(preview())
    check(page, "theme", "cuba")
    page.emulate_media(media="print")
    assert not page.is_visible(".pv-controls") and not page.is_visible("#pv-command")
    cuba = [card for card in cards if "cuba" in card["themes"]]
    assert visible_ids(page) == ids(cuba)
    assert page.locator(".pv-note:visible").count() == len(cuba)
    first = page.locator(".pv-note:visible .pv-template").first
    assert first.locator(".pv-front .pv-print").text_content() == "Question"
    assert first.locator(".pv-back .pv-print").text_content() == "Answer"
    assert first.locator(".pv-print").first.is_visible() and not first.locator(".pv-screen").first.is_visible()
    assert not first.locator(".pv-back .frontside").is_visible()  # the answer column does not repeat the question
    assert "Cuba" in page.inner_text("#pv-print-selection")
