"""Drive the Anki desktop app (aqt) as a learner would, and report what its reviewer shows, as JSON.

`study` is one Anki process at one window width in one theme: it imports the package through Anki's own
File → Import dialog with its default options, studies every card of it in the reviewer, and after each Show Answer
measures the page, takes a screenshot and answers Easy. `all` runs one `study` process per width and theme, side by
side on the same screen, and prints their reports as one JSON object keyed "THEME_WIDTH". Run it under a virtual
screen:

    QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox xvfb-run -a -s "-screen 0 1600x1200x24" python tests/desktop_driver.py \\
        all --package deck.apkg --work /tmp/desktop --screenshots shots/ --width 400 --width 1200 \\
        --theme light --theme night

A report (written only when the run got through every card) says which note types and templates the imported
collection holds and, for every card studied, what the reviewer showed after Show Answer. Any failure, in any step,
ends the process with a non-zero status and a message on stderr: an error inside a Qt callback would otherwise open
Anki's error dialog and wait for a click forever.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

# What the test reads after Show Answer. The prompt is the first element of class "prompt" (the front's question);
# the deck's palette is read from its CSS custom properties through a probe element inside the card, so "the deck's
# colour" means what the deck's own CSS gives, whatever Anki's stylesheet does to the page.
MEASURE_JS = r"""
(() => {
  const root = document.scrollingElement;
  const qa = document.getElementById("qa");
  const prompt = qa.querySelector(".prompt");
  const rect = prompt ? prompt.getBoundingClientRect() : null;
  const opaque = (colour) => colour !== "transparent" && !/^rgba\(.*,\s*0\)$/.test(colour);
  const backgroundBehind = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const background = getComputedStyle(e).backgroundColor;
      if (opaque(background)) return background;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  const style = (selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const computed = getComputedStyle(element);
    return {color: computed.color, background: computed.backgroundColor, behind: backgroundBehind(element),
            font_size: computed.fontSize};
  };
  const rightmost = Math.max(0, ...Array.from(qa.querySelectorAll("*"), (e) => e.getBoundingClientRect().right));
  const measured = {
    scroll_top: root.scrollTop,
    scroll_height: root.scrollHeight,
    client_height: root.clientHeight,
    scroll_width: root.scrollWidth,
    client_width: root.clientWidth,
    inner_width: window.innerWidth,
    inner_height: window.innerHeight,
    rightmost_element: rightmost,
    prompt_top: rect ? rect.top : null,
    prompt_bottom: rect ? rect.bottom : null,
    prompt_text: prompt ? prompt.textContent.trim() : null,
    answer_rule_top: document.getElementById("answer") ? document.getElementById("answer").getBoundingClientRect().top : null,
    body_class: document.body.className,
    styles: {
      card: style(".card"),
      answer: style("#qa .answer"),
      muted: style("#qa .sources"),
      blockquote: style("#qa blockquote"),
      kind: style("#qa .kind"),
    },
  };
  const probe = document.createElement("div");
  probe.style.cssText = "position: absolute; visibility: hidden; color: var(--ink); background-color: var(--paper);"
    + " border-top: 1px solid var(--muted); outline: 1px solid var(--quote-bg);";
  qa.appendChild(probe);
  const deck = getComputedStyle(probe);
  measured.deck_palette = {ink: deck.color, paper: deck.backgroundColor, muted: deck.borderTopColor,
                           quote_bg: deck.outlineColor};
  probe.remove();
  return JSON.stringify(measured);
})()
"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def study(args: argparse.Namespace) -> None:  # noqa: C901 TODO(issue 11): one function per study step
    """One Anki process: import the package, study every card, write the report, exit."""
    args.screenshots.mkdir(parents=True, exist_ok=True)
    # Anki lets one instance run per key; a unique key keeps this run apart from parallel runs and a learner's Anki.
    os.environ["ANKI_SINGLE_INSTANCE_KEY"] = f"build-deck-desktop-test-{os.getpid()}"

    import aqt
    from aqt import gui_hooks
    from aqt.profiles import ProfileManager
    from aqt.qt import QApplication, QTimer
    from aqt.theme import Theme, theme_manager

    def fail(message: str) -> None:
        sys.stderr.write(f"desktop_driver: {message}\n")
        sys.stderr.flush()
        os._exit(1)

    def guarded(step):
        """Run a Qt callback; any exception ends the run with its traceback instead of Anki's error dialog."""

        def run(*a, **kw):
            try:
                return step(*a, **kw)
            except Exception:
                fail(f"{step.__name__} failed:\n{traceback.format_exc()}")

        return run

    def later(ms: int, step) -> None:
        QTimer.singleShot(ms, guarded(step))

    # The first run of a new base folder asks for a language in a modal dialog: answer it.
    ProfileManager.setDefaultLang = lambda self, idx: self.setLang("en_US")

    report: dict = {"width": args.width, "height": args.height, "theme": args.theme, "cards": []}
    studying = {"on": False, "measured": set()}

    def mw():
        return aqt.mw

    def import_dialog():
        from aqt.import_export.import_dialog import ImportDialog

        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog) and w.web is not None]
        return dialogs[0] if dialogs else None

    def start() -> None:
        from aqt.import_export.importing import import_file

        report["anki"] = aqt.appVersion
        mw().pm.set_theme(Theme.DARK if args.theme == "night" else Theme.LIGHT)
        theme_manager.apply_style()
        mw().resize(args.width, args.height)
        # File → Import, as a learner does: the same dialog, its default options, its Import button.
        import_file(mw(), str(args.package.resolve()))
        later(500, click_import)

    def click_import(tries: list[int] = [0]) -> None:  # noqa: B006 - a counter across retries
        tries[0] += 1
        dialog = import_dialog()
        if dialog is None:
            fail("the import dialog did not open")

        def clicked(found) -> None:
            if found:
                later(200, wait_for_import)
            elif tries[0] < 60:
                later(250, click_import)
            else:
                fail("the import dialog never showed its Import button")

        dialog.web.evalWithCallback(
            """(() => { const button = Array.from(document.querySelectorAll("button.primary"))
                 .find((b) => b.textContent.trim() === "Import");
               if (!button) return false; button.click(); return true; })()""",
            guarded(clicked),
        )

    def wait_for_import(tries: list[int] = [0]) -> None:  # noqa: B006
        from aqt.qt import Qt

        tries[0] += 1
        dialog = import_dialog()
        # When the import is done, Anki shows its log in the dialog and makes the dialog non-modal.
        if dialog is not None and dialog.windowModality() == Qt.WindowModality.NonModal:
            col = mw().col
            card_ids = col.find_cards("")
            if not card_ids:
                fail("the import added no cards")
            report["imported_cards"] = len(card_ids)
            note_types: dict[str, list[str]] = {}
            for notetype_id in {col.get_card(cid).note().mid for cid in card_ids}:
                note_type = col.models.get(notetype_id)
                note_types[note_type["name"]] = [template["name"] for template in note_type["tmpls"]]
            report["note_types"] = note_types
            dialog.reject()
            col.decks.select(col.get_card(card_ids[0]).did)
            studying["on"] = True
            later(300, lambda: mw().moveToState("review"))
        elif tries[0] < 120:
            later(250, wait_for_import)
        else:
            fail("the import did not finish")

    def on_question(card) -> None:
        if studying["on"]:
            later(300, show_answer)

    def show_answer() -> None:
        mw().reviewer.onEnterKey()  # Enter on the front: Show Answer

    def on_js_message(handled, message, context):
        # The reviewer's script reports "repaintNeeded" right after it scrolled to the answer.
        if message == "repaintNeeded" and studying["on"] and mw().reviewer.state == "answer":
            card = mw().reviewer.card
            if card is not None and card.id not in studying["measured"]:
                studying["measured"].add(card.id)
                later(400, lambda: measure(card))
        return handled

    def measure(card) -> None:
        def measured(text) -> None:
            if not text:
                fail(f"the page could not be measured for card {card.id}")
            page = json.loads(text)
            note = card.note()
            note_type = card.note_type()["name"]
            template = card.template()["name"]
            shot = args.screenshots / (
                f"{args.theme}_{args.width}_{slug(note_type.split()[-1])}-{slug(template)}_back.png"
            )
            if not mw().grab().save(str(shot), "PNG"):
                fail(f"could not save {shot}")
            report["cards"].append(
                {
                    "note_type": note_type,
                    "template": template,
                    "note_id": dict(note.items()).get("Id"),
                    "screenshot": str(shot),
                    "window_width": mw().width(),
                    "window_height": mw().height(),
                    **page,
                }
            )
            mw().reviewer._answerCard(4)  # Easy: the next card, or the overview when none is left
            later(1500, finish_if_done)

        mw().reviewer.web.evalWithCallback(MEASURE_JS, guarded(measured))

    def finish_if_done() -> None:
        if mw().state == "review" and mw().reviewer.card is not None:
            return  # another card is being shown; its Show Answer schedules the next check
        report["state_after"] = mw().state
        args.report.write_text(json.dumps(report, indent=1))
        sys.stdout.flush()
        os._exit(0)

    def watchdog() -> None:
        fail(f"timed out after {args.timeout:.0f} s with {len(report['cards'])} card(s) measured")

    gui_hooks.profile_did_open.append(lambda: later(500, start))
    gui_hooks.reviewer_did_show_question.append(on_question)
    gui_hooks.webview_did_receive_js_message.append(on_js_message)
    QTimer.singleShot(int(args.timeout * 1000), watchdog)
    sys.argv = ["anki", "-b", str(args.base)]
    aqt.run()
    fail("Anki exited before the run finished")


