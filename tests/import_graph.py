"""Print the package's modules with their line counts and which deckbuild modules each imports (at the top or
inside a function, marked *), from the code: `python tests/import_graph.py`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> dict[str, bool]:
    """deckbuild module → imported at module level (False: only inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("deckbuild"):
            names = [node.module] if node.module != "deckbuild" else [f"deckbuild.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("deckbuild")]
        for name in names:
            short = name.removeprefix("deckbuild.")
            found[short] = found.get(short, False) or id(node) in top
    return found


def main() -> None:
    files = [ROOT / "build_deck.py", *sorted((ROOT / "deckbuild").glob("*.py"))]
    for path in files:
        name = path.stem if path.parent.name == "deckbuild" else path.name
        lines = len(path.read_text(encoding="utf-8").splitlines())
        edges = imports(path)
        shown = ", ".join(f"{m}{'' if top else '*'}" for m, top in sorted(edges.items()))
        print(f"{name:14} {lines:4}  → {shown or '(stdlib and third-party only)'}")


if __name__ == "__main__":
    main()
