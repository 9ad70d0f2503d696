(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pv-data").textContent);
  var notes = document.querySelectorAll(".pv-note");
  var search = document.getElementById("pv-search");
  var boxes = document.querySelectorAll(".pv-controls input[type=checkbox]");
  var command = document.getElementById("pv-command");
  var copy = document.getElementById("pv-copy");

  // The fold of deckbuild/preview.py's search_fold, from the same table and the same combining marks.
  var marks = new RegExp(data.marks, "g");

  function fold(text) {
    var out = "";
    for (var ch of text) out += Object.prototype.hasOwnProperty.call(data.fold, ch) ? data.fold[ch] : ch;
    return out.normalize("NFKD").replace(marks, "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function checked(name) {
    return Array.from(document.querySelectorAll("input[name=" + name + "]:checked"), function (box) {
      return box.value;
    });
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  // The same rules as `select` and `subset_deck_name` in deckbuild/selection.py.
  function inSelection(card, themes, types) {
    return (!themes.length || card.themes.some(function (t) { return themes.indexOf(t) >= 0; })) &&
      (!types.length || types.indexOf(card.type) >= 0);
  }

  function deckName(themes, types) {
    var parts = [data.deck];
    if (themes.length) parts.push(themes.slice().sort().map(function (t) { return data.themes[t]; }).join(", "));
    if (types.length) parts.push(types.slice().sort().join(" and ") + " cards");
    return parts.join(" \u2014 ");
  }

  function fileName(themes, types) {  // as `build` names a subset (selection.subset_slug)
    var parts = [data.slug];
    if (themes.length) parts.push(themes.slice().sort().join("+"));
    if (types.length) parts.push(types.slice().sort().join("+"));
    return "dist/" + parts.join("--") + ".apkg";
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
      note.textContent = (full ? "Builds the whole deck" : "Builds the deck") + " \u201c" + name + "\u201d: " +
        plural(built, "note") + ", " + plural(faces, "Anki card") + ", into " + fileName(themes, types) + "." +
        (retired ? " Retired cards are left out of a subset (" + retired + " here)." : "") +
        (words.length ? " The search only narrows this page, not the deck." : "");
    }
    note.classList.toggle("pv-warn", !built);
    document.getElementById("pv-print-selection").textContent = (full ? "All cards" : name) +
      (words.length ? ", matching \u201c" + search.value.trim() + "\u201d" : "") + ": " + plural(shown, "card") + ".";
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
