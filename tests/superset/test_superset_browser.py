"""Every published dashboard in headless chromium, as a logged-in user: charts render, no error boxes.

Screenshots go to artifacts/superset-<dashboard>.png (the artifacts fixture). The README's pictures are of
the real `make demo` data instead: `lantern superset up && lantern superset publish`, then the same browser
steps against that server (docs/images/superset-*.png).
"""

from __future__ import annotations

import re
import secrets

import pytest

from dashboards.superset.access import Rest, ensure_user
from dashboards.superset.catalog import load_specs, stable_uuid

pytestmark = pytest.mark.superset

DASHBOARDS = list(load_specs().dashboards)

# Rendered when every chart holder shows a chart (canvas/svg/table/big number) or an error, none loading.
CHART_STATE = """() => {
  // chart holders carry dashboard-chart-id-<n>; the caveat panel (markdown) does not
  const holders = Array.from(document.querySelectorAll('.dashboard-component-chart-holder[class*="dashboard-chart-id-"]'));
  const state = holders.map(h => {
    if (h.querySelector('.ant-alert-error, [role="alert"], .alert-danger')) return 'error';
    if (h.querySelector('.loading, [aria-label="Loading"], .ant-skeleton')) return 'loading';
    if (h.querySelector('canvas, svg, table, .superset-legacy-chart-big-number, .header-line')) return 'chart';
    return 'empty';
  });
  const text = document.body.innerText;
  return {holders: state.length, state,
          errors: ['Unexpected error', 'Error:', 'There was an error', 'You don\\'t have access',
                   'Data error', 'No results'].filter(t => text.includes(t)),
          pwned: window.__pwned === 1, text};
}"""


@pytest.fixture(scope="module")
def viewers(published, admin_api, superset_server):
    rest = Rest(admin_api.session, superset_server.url)
    users = {}
    for username, role in (("browser_agency", "Lantern agency LE-KCPD"), ("browser_analyst", "Lantern analyst")):
        password = secrets.token_urlsafe(12)
        ensure_user(rest, username, password, [role])
        users[username] = password
    return users


def _open_dashboard(superset_server, slug: str, username: str, password: str, screenshot):
    from support.browser import open_page, require_chromium

    require_chromium()

    def log_in_and_wait(page):
        page.fill("#username", username)
        page.fill("#password", password)
        page.click('[data-test="login-button"]')
        page.wait_for_url(f"**/superset/dashboard/{slug}/**", timeout=60_000)
        # generous: on a 2-core machine with other work running, a dashboard's first render once took > 90 s
        page.wait_for_function(
            "() => { const s = (" + CHART_STATE + ")(); return s.holders > 0 && !s.state.includes('loading'); }",
            timeout=180_000)
        page.wait_for_timeout(1500)  # let echarts finish its entry animation before the screenshot
        # a viewport as tall as the dashboard: a full-page screenshot resizes the page and catches the
        # charts mid-redraw (blank)
        height = page.evaluate("Math.max(...Array.from(document.querySelectorAll("
                               "'.dashboard-component-chart-holder'), h => h.getBoundingClientRect().bottom))")
        page.set_viewport_size({"width": 1280, "height": min(int(height) + 24, 4000)})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(screenshot))

    screenshot.parent.mkdir(parents=True, exist_ok=True)
    return open_page(f"{superset_server.url}/login/?next=/superset/dashboard/{slug}/", None,
                     actions=log_in_and_wait, evaluate="(" + CHART_STATE + ")()", viewport=(1280, 2400),
                     timeout_ms=240_000)


@pytest.mark.parametrize("dashboard", DASHBOARDS)
def test_dashboard_renders_for_an_analyst(dashboard, superset_server, specs, viewers, artifacts):
    slug = specs.dashboards[dashboard]["dashboard"]["slug"]
    run = _open_dashboard(superset_server, slug, "browser_analyst", viewers["browser_analyst"],
                          artifacts / f"superset-{dashboard}.png")
    state = run.result
    assert state["holders"] == len(specs.dashboards[dashboard]["charts"]), state
    assert set(state["state"]) == {"chart"}, state
    assert state["errors"] == [], state
    assert not state["pwned"]
    assert run.page_errors == [], run.page_errors
    assert run.blocked == [], run.blocked  # no request left loopback (telemetry, CDNs, map tiles)
    assert_readable(state["text"], specs)


