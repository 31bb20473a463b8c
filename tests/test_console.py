"""The web console in headless Chromium (Debian's `chromium`, driven by Playwright with an
explicit executable path): upload a policy, see it listed, ask in the playground, see the
citation, save a screenshot. Runs against the real server of `http_server`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

POLICY_MD = """---
id: payment-p000020
kind: payment
scope: product
target: p000020
---
# Pay in instalments

This item can be paid in 10 interest-free monthly instalments with any credit card.
"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: run scripts/install-system-deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_console_upload_list_ask_and_cite(browser, http_server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{http_server.url}/console/")
    page.fill("#api-key", http_server.keys["merchandiser"])
    page.dispatch_event("#api-key", "change")

    # Upload a policy document and see it in the list.
    page.click("#tab-policies")
    doc = tmp_path / "payment-p000020.md"
    doc.write_text(POLICY_MD)
    page.set_input_files("#upload-file", str(doc))
    page.click("#upload-submit")
    page.wait_for_selector("#pol-status.ok", timeout=30_000)
    assert "uploaded payment-p000020 as version 1" in page.inner_text("#pol-status")
    row = page.locator('#pol-table tr[data-policy-id="payment-p000020"]')
    row.wait_for(timeout=10_000)
    assert "payment" in row.inner_text() and "product:p000020" in row.inner_text()
    # opened in the editor (filled after the document is fetched: wait, a loaded machine is slow)
    page.wait_for_function("document.querySelector('#ed-body').value.includes('10 interest-free')", timeout=10_000)
    page.locator("#hist-table tbody tr").first.wait_for(timeout=10_000)

    # Ask in the playground and see the citation of the uploaded policy.
    page.click("#tab-playground")
    page.fill("#chat-message", "Can I pay in instalments?")
    page.fill("#chat-product", "p000020")
    page.click("#chat-send")
    citation = page.locator('[data-testid="citation"]', has_text="payment-p000020 v1")
    citation.first.wait_for(timeout=30_000)
    assert "10 interest-free" in citation.first.inner_text()
    assert "payment" in page.inner_text('[data-testid="intent"]')
    assert "sentiment:" in page.inner_text('[data-testid="sentiment"]')
    assert page.inner_text("#chat-session") != "(new)"

    shot = tmp_path / "console.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"console screenshot: {shot}")
    assert errors == []
    page.close()


def test_console_edit_rollback_and_preview(browser, http_server, tmp_path):
    """Edit a policy in the editor, see before/after answers, roll back from the history."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{http_server.url}/console/")
    page.fill("#api-key", http_server.keys["merchandiser"])
    page.dispatch_event("#api-key", "change")
    page.click("#tab-policies")
    page.click("#pol-new")
    page.fill("#ed-id", "shipping-p000021")
    page.select_option("#ed-kind", "shipping")
    page.select_option("#ed-scope", "product")
    page.fill("#ed-target", "p000021")
    page.fill("#ed-body", "This item ships within 3 business days.")
    page.fill("#pv-question", "How long does shipping take?")
    page.fill("#pv-product", "p000021")
    page.click("#ed-save")
    page.wait_for_selector("#pol-status.ok", timeout=30_000)
    page.locator("#pv-after", has_text="3 business days").wait_for(timeout=30_000)

    page.fill("#ed-body", "This item ships within 8 business days.")
    page.click("#pv-ask")  # the answer before the change
    page.locator("#pv-before", has_text="3 business days").wait_for(timeout=30_000)
    page.click("#ed-save")
    page.locator("#pv-after", has_text="8 business days").wait_for(timeout=30_000)
    assert "v2" in page.inner_text("#editor-title")

    page.locator("#hist-table button", has_text="roll back").first.click()
    page.locator("#pol-status", has_text="now v3").wait_for(timeout=30_000)
    page.locator("#pv-after", has_text="3 business days").wait_for(timeout=30_000)
    assert "3 business days" in page.input_value("#ed-body")
    page.screenshot(path=str(tmp_path / "console-editor.png"), full_page=True)
    page.close()
