"""Browser fixtures: Debian's Chromium driven by Playwright, and axe-core checks."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import require

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium: Playwright's own browser download can't work here."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    require(
        executable is not None,
        "Chromium is not installed (apt-get install -y chromium)",
    )
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def nojs_page(browser):
    """A page in a browser context with JavaScript switched off."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page) -> None:
    """axe-core finds no violations on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


# Widths every page must work at: a desktop, and the phones (320 px is the narrowest we serve).
WIDTHS = {"desktop": 1280, "phone": 390, "small phone": 320}


def assert_fits_width(page) -> None:
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url}: {overflow}px wider than the window"
