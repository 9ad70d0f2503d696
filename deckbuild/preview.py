"""The preview page: every card as Anki will show it, on one HTML page with filters. No I/O, no network."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import unicodedata

from deckbuild.model import CARD_TYPES, Card, Deck
from deckbuild.notetypes import CSS, NOTE_FIELDS, TEMPLATES, escape, note_fields
from deckbuild.text import FOLD_TABLE, LATIN_LETTERS, WHITESPACE, plural

# Anki's template language, as far as TEMPLATES uses it: {{Field}}, {{#Field}}…{{/Field}}, {{^Field}}…{{/Field}}.
TEMPLATE_TAG = re.compile(r"\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}")


MARKUP = re.compile(r"<[^>]*>")


COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # as in the script


LONG_DECK = 400  # cards; past this the page lays out only the cards in view, or a 10,000-card page takes 20 s to open


TYPE_TITLES = {"date": "Date", "person": "Person", "treaty": "Treaty", "quote": "Quote", "term": "Term"}


def render_template(template: str, fields: dict) -> str:
    """A card face from an Anki template, in one pass (a field's value is never read as a template). A section shows
    when its field is not blank; a field the note type lacks is a mistake in TEMPLATES, so it raises KeyError."""
    out, open_sections, shown, position = [], [], True, 0
    for tag in TEMPLATE_TAG.finditer(template):
        if shown:
            out.append(template[position : tag.start()])
        position = tag.end()
        kind, name = tag.groups()
        if kind in ("#", "^"):
            open_sections.append((name, shown))
            filled = bool(fields[name].strip())
            shown = shown and filled == (kind == "#")
        elif kind == "/":
            if not open_sections or open_sections[-1][0] != name:
                raise ValueError(f"template closes {{{{/{name}}}}} that is not open")
            shown = open_sections.pop()[1]
        elif shown:
            out.append(fields[name])
    if open_sections:
        raise ValueError(f"template leaves {{{{#{open_sections[-1][0]}}}}} open")
    if shown:
        out.append(template[position:])
    return "".join(out)


def card_faces(card: Card, deck: Deck) -> list[tuple[str, str, str]]:
    """(template name, front, back) for every Anki card of the note, as Anki renders them. The back's {{FrontSide}} is
    wrapped in <div class="frontside"> so that the printed sheet can leave the question out of the answer."""
    fields = dict(zip(NOTE_FIELDS[card.type], note_fields(card, deck), strict=True))
    blank = dict.fromkeys(fields, "")
    faces = []
    for template in TEMPLATES[card.type]:
        front = render_template(template["qfmt"], fields)
        if front == render_template(template["qfmt"], blank):
            continue  # no field on the front: Anki makes no card of this template for this note (a quote without blank)
        back = render_template(template["afmt"], {**fields, "FrontSide": f'<div class="frontside">{front}</div>'})
        faces.append((template["name"], front, back))
    return faces


def search_fold(text: str) -> str:
    """Text folded for the page's search: lower case, accents and typographic quotes and dashes dropped, white space
    folded. The page's script folds what the teacher types the same way (PREVIEW_FOLD, COMBINING_MARKS)."""
    text = text.translate(FOLD_TABLE).translate(LATIN_LETTERS)
    if not text.isascii():
        text = COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return WHITESPACE.sub(" ", text.lower()).strip()


PREVIEW_FOLD = {chr(code): value for table in (FOLD_TABLE, LATIN_LETTERS) for code, value in table.items()}


def search_text(card: Card, deck: Deck) -> str:
    """Everything the card shows, as plain text (dates as written and as shown, sources, themes, id, type)."""
    shown = [html.unescape(MARKUP.sub(" ", value)) for value in note_fields(card, deck)]
    written = [card.text(key) for key in ("date", "end", "born", "died")]
    return search_fold(" ".join([*shown, *written, card.type]))


def attribute(text: str) -> str:
    return html.escape(text, quote=True)


def script_json(value) -> str:
    """JSON to embed in a <script> element: no '<', '>' or '&' at all, so no `</script>` or `<!--` can end it early."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def preview_note(card: Card, deck: Deck) -> str:
    faces = card_faces(card, deck)
    chips = "".join(f"<li>{escape(deck.theme(t).title)}</li>" for t in card.themes if deck.theme(t))
    retired = f'<span class="pv-retired" title="{attribute(card.retired)}">Retired</span>' if card.retired else ""
    templates = "".join(
        f'<section class="pv-template" aria-label="{attribute(name)}">'
        f'<h3 class="pv-template-name">{escape(name)}'
        f'<span class="pv-template-n">Anki card {number} of {len(faces)}</span></h3>'
        '<div class="pv-faces">'
        '<figure class="pv-face pv-front"><figcaption><span class="pv-screen">Front</span>'
        f'<span class="pv-print">Question</span></figcaption><div class="card">{front}</div></figure>'
        '<figure class="pv-face pv-back"><figcaption><span class="pv-screen">Back</span>'
        f'<span class="pv-print">Answer</span></figcaption><div class="card">{back}</div></figure>'
        "</div></section>"
        for number, (name, front, back) in enumerate(faces, 1)
    )
    return (
        f'<article class="pv-note pv-type-{attribute(card.type)}{" pv-is-retired" if card.retired else ""}" '
        f'id="card-{attribute(card.id)}" data-id="{attribute(card.id)}">'
        '<header class="pv-note-head">'
        f'<span class="pv-type">{escape(TYPE_TITLES.get(card.type, card.type))}</span>'
        f'<h2 class="pv-id">{escape(card.id)}</h2>{retired}'
        f'<ul class="pv-chips" aria-label="Themes">{chips}</ul>'
        f'<span class="pv-where">{escape(card.path)}:{card.line}</span>'
        f"</header>{templates}</article>\n"
    )


def preview_option(name: str, value: str, title: str, count: int) -> str:
    return (
        f'<label class="pv-option"><input type="checkbox" name="{name}" value="{attribute(value)}">'
        f'<span class="pv-option-title">{escape(title)}</span><span class="pv-n">{count}</span></label>'
    )


def render_preview(deck: Deck, cards: list[Card]) -> str:
    """The whole page: same deck and cards, same bytes. Everything is inline; the page fetches nothing."""
    live = [card for card in cards if not card.retired]  # an option's count is its deck's, as `themes` counts
    themes = "".join(
        preview_option("theme", theme.id, theme.title, sum(theme.id in card.themes for card in live))
        for theme in deck.themes
    )
    types = "".join(
        preview_option("type", card_type, TYPE_TITLES[card_type], sum(card.type == card_type for card in live))
        for card_type in CARD_TYPES
    )
    data = {
        "deck": deck.name,
        "themes": {theme.id: theme.title for theme in deck.themes},
        "fold": PREVIEW_FOLD,
        "cards": [
            {
                "id": card.id,
                "type": card.type,
                "themes": card.themes,
                "retired": bool(card.retired),
                "faces": len(TEMPLATES[card.type]),
                "text": search_text(card, deck),
            }
            for card in cards
        ],
    }
    style = CSS + PREVIEW_CSS
    policy = (
        f"default-src 'none'; script-src {csp_hash(PREVIEW_SCRIPT)}; style-src {csp_hash(style)}; "
        "base-uri 'none'; form-action 'none'"
    )
    faces = sum(len(TEMPLATES[card.type]) for card in cards)
    description = f'<p class="pv-description">{escape(deck.description)}</p>' if deck.description else ""
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{attribute(policy)}">
<meta name="generator" content="build-deck preview">
<title>{escape(deck.name)} — card preview</title>
<style>{style}</style>
</head>
<body{' class="pv-long"' if len(cards) > LONG_DECK else ""}>
<header class="pv-header">
<p class="pv-kicker">Card preview</p>
<h1>{escape(deck.name)}</h1>
{description}
<p class="pv-totals">{plural(len(cards), "card")}, {plural(faces, "Anki card")}: each card below is shown front and \
back, once for every Anki card it makes.</p>
<p class="pv-print-selection" id="pv-print-selection"></p>
</header>
<div class="pv-layout">
<aside class="pv-controls" aria-label="Choose cards">
<div class="pv-search"><label for="pv-search">Search the cards</label>
<input type="search" id="pv-search" placeholder="e.g. Kennedy, 1961, treaty" autocomplete="off" spellcheck="false">
</div>
<details class="pv-filters" id="pv-filters" open>
<summary>Filter by theme and type <span class="pv-filter-summary" id="pv-filter-summary"></span></summary>
<fieldset class="pv-group" id="pv-themes"><legend>Themes <span class="pv-hint">any of</span></legend>
{themes}</fieldset>
<fieldset class="pv-group" id="pv-types"><legend>Types <span class="pv-hint">any of</span></legend>
{types}</fieldset>
</details>
<button type="button" class="pv-button pv-quiet" id="pv-clear">Clear all</button>
</aside>
<main class="pv-main">
<section class="pv-summary" aria-label="Selection">
<p class="pv-count" aria-live="polite">Showing <strong id="pv-shown">{len(cards)}</strong> of {plural(len(cards), "card")}\
<span id="pv-search-note" hidden> matching the search</span></p>
<div class="pv-command-row">
<code class="pv-command" id="pv-command">build-deck build</code>
<button type="button" class="pv-button" id="pv-copy">Copy command</button>
</div>
<p class="pv-command-note" id="pv-command-note">Builds the whole deck.</p>
</section>
<p class="pv-empty" id="pv-empty" hidden>No card matches. Uncheck a filter or change the search.</p>
{"".join(preview_note(card, deck) for card in cards)}</main>
</div>
<script type="application/json" id="pv-data">{script_json(data)}</script>
<script>{PREVIEW_SCRIPT}</script>
</body>
</html>
"""


PREVIEW_CSS = """
/* The page around the cards. Page classes start with pv- so that they never meet the card classes above. */
:root { --pv-ink: #22201c; --pv-muted: #6b655c; --pv-accent: #8a2b1d; --pv-bg: #f4f1eb; --pv-panel: #ffffff;
  --pv-rule: #e2dccf; --pv-soft: #faf8f4; color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--pv-bg); color: var(--pv-ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
[hidden] { display: none !important; }
.pv-header { padding: 22px 32px 16px; border-bottom: 1px solid var(--pv-rule); background: var(--pv-panel); }
.pv-kicker { margin: 0; font-size: 12px; font-weight: 600; letter-spacing: 0.1em; text-transform: uppercase;
  color: var(--pv-accent); }
.pv-header h1 { margin: 4px 0 6px; font: 600 30px/1.2 "Iowan Old Style", "Palatino Linotype", Georgia, serif; }
.pv-description { margin: 0 0 6px; max-width: 60em; color: var(--pv-muted); }
.pv-totals { margin: 0; font-size: 13px; color: var(--pv-muted); }
.pv-print-selection { display: none; }
.pv-layout { display: grid; grid-template-columns: 290px minmax(0, 1fr); gap: 28px; max-width: 1440px;
  margin: 0 auto; padding: 24px 32px 48px; align-items: start; }
.pv-controls { position: sticky; top: 16px; max-height: calc(100vh - 32px); overflow: auto; background: var(--pv-panel);
  border: 1px solid var(--pv-rule); border-radius: 10px; padding: 16px; }
.pv-search label, .pv-group legend { display: block; font-size: 12px; font-weight: 600; letter-spacing: 0.06em;
  text-transform: uppercase; color: var(--pv-muted); margin-bottom: 6px; padding: 0; }
.pv-hint { font-weight: 400; letter-spacing: 0; text-transform: none; }
.pv-search input { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid #cfc7b8; border-radius: 7px;
  background: #fff; color: inherit; }
.pv-search input:focus, .pv-button:focus-visible, .pv-option input:focus-visible { outline: 2px solid var(--pv-accent);
  outline-offset: 1px; }
.pv-filters > summary { display: none; }
.pv-group { border: 0; margin: 18px 0 0; padding: 0; min-width: 0; }
.pv-option { display: flex; align-items: baseline; gap: 8px; padding: 4px 6px; margin: 0 -6px; border-radius: 6px;
  cursor: pointer; }
.pv-option:hover { background: var(--pv-soft); }
.pv-option input { accent-color: var(--pv-accent); margin: 0; transform: translateY(1px); flex: none; }
.pv-option-title { flex: 1; }
.pv-n { font-size: 12px; color: var(--pv-muted); font-variant-numeric: tabular-nums; }
.pv-button { font: inherit; font-size: 14px; font-weight: 600; padding: 7px 14px; border-radius: 7px; cursor: pointer;
  border: 1px solid var(--pv-accent); background: var(--pv-accent); color: #fff; white-space: nowrap; }
.pv-button:hover { filter: brightness(1.1); }
.pv-quiet { margin-top: 16px; background: transparent; color: var(--pv-accent); border-color: #d8c3bd; }
.pv-summary { background: var(--pv-panel); border: 1px solid var(--pv-rule); border-radius: 10px; padding: 14px 16px;
  margin-bottom: 20px; }
.pv-count { margin: 0 0 10px; font-size: 16px; }
.pv-count strong { font-size: 20px; font-variant-numeric: tabular-nums; }
.pv-command-row { display: flex; gap: 10px; align-items: stretch; }
.pv-command { flex: 1; min-width: 0; display: block; padding: 8px 12px; border-radius: 7px; background: #2a2723;
  color: #f6f2ea; font: 14px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere;
  user-select: all; }
.pv-command::before { content: "$ "; color: #a59d90; }
.pv-command-note { margin: 8px 0 0; font-size: 13px; color: var(--pv-muted); }
.pv-command-note.pv-warn { color: var(--pv-accent); font-weight: 600; }
.pv-empty { padding: 24px; text-align: center; color: var(--pv-muted); }
.pv-long .pv-note { content-visibility: auto; contain-intrinsic-size: auto 420px; }  /* lays out only what is seen */
.pv-note { background: var(--pv-panel); border: 1px solid var(--pv-rule); border-radius: 10px; padding: 14px 16px 16px;
  margin-bottom: 16px; }
.pv-note-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin-bottom: 4px; }
.pv-type, .pv-retired { font-size: 11px; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase;
  padding: 2px 8px; border-radius: 999px; }
.pv-type { background: #e8eef6; color: #2d4f7c; }
.pv-type-person .pv-type { background: #e6f1e8; color: #2f6a3d; }
.pv-type-treaty .pv-type { background: #efe8f5; color: #5b3a7e; }
.pv-type-quote .pv-type { background: #f7eedd; color: #7a5413; }
.pv-retired { background: var(--pv-accent); color: #fff; }
.pv-is-retired .card { opacity: 0.75; }
.pv-id { margin: 0; font: 600 14px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.pv-chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; list-style: none; }
.pv-chips li { font-size: 12px; padding: 1px 8px; border: 1px solid var(--pv-rule); border-radius: 999px;
  color: var(--pv-muted); }
.pv-where { margin-left: auto; font-size: 12px; color: #8c857a; }
.pv-template { margin-top: 10px; }
.pv-template-name { margin: 0 0 6px; font-size: 13px; font-weight: 600; color: var(--pv-ink); }
.pv-template-n { margin-left: 8px; font-weight: 400; color: var(--pv-muted); }
.pv-faces { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 12px; }
.pv-faces { align-items: start; }
.pv-face { margin: 0; min-width: 0; }
.pv-face figcaption { font-size: 11px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase;
  color: var(--pv-muted); margin-bottom: 4px; }
.pv-print { display: none; }
.pv-face > .card { width: 100%; max-width: none; margin: 0; font-size: 17px; border: 1px solid var(--pv-rule);
  border-radius: 8px; }
@media (max-width: 860px) {
  .pv-header { padding: 18px 16px 14px; }
  .pv-header h1 { font-size: 24px; }
  .pv-layout { display: block; padding: 12px 12px 32px; }
  .pv-controls { position: static; max-height: none; margin-bottom: 12px; padding: 12px; }
  .pv-filters > summary { display: list-item; margin-top: 10px; font-weight: 600; cursor: pointer; }
  .pv-filter-summary { font-weight: 400; color: var(--pv-accent); }
  .pv-group { margin-top: 10px; }
  .pv-group .pv-option { display: inline-flex; margin: 0 4px 6px 0; padding: 3px 10px; border: 1px solid var(--pv-rule);
    border-radius: 999px; font-size: 14px; }
  .pv-group .pv-option-title { flex: 0 1 auto; }
  .pv-quiet { margin-top: 8px; padding: 4px 12px; font-size: 13px; }
  .pv-summary { padding: 10px 12px; margin-bottom: 12px; }
  .pv-count { margin-bottom: 8px; }
  .pv-command-row { flex-direction: column; align-items: flex-start; gap: 6px; }
  .pv-command { width: 100%; }
  .pv-command { font-size: 13px; }
  .pv-note { padding: 12px; }
  .pv-where { margin-left: 0; width: 100%; }
  .pv-faces { grid-template-columns: minmax(0, 1fr); }
  .pv-face > .card { font-size: 16px; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { background: #fff; font-size: 10pt; }
  .pv-controls, .pv-summary, .pv-empty, .pv-totals, .pv-kicker, .pv-where, .pv-screen, .pv-template-n { display: none !important; }
  .pv-print { display: inline; }
  .pv-header { padding: 0 0 8px; border: 0; }
  .pv-header h1 { font-size: 18pt; }
  .pv-print-selection { display: block; margin: 2px 0 0; font-size: 10pt; color: #444; }
  .pv-layout { display: block; padding: 0; max-width: none; }
  .pv-note { border: 0; border-top: 1px solid #999; border-radius: 0; padding: 6px 0 4px; margin: 0; }
  .pv-note-head { break-after: avoid; }
  .pv-template { break-inside: avoid; margin-top: 4px; }
  .pv-template-name { display: none; }
  .pv-faces { grid-template-columns: 1fr 1fr; gap: 8mm; }
  .pv-face > .card { border: 0; padding: 0; font-size: 11pt; background: #fff; }
  .pv-back .frontside, .pv-back hr#answer { display: none; }
  .card .sources, .card .themes { font-size: 0.7em; }
  .pv-type, .pv-retired, .pv-chips li { border: 1px solid #999; background: #fff !important; color: #000 !important; }
}
"""


PREVIEW_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pv-data").textContent);
  var notes = document.querySelectorAll(".pv-note");
  var search = document.getElementById("pv-search");
  var boxes = document.querySelectorAll(".pv-controls input[type=checkbox]");
  var command = document.getElementById("pv-command");
  var copy = document.getElementById("pv-copy");

  function fold(text) {
    var out = "";
    for (var ch of text) out += Object.prototype.hasOwnProperty.call(data.fold, ch) ? data.fold[ch] : ch;
    return out.normalize("NFKD").replace(/[\\u0300-\\u036f\\u1ab0-\\u1aff\\u1dc0-\\u1dff\\u20d0-\\u20ff\\ufe20-\\ufe2f]/g, "").toLowerCase().replace(/\\s+/g, " ").trim();
  }

  function checked(name) {
    return Array.from(document.querySelectorAll("input[name=" + name + "]:checked"), function (box) {
      return box.value;
    });
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  // The same rules as `select` and `subset_deck_name` in build_deck.py.
  function inSelection(card, themes, types) {
    return (!themes.length || card.themes.some(function (t) { return themes.indexOf(t) >= 0; })) &&
      (!types.length || types.indexOf(card.type) >= 0);
  }

  function deckName(themes, types) {
    var parts = [data.deck];
    if (themes.length) parts.push(themes.slice().sort().map(function (t) { return data.themes[t]; }).join(", "));
    if (types.length) parts.push(types.slice().sort().join(" and ") + " cards");
    return parts.join(" \\u2014 ");
  }

  function update() {
    var themes = checked("theme"), types = checked("type");
    var words = fold(search.value).split(" ").filter(Boolean);
    var full = !themes.length && !types.length;
    var shown = 0, built = 0, faces = 0, retired = 0;
    data.cards.forEach(function (card, i) {
      var selected = inSelection(card, themes, types);
      var visible = selected && words.every(function (w) { return card.text.indexOf(w) >= 0; });
      notes[i].hidden = !visible;
      if (visible) shown += 1;
      if (full || (selected && !card.retired)) { built += 1; faces += card.faces; }
      else if (selected) retired += 1;
    });
    document.getElementById("pv-filter-summary").textContent = full ? "" :
      "(" + [themes.length ? plural(themes.length, "theme") : "", types.length ? plural(types.length, "type") : ""]
        .filter(Boolean).join(", ") + ")";
    document.getElementById("pv-shown").textContent = shown;
    document.getElementById("pv-search-note").hidden = !words.length;
    document.getElementById("pv-empty").hidden = shown > 0;
    command.textContent = ["build-deck build"].concat(
      themes.map(function (t) { return "--theme " + t; }),
      types.map(function (t) { return "--type " + t; })
    ).join(" ");
    var note = document.getElementById("pv-command-note");
    var name = full ? data.deck : deckName(themes, types);
    if (!built) {
      note.textContent = "No card matches this selection: build would write nothing.";
    } else {
      note.textContent = (full ? "Builds the whole deck" : "Builds the deck") + " \\u201c" + name + "\\u201d: " +
        plural(built, "note") + ", " + plural(faces, "Anki card") + "." +
        (retired ? " Retired cards are left out of a subset (" + retired + " here)." : "") +
        (words.length ? " The search only narrows this page, not the deck." : "");
    }
    note.classList.toggle("pv-warn", !built);
    document.getElementById("pv-print-selection").textContent = (full ? "All cards" : name) +
      (words.length ? ", matching \\u201c" + search.value.trim() + "\\u201d" : "") + ": " + plural(shown, "card") + ".";
  }

  function copied(ok) {
    copy.textContent = ok ? "Copied" : "Press Ctrl+C";
    setTimeout(function () { copy.textContent = "Copy command"; }, 1800);
  }

  copy.addEventListener("click", function () {
    var range = document.createRange();
    range.selectNodeContents(command);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(command.textContent).then(function () { copied(true); }, function () {
        copied(document.execCommand("copy"));
      });
    } else {
      copied(document.execCommand("copy"));
    }
  });
  document.getElementById("pv-clear").addEventListener("click", function () {
    boxes.forEach(function (box) { box.checked = false; });
    search.value = "";
    update();
  });
  if (window.matchMedia("(max-width: 860px)").matches) document.getElementById("pv-filters").open = false;
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  search.addEventListener("input", update);
  update();
})();
"""
