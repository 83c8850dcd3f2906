"""Issue #15: the site and the briefing draw every headline panel at the grain its release chose (the release's
`grain` table), with "Other" as the release states it (`grain_rollup`: the published total minus the categories
shown), and refuse a release without the choice. Everything here is read back from the rendered page or document
and checked against the release file, read independently (SQL on the release, panels.yaml as configuration)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from dashboards.briefing import build_briefing
from dashboards.published import MissingGrainTable
from dashboards.site import build_site
from support.browser import open_page, require_chromium

PANELS_YAML = Path(__file__).resolve().parents[1] / "dashboards" / "release" / "panels.yaml"
PERIOD_LABEL = {"month": r"[A-Z][a-z]+ \d{4}", "quarter": r"\d{4}Q[1-4]", "year": r"\d{4}"}


def _period(panel: str, grain: str) -> str:
    """A grain's period, from panels.yaml (a grain such as referrals by receiving type is more than its period)."""
    panels = yaml.safe_load(PANELS_YAML.read_text(encoding="utf-8"))["panels"]
    return next(g["period"] for g in panels[panel]["grains"] if g["grain"] == grain)


@pytest.fixture(scope="module")
def release(clean_demo_run, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("grain_display") / "serving.duckdb"
    shutil.copyfile(clean_demo_run.home / "serving.duckdb", path)
    return path


@pytest.fixture(scope="module")
def site(release, tmp_path_factory) -> Path:
    return build_site(release, tmp_path_factory.mktemp("site")).path


def _chosen(db: Path) -> dict[str, dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute("SELECT panel, surfaces, grain, rollup, cells_hidden_pct FROM grain WHERE chosen")
        names = [d[0] for d in cursor.description]
        return {r[0]: dict(zip(names, r)) for r in cursor.fetchall()}


def _specs(page: str) -> dict:
    match = re.search(r'<script id="lantern-specs" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def _panel_specs(page: str) -> dict[str, dict]:
    return {s["usermeta"]["panel"]: s for s in _specs(page).values() if "usermeta" in s}


def _rows(spec: dict) -> list[dict]:
    if "data" in spec:
        return spec["data"]["values"]
    return spec["layer"][0]["data"]["values"]  # the referral chart: its flows (a bar each)


def _planted(release: Path, tmp_path: Path, *statements: str) -> Path:
    planted = tmp_path / "planted.duckdb"
    shutil.copyfile(release, planted)
    with duckdb.connect(str(planted)) as con:
        for sql in statements:
            con.execute(sql)
    return planted


def _choose(panel: str, grain: str, rollup: str) -> str:
    return (f"UPDATE grain SET chosen = (grain = '{grain}' AND rollup = '{rollup}') WHERE panel = '{panel}'")


def test_every_site_panel_draws_the_grain_its_release_chose(site, release):
    chosen = _chosen(release)
    page = site.read_text(encoding="utf-8")
    specs = _panel_specs(page)
    notes = dict(re.findall(r'<p class="grain-note" data-panel="([a-z_]+)" data-grain="([a-z_]+)">', page))
    on_site = {p for p, row in chosen.items() if "site" in row["surfaces"].split(", ")}
    assert on_site and set(notes) == on_site  # every site panel says its grain, none is left out
    for panel in on_site:
        assert notes[panel] == chosen[panel]["grain"], panel
        if panel == "signals_by_venue_type":
            continue  # a table of the latest year (its only grain), checked by the note
        spec = specs[panel]
        assert spec["usermeta"]["grain"] == chosen[panel]["grain"], panel
        labels = {r.get("period_label") for r in _rows(spec)} - {None}
        assert all(re.fullmatch(PERIOD_LABEL[_period(panel, chosen[panel]["grain"])], label) for label in labels), (panel, labels)
        others = [r for r in _rows(spec) if r.get("other")]
        assert bool(others) == (chosen[panel]["rollup"] == "other"), panel


def test_briefing_panels_draw_the_grain_their_release_chose(release, tmp_path):
    from dashboards.briefing.content import build_document
    from dashboards.briefing.data import latest_complete_quarter, load

    chosen = _chosen(release)
    doc = build_document(load(release, latest_complete_quarter(release)))
    blocks = [b for s in doc.sections for b in s.blocks]
    charts = {b.spec["usermeta"]["panel"]: b.spec["usermeta"]["grain"] for b in blocks
              if hasattr(b, "spec") and "usermeta" in b.spec}
    assert charts == {p: chosen[p]["grain"] for p in ("signals_statewide", "signals_by_sector")}
    texts = [getattr(b, "text", "") for b in blocks]
    panels = yaml.safe_load(PANELS_YAML.read_text(encoding="utf-8"))["panels"]
    for panel in ("signals_by_region", "cases_by_region", "signals_statewide", "cases_statewide"):
        grain = chosen[panel]["grain"]
        assert any(f"{panels[panel]['title']}{sep}by {grain}" in t for t in texts for sep in (", ", " ")), panel
    report = build_briefing(release, tmp_path / "b", tmp_path / "s")
    assert report.pages > 0


def test_hidden_cells_drawn_are_at_most_the_release_figure(site, release, capsys):
    chosen = _chosen(release)
    specs = _panel_specs(site.read_text(encoding="utf-8"))
    measured = {}
    for panel, spec in specs.items():
        rows = _rows(spec)
        flags = [r["suppressed"] for r in rows] if "suppressed" in rows[0] else \
            [r["referrals"] is None for r in rows if "referrals" in r] or [r.get("value") is None for r in rows]
        drawn = round(100 * sum(flags) / len(flags), 1)
        measured[panel] = (drawn, chosen[panel]["cells_hidden_pct"], len(flags))
        if panel != "referrals_by_org_type":  # its chart shows the latest year only: any share may fall there
            assert drawn <= chosen[panel]["cells_hidden_pct"], (panel, drawn, chosen[panel])
    charted = {p for p, row in chosen.items() if "site" in row["surfaces"]} - {"signals_by_venue_type"}
    assert set(measured) == charted  # every headline chart of the site measured
    with capsys.disabled():
        print("\nhidden cells drawn (site) vs the release's figure:", json.dumps(measured))


def test_a_planted_grain_choice_is_what_the_site_draws(site, release, tmp_path):
    before = _panel_specs(site.read_text(encoding="utf-8"))["signals_by_type"]
    chosen = _chosen(release)["signals_by_type"]["grain"]
    other = next(g for g in ("month", "year", "quarter") if g != chosen)
    planted = _planted(release, tmp_path, _choose("signals_by_type", other, "none"))
    after = _panel_specs(build_site(planted, tmp_path / "site").path.read_text(encoding="utf-8"))["signals_by_type"]
    assert after["usermeta"]["grain"] == other != before["usermeta"]["grain"]
    assert all(re.fullmatch(PERIOD_LABEL[other], r["period_label"]) for r in _rows(after))
    with duckdb.connect(str(planted), read_only=True) as con:
        (cells,) = con.execute("SELECT cells FROM grain WHERE panel = 'signals_by_type' AND chosen").fetchone()
    assert len(_rows(after)) == cells  # the release's cells of that grain, every one drawn


def test_other_is_the_published_total_minus_the_categories_shown(release, tmp_path):
    """Plant a rolled-up choice for every site panel that has one; each "Other" drawn equals, period by period,
    the published total minus the published cells of the categories shown, recomputed here in SQL."""
    panels = yaml.safe_load(PANELS_YAML.read_text(encoding="utf-8"))["panels"]
    with duckdb.connect(str(release), read_only=True) as con:
        options = con.execute("SELECT panel, grain FROM grain WHERE rollup = 'other' AND cells > 0 "
                              "AND surfaces LIKE '%site%' ORDER BY panel, grain_rank").fetchall()
    plant = dict(reversed(options))  # the finest rolled option of each panel
    assert plant, "the release offers no rolled-up grain"
    planted = _planted(release, tmp_path, *(_choose(p, g, "other") for p, g in plant.items()))
    specs = _panel_specs(build_site(planted, tmp_path / "site").path.read_text(encoding="utf-8"))
    checked = 0
    with duckdb.connect(str(planted), read_only=True) as con:
        for panel, grain in plant.items():
            if panel == "signals_by_venue_type":
                continue  # a table, one "Other" per sector: test_the_venue_table_draws_each_sectors_other
            spec = next(g for g in panels[panel]["grains"] if g["grain"] == grain)
            count, period, category = panels[panel]["count"], spec["period"], spec["category"]
            members = [m for (m,) in con.execute("SELECT member FROM grain_rollup WHERE panel = ? AND grain = ?",
                                                 [panel, grain]).fetchall()]
            where = _where(spec["where"])
            total = con.execute(f"""
                SELECT CAST({period} AS VARCHAR), {count} FROM {spec['total']['table']}
                WHERE {_where(spec['total']['where'])}""").fetchall()
            shown = dict(con.execute(f"""
                SELECT CAST({period} AS VARCHAR), sum({count}) FROM {spec['table']}
                WHERE {where} AND CAST({category} AS VARCHAR) NOT IN (SELECT unnest($members))
                GROUP BY ALL""", {"members": members}).fetchall())
            expected = {p[:4] if period == "year" else p[:10]: t - (shown.get(p) or 0) for p, t in total}
            drawn = {r["period"][:4] if period == "year" else r["period"]: r["value"]
                     for r in _rows(specs[panel]) if r["other"]}
            assert drawn == expected, (panel, grain)
            assert all(v is None or v == 0 or v >= 11 for v in drawn.values())
            kept = {r["category"] for r in _rows(specs[panel]) if not r["other"]}
            assert not kept & set(members)  # a category in "Other" is never also drawn alone
            checked += 1
    assert checked


def _venue_rows(page: str) -> list[tuple[str, str, str]]:
    """The venue-type table's rows: (kind, label, value as printed); kind "sector", "venue" or "other"."""
    section = page[page.index('id="h-venues"'):]
    section = section[:section.index("</section>")]
    rows = []
    for tr in re.findall(r"<tr( class=\"other\")?>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr[1], re.S)
        if len(cells) < 2 or "<th" in tr[1] and 'scope="col"' in tr[1]:
            continue
        kind = "other" if tr[0] else "sector" if tr[1].startswith("<th") else "venue"
        rows.append((kind, cells[0], cells[1]))
    return rows


def test_the_venue_table_draws_each_sectors_other_from_the_release(release, tmp_path):
    """Venue types rolled up: under each sector the venue types shown, then its "Other", which equals the sector's
    published total minus them (recomputed here in SQL) and reads "suppressed" where that total is; a rolled venue
    type never has a row of its own."""
    planted = _planted(release, tmp_path, _choose("signals_by_venue_type", "year", "other"))
    rows = _venue_rows(build_site(planted, tmp_path / "site").path.read_text(encoding="utf-8"))
    with duckdb.connect(str(planted), read_only=True) as con:
        members = {m for (m,) in con.execute("SELECT member FROM grain_rollup WHERE panel = 'signals_by_venue_type' "
                                             "AND grain = 'year'").fetchall()}
        (year,) = con.execute("SELECT max(year) FROM venue_type_yearly WHERE months_loaded = 12").fetchone()
        expected = dict(con.execute("""
            SELECT v.sector_name,
                   CASE WHEN y.signals_suppressed THEN NULL
                        ELSE y.signals - coalesce(sum(v.signals) FILTER (WHERE v.venue_type NOT IN (SELECT unnest($m))), 0)
                   END
            FROM venue_type_yearly AS v
            JOIN yearly_industry AS y ON y.sector_code = v.sector_code AND y.year = v.year AND y.trafficking_type = 'all'
            WHERE v.year = $year
            GROUP BY v.sector_name, y.signals, y.signals_suppressed
            HAVING bool_or(v.venue_type IN (SELECT unnest($m)))""", {"m": sorted(members), "year": year}).fetchall())
        rolled_names = {n for (n,) in con.execute("SELECT DISTINCT venue_name FROM venue_type_yearly "
                                                  "WHERE venue_type IN (SELECT unnest($m))", {"m": sorted(members)}).fetchall()}
    assert members and expected
    drawn, sector = {}, None
    for kind, label, value in rows:
        if kind == "sector":
            sector = html.unescape(label)
        elif kind == "other":
            drawn[sector] = None if value == "suppressed" else int(value.replace(",", ""))
        else:
            assert html.unescape(label) not in rolled_names, label  # in "Other", never alone too
            assert value == "suppressed" or int(value.replace(",", "")) >= 11
    assert drawn == expected
    assert all(v is None or v == 0 or v >= 11 for v in drawn.values())


def _where(where: dict) -> str:
    parts = [f"CAST({c} AS VARCHAR) <> '{str(v)[1:]}'" if str(v).startswith("!") else f"CAST({c} AS VARCHAR) = '{v}'"
             for c, v in where.items()]
    return " AND ".join(parts) or "true"


def test_a_release_without_its_grain_choice_is_refused(release, tmp_path):
    for table in ("grain", "grain_rollup"):
        planted = _planted(release, tmp_path, f"DROP TABLE {table}")
        with pytest.raises(MissingGrainTable):
            build_site(planted, tmp_path / "site")
        with pytest.raises(MissingGrainTable):
            build_briefing(planted, tmp_path / "b", tmp_path / "s")
        planted.unlink()


@pytest.mark.browser
def test_site_panels_render_in_chromium_with_their_notes(site):
    require_chromium()
    run = open_page(site.as_uri(), None, wait_for="document.body.dataset.chartsReady",
                    evaluate="""({
                      ready: document.body.dataset.chartsReady,
                      rendered: document.querySelectorAll('[data-rendered="true"]').length,
                      failed: document.body.innerText.includes('could not be drawn'),
                      panels: Array.from(document.querySelectorAll('.chart[data-panel]')).map(
                        e => [e.dataset.panel, e.dataset.grain, e.querySelectorAll('svg.marks').length]),
                      notes: Array.from(document.querySelectorAll('p.grain-note')).map(e => e.innerText),
                    })""")
    assert run.problems == []
    assert run.result["rendered"] == int(run.result["ready"]) and not run.result["failed"]
    assert run.result["panels"] and all(n == 1 for _, _, n in run.result["panels"]), run.result["panels"]
    assert all(note.startswith("By ") for note in run.result["notes"]), run.result["notes"]