def run_all(args: argparse.Namespace) -> None:
    """One `study` process per width and theme, side by side; their reports as one JSON object on stdout."""
    runs = {f"{theme}_{width}": (theme, width) for theme in args.theme for width in args.width}
    children = {}
    for name, (theme, width) in runs.items():
        command = [
            sys.executable, __file__, "study", "--package", str(args.package), "--base", str(args.work / name),
            "--width", str(width), "--height", str(args.height), "--theme", theme,
            "--screenshots", str(args.screenshots), "--report", str(args.work / f"{name}.json"),
            "--timeout", str(args.timeout),
        ]  # fmt: skip
        log = (args.work / f"{name}.log").open("w")
        children[name] = (subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT), log)
    failed = []
    for name, (child, log) in children.items():
        try:
            status = child.wait(timeout=args.timeout + 30)
        except subprocess.TimeoutExpired:
            child.kill()
            status = "killed after the time-out"
        log.close()
        if status != 0:
            lines = (args.work / f"{name}.log").read_text().splitlines()
            failed.append(f"{name}: exit status {status}; the end of its log:\n" + "\n".join(lines[-25:]))
    if failed:
        sys.exit("\n\n".join(failed))
    print(json.dumps({name: json.loads((args.work / f"{name}.json").read_text()) for name in runs}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("study", help="one Anki process at one width in one theme")
    one.add_argument("--base", required=True, type=Path, help="a throw-away Anki base folder")
    one.add_argument("--width", required=True, type=int)
    one.add_argument("--theme", required=True, choices=["light", "night"])
    one.add_argument("--report", required=True, type=Path)
    every = commands.add_parser("all", help="one `study` process per width and theme")
    every.add_argument("--work", required=True, type=Path, help="a folder for the base folders, reports and logs")
    every.add_argument("--width", required=True, type=int, action="append")
    every.add_argument("--theme", required=True, choices=["light", "night"], action="append")
    for command in (one, every):
        command.add_argument("--package", required=True, type=Path)
        command.add_argument("--height", type=int, default=800)
        command.add_argument("--screenshots", required=True, type=Path)
        command.add_argument("--timeout", type=float, default=120, help="seconds before a run gives up")
    args = parser.parse_args()
    if args.command == "study":
        study(args)
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        run_all(args)


if __name__ == "__main__":
    main()
