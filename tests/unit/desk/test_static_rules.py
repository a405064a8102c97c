"""Rules the desk's own files keep: no HTML built from data in scripts, no |safe in templates,
nothing loaded from outside the site."""
import re
from pathlib import Path

DESK = Path(__file__).resolve().parents[3] / "bot" / "desk"


def test_scripts_never_write_html():
    for path in (DESK / "static").glob("*.js"):  # desk.js, workbench.js
        script = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in script, (path.name, sink)
        assert "textContent" in script, path.name


def test_templates_escape_everything():
    for template in (DESK / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), template.name
        assert "autoescape false" not in text, template.name
        assert "<script>" not in text and "style=" not in text, template.name  # CSP: no inline code


def test_nothing_comes_from_outside():
    for path in list((DESK / "templates").glob("*.html")) + list((DESK / "static").iterdir()):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", text), path.name
        assert "@import" not in text and "url(http" not in text, path.name
