"""Open a page in headless Debian chromium (via Playwright) and record everything that went wrong.

Playwright cannot download its own browsers here, so this uses the distribution's chromium at
/usr/bin/chromium and installs it with apt-get when it is missing (the test machines run as root).
Every request that is not file:, data: or blob: (or the page's own http origin) is aborted and
recorded, which proves a page works with no network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


def ensure_chromium() -> Path:
    """Return /usr/bin/chromium, installing Debian's package first if it is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        raise RuntimeError("chromium is missing and apt-get is not available to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    if not CHROMIUM.exists():
        raise RuntimeError(f"apt-get installed chromium but {CHROMIUM} does not exist")
    return CHROMIUM


def require_chromium() -> Path:
    """For tests: ensure chromium. Where it cannot be installed, fail under CI (CI=true), else skip."""
    try:
        return ensure_chromium()
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise
        pytest.skip(f"headless chromium unavailable: {exc}")


@dataclass
class PageRun:
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every non-local request the page attempted
    blocked: list[str] = field(default_factory=list)  # of those, the ones aborted by the route
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # alert()/confirm() etc. (dismissed)
    result: Any = None  # value of `evaluate`, if given
    screenshot: Path | None = None

    @property
    def problems(self) -> list[str]:
        return [*(f"console: {m}" for m in self.console_errors), *(f"pageerror: {m}" for m in self.page_errors),
                *(f"request: {u}" for u in self.requests), *(f"failed: {u}" for u in self.failed),
                *(f"dialog: {m}" for m in self.dialogs)]


def open_page(
    url: str,
    screenshot: Path | None = None,
    *,
    wait_for: str | None = None,
    evaluate: str | None = None,
    actions: Callable[[Any], None] | None = None,
    viewport: tuple[int, int] = (1280, 900),
    timeout_ms: int = 60_000,
) -> PageRun:
    """Load `url`, wait for the JS expression `wait_for` to be truthy, run `actions(page)`,
    evaluate `evaluate`, save a full-page screenshot, and report errors and network attempts."""
    from playwright.sync_api import sync_playwright

    ensure_chromium()
    run = PageRun(url=url)
    page_origin = urlsplit(url)
    own_origin = (page_origin.scheme, page_origin.netloc) if page_origin.scheme in ("http", "https") else None

    def local(request_url: str) -> bool:
        parts = urlsplit(request_url)
        return parts.scheme in LOCAL_SCHEMES or (parts.scheme, parts.netloc) == own_origin

    def route(route: Any) -> None:
        if local(route.request.url):
            route.continue_()
        else:
            run.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                          service_workers="block")
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            page.on("console", lambda m: run.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: run.page_errors.append(str(e)))
            page.on("request", lambda r: None if local(r.url) else run.requests.append(r.url))
            page.on("requestfailed", lambda r: run.failed.append(f"{r.url} ({r.failure})"))
            page.on("dialog", lambda d: (run.dialogs.append(d.message), d.dismiss()))
            page.goto(url, wait_until="load")
            if wait_for:
                page.wait_for_function(wait_for, timeout=timeout_ms)
            if actions:
                actions(page)
            if evaluate:
                run.result = page.evaluate(evaluate)
            if screenshot:
                screenshot = Path(screenshot)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
                run.screenshot = screenshot
            context.close()
        finally:
            browser.close()
    return run
