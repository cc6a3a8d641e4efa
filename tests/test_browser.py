"""The web app in a real browser: Playwright drives Debian's Chromium (headless, no network).

Every request must stay on 127.0.0.1: anything else is blocked and fails the test. Screenshots of
the timeline and a dossier are saved to docs/screenshots/ for the README.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import build_sample_store

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
TOKEN = "browser-token"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM} "
                              "(`make browser` or apt-get install chromium)"),
]

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from communique.web import create_app

    db = build_sample_store(tmp_path_factory.mktemp("browser") / "sample.db")
    port = _free_port()
    config = uvicorn.Config(create_app(db, token=TOKEN), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


class Watched:
    """A page whose console errors, page errors, dialogs and off-host requests are recorded."""

    def __init__(self, browser, base: str, **context_args):
        self.context = browser.new_context(**context_args)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        host = urlparse(base).netloc
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

        def route(r):
            url = urlparse(r.request.url)
            if url.scheme in ("data", "blob") or url.netloc == host:
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)

    def goto(self, path: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, server):
    w = Watched(browser, server, viewport={"width": 1280, "height": 900})
    yield w
    w.close()


def _first(api, path: str) -> dict:
    return api.get(path).json()["items"][0]


@pytest.fixture(scope="module")
def api(server):
    import httpx

    with httpx.Client(base_url=server) as client:
        yield client


def test_every_page_loads_clean_and_offline(watched, api):
    doc = _first(api, "/api/documents")
    event = _first(api, "/api/events")
    people = api.get("/api/entities", params={"type": "person"}).json()["items"]
    pages = ["/", "/timeline?type=meeting", "/documents", f"/documents/{doc['id']}", "/entities",
             "/countries/BE", "/countries/NL", "/map", "/search?q=Daesh", "/upload",
             f"/events/{event['id']}", f"/entities/{people[0]['id']}" if people else "/entities"]
    for path in pages:
        response = watched.goto(path)
        assert response.status == 200, path
        assert watched.page.locator("main h1").count() == 1, path
    watched.goto("/docs")
    watched.page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert watched.page.locator(".opblock").count() > 5
    assert watched.errors == []
    assert watched.outside == []


def test_timeline_click_reaches_event_then_highlighted_source(watched):
    watched.goto("/timeline")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched.page.screenshot(path=str(SCREENSHOTS / "timeline.png"))
    link = watched.page.locator("ul.events li a").first
    title = link.inner_text()
    link.click()
    watched.page.wait_for_load_state("networkidle")
    assert "/events/" in watched.page.url
    assert watched.page.locator("main h1").inner_text() == title
    evidence = watched.page.locator(".source mark.evidence").first.inner_text()
    watched.page.locator("a.doc-link").first.click()
    watched.page.wait_for_load_state("networkidle")
    assert "/documents/" in watched.page.url
    focus = watched.page.locator("mark#hl.focus")
    assert focus.is_visible()
    assert " ".join(focus.inner_text().split()) == " ".join(evidence.split())
    assert watched.errors == [] and watched.outside == []


def test_dossier_draws_ledger_and_is_saved(watched):
    watched.goto("/countries/BE")
    assert watched.page.locator("svg.ledger rect.bar").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched.page.screenshot(path=str(SCREENSHOTS / "dossier.png"), full_page=True)
    assert (SCREENSHOTS / "dossier.png").stat().st_size > 10_000
    assert watched.errors == [] and watched.outside == []


def test_uploaded_script_is_shown_inert(watched):
    payload = ("<script>window.__pwned = 1; alert('xss')</script>"
               "<img src=x onerror=\"window.__pwned = 2; alert('img')\">")
    watched.goto("/upload")
    watched.page.fill("textarea[name=text]", f"Statement\n\nThe minister wrote {payload} today.\n")
    watched.page.fill("input[name=name]", "inert.txt")
    watched.page.fill("input[name=token]", TOKEN)
    watched.page.click("form.upload button[type=submit]")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.url.endswith("/documents/inert.txt")
    assert payload in watched.page.locator(".doc-text").inner_text()
    assert watched.page.evaluate("typeof window.__pwned") == "undefined"
    assert watched.page.locator(".doc-text script, .doc-text img").count() == 0
    assert watched.dialogs == []
    assert watched.outside == []


def test_upload_with_a_wrong_token_is_refused(watched):
    watched.goto("/upload")
    watched.page.fill("textarea[name=text]", "Nothing")
    watched.page.fill("input[name=token]", "wrong")
    watched.page.click("form.upload button[type=submit]")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.locator("main h1").inner_text() == "401"


def test_pages_fit_a_phone(browser, server, api):
    phone = Watched(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True,
                    has_touch=True, device_scale_factor=2)
    try:
        doc = _first(api, "/api/documents")
        for path in ("/timeline", "/countries/BE", f"/documents/{doc['id']}", "/map"):
            phone.goto(path)
            overflow = phone.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, (path, overflow)
        assert phone.errors == [] and phone.outside == []
    finally:
        phone.close()