def assert_readable(text: str, specs) -> None:
    """Issue #15: no raw column name (labels only) and no float printed with more than 3 decimals."""
    raw = sorted({name for ds in specs.datasets.values() for name in [*ds["columns"], *ds.get("metrics", {})]
                  if "_" in name and re.search(rf"\b{re.escape(name)}\b", text)})
    assert raw == [], f"raw column names on the page: {raw}"
    long_floats = re.findall(r"(?<![\d.])\d+\.\d{4,}(?![\d.])", text)
    assert long_floats == [], f"unformatted numbers: {long_floats[:5]}"
    # Superset's own words for a NULL: a hidden number reads "suppressed", an empty one "no data" (vocabulary.py)
    assert not re.search(r"\bN/A\b|\bNo data\b", text), re.findall(r".{0,60}(?:\bN/A\b|\bNo data\b).{0,20}", text)


def test_agency_dashboard_renders_for_an_agency_user(superset_server, specs, viewers, artifacts):
    slug = specs.dashboards["agency_referrals"]["dashboard"]["slug"]
    run = _open_dashboard(superset_server, slug, "browser_agency", viewers["browser_agency"],
                          artifacts / "superset-agency_referrals-as-agency.png")
    state = run.result
    assert set(state["state"]) == {"chart"} and state["errors"] == [], state
    assert run.blocked == [], run.blocked
    assert_readable(state["text"], specs)


def test_no_bar_label_is_cut_at_the_chart_edge(superset_server, specs, viewers, artifacts):
    """Issue #15: the longest organisation names were cut off at the left edge of the ranked bars. Every horizontal
    bar chart of the agencies' dashboard (exact edition: every organisation) is drawn with its canvas's left edge
    empty: a label that does not fit runs off that edge."""
    from PIL import Image
    from support.browser import open_page, require_chromium

    require_chromium()
    dash = specs.dashboards["exact__agency_referrals"]
    names = [n for n, c in dash["charts"].items() if c["viz"] == "bar" and c.get("horizontal")]
    api = superset_server.api()
    ids = {row["uuid"]: row["id"] for row in api.list("chart", ["id", "uuid"])}
    slug, password = dash["dashboard"]["slug"], viewers["browser_analyst"]
    shots = {}

    def look(page):
        page.fill("#username", "browser_analyst")
        page.fill("#password", password)
        page.click('[data-test="login-button"]')
        page.wait_for_url(f"**/superset/dashboard/{slug}/**", timeout=60_000)
        page.wait_for_function(
            "() => { const s = (" + CHART_STATE + ")(); return s.holders > 0 && !s.state.includes('loading'); }",
            timeout=240_000)
        for name in names:
            holder = page.locator(f".dashboard-chart-id-{ids[stable_uuid('chart', name)]}")
            holder.scroll_into_view_if_needed(timeout=180_000)
            canvas = holder.locator("canvas").first
            canvas.wait_for(timeout=180_000)
            page.wait_for_timeout(2500)  # echarts' entry animation
            shots[name] = artifacts / f"superset-bar-{name}.png"
            canvas.screenshot(path=str(shots[name]))

    run = open_page(f"{superset_server.url}/login/?next=/superset/dashboard/{slug}/", None, actions=look,
                    viewport=(1280, 2400), timeout_ms=240_000)
    assert run.page_errors == [], run.page_errors
    assert names and set(shots) == set(names)
    for name, shot in shots.items():
        image = Image.open(shot).convert("L")
        edge = [image.getpixel((x, y)) for x in range(3) for y in range(image.height)]
        assert min(edge) > 200, f"{name}: something is drawn at the left edge (a cut-off label): {shot}"
