"""axe-core in the browser tests: scripts/setup --browser installs the version locked in
tests/support/a11y/package-lock.json into .tools/a11y; `serious_violations` injects it into a Playwright
page and runs it there (WCAG 2.0/2.1 A and AA rules)."""
from __future__ import annotations

from typing import Dict, List

import pytest

from bot.core.settings import PROJECT_ROOT

AXE = PROJECT_ROOT / ".tools" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> List[Dict]:
    """axe's violations on the whole page as it is now, each reduced to its rule, impact, help
    text and the offending elements' selectors. A page with a Content Security Policy needs a
    context made with ``bypass_csp=True`` (axe is injected as an inline script)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run scripts/setup --browser", pytrace=False)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' '))}))", TAGS)
    return found


def serious_violations(page) -> List[Dict]:
    return [v for v in violations(page) if v["impact"] in ("serious", "critical")]
