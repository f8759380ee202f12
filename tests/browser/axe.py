"""axe-core (vendored under tests/vendor/axe-core) run in a page under test: inject it, run it, and return what it
found, one line per violation and element, so a failing assertion says which rule broke where."""

from __future__ import annotations

from typing import Any

from tests.support import ROOT

AXE_JS = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")

# The pages' CSP refuses Playwright's add_script_tag; evaluate runs through CDP, which the CSP does not govern.
RUN = """async (impacts) => {
  const res = await axe.run(document, { resultTypes: ['violations'] });
  return res.violations.filter((v) => impacts.includes(v.impact)).flatMap((v) => v.nodes.map((n) =>
    `${v.impact} ${v.id}: ${n.target.join(' ')} ${(n.failureSummary || '').split('\\n').slice(1).join(' ').trim()}`));
}"""


def violations(page: Any, impacts: tuple[str, ...] = SERIOUS) -> list[str]:
    """The page's axe violations of the given impacts, as 'impact rule: selector why' lines."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return list(page.evaluate(RUN, list(impacts)))
