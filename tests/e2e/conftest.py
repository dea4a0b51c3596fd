"""Real-browser tests: Debian's Chromium driven by Playwright against Django's live server.

Set VMESTE_REQUIRE_BROWSER=1 (CI does) to fail instead of skipping when Chromium is missing."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_available() -> bool:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def browser():
    if not _browser_available():
        if os.environ.get("VMESTE_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium ({CHROMIUM}) or Playwright is missing")
        pytest.skip(f"Chromium ({CHROMIUM}) or Playwright is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
