"""Browser helpers for the page tests: Chromium contexts that can take axe-core (pinned in
tests/node/package.json) and a check that fails on any serious or critical violation."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
AXE = ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser, base_url: str, **options) -> Page:
    # bypass_csp: the page's CSP (rightly) refuses the injected axe script.
    options.setdefault("locale", "zh-TW")
    context = browser.new_context(base_url=base_url, bypass_csp=True, **options)
    return context.new_page()


def axe_serious(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    assert AXE.exists(), "run `make tests/node/node_modules/.installed` (npm ci in tests/node)"
    if not page.evaluate("Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
