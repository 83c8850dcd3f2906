"""A real Superset for the `superset` tests: cached venv, own LANTERN_HOME in a tmp dir, free loopback port.

The server is started once per session (about 25 s on a fresh home, plus the one-off venv install, about
50 s, which is cached under ~/.cache/lantern/ between runs) and stopped at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:  # for fixtures.serving_fixture, as the other tests import it
    sys.path.insert(0, str(TESTS_DIR))

from fixtures.serving_fixture import make_serving_fixture  # noqa: E402

from dashboards.superset import environment  # noqa: E402
from dashboards.superset.catalog import load_specs  # noqa: E402



# Per-organisation flows and the funnel at fixed, known values (the pipeline publishes both; a real
# pipeline-built serving database is checked against the specs in tests/test_referral_flows_by_org.py); built
# here so the per-agency dashboard, row-level security and the outcome funnel have data to show.
REFERRAL_FLOWS_BY_ORG = [  # referring org, receiving org, mean referrals a year
    ("LE-KCPD", "VS-KCSA", 34), ("LE-KCPD", "SH-KCSH", 18), ("LE-KCPD", "CW-DSS", 15),
    ("LE-SLMPD", "VS-STLFN", 40), ("LE-SLMPD", "SH-STLSH", 16), ("LE-MSHP", "VS-MIDMO", 22),
    ("LE-SGFPD", "VS-OZRC", 25), ("VS-KCSA", "LA-WEST", 19), ("VS-STLFN", "LA-EAST", 21),
    ("CW-DSS", "VS-KCSA", 14), ("HC-KCMED", "VS-KCSA", 12), ("VS-OZRC", "MH-OZARK", 13),
    ("LA-WEST", "VS-KCSA", 12),  # back along VS-KCSA -> LA-WEST: a cycle, as in real data
    ("LE-KCPD", "LA-WEST", 4),  # small: every cell of it is suppressed in the release, exact in internal
]


def make_test_serving(path: Path, seed: int = 1, exact: bool = False) -> None:
    """The shared serving fixture plus `referral_flows_by_org` and `case_funnel`, disclosure-controlled; with
    `exact`, the internal database (same numbers, nothing suppressed, plus the internal-only tables)."""
    import random

    import duckdb
    from fixtures.serving_fixture import PERIOD_END, PERIOD_START, _cell, _poisson

    from sources.reference import organisations

    make_serving_fixture(path, seed=seed, exact=exact)
    orgs = {row["org_id"]: row for row in organisations().to_dicts()}
    rng = random.Random(seed)
    rows = []
    for year in range(PERIOD_START.year, PERIOD_END.year + 1):
        for src, dst, mean in REFERRAL_FLOWS_BY_ORG:
            referrals = max(_poisson(rng, mean), 11 if mean >= 11 else 1)
            accepted = round(referrals * rng.uniform(0.55, 0.8))
            declined = round((referrals - accepted) * rng.uniform(0.2, 0.5))
            pending = referrals - accepted - declined
            cells = [_cell(v, exact) for v in (referrals, accepted, declined, pending)]
            hidden = [i for i, (_, sup) in enumerate(cells) if sup]
            if len(hidden) == 1:  # complementary suppression, as the pipeline does
                j = max((i for i in (1, 2, 3) if i not in hidden), key=lambda i: -(cells[i][0] or 0))
                cells[j] = (None, True)
            label = lambda org: org["org_type"].replace("_", " ").capitalize()  # noqa: E731
            rows.append((year, src, orgs[src]["org_name"], orgs[src]["org_type"], label(orgs[src]),
                         dst, orgs[dst]["org_name"], orgs[dst]["org_type"], label(orgs[dst]),
                         *[x for cell in cells for x in cell]))
    funnel = []
    for year in range(PERIOD_START.year, PERIOD_END.year + 1):
        signalled = _poisson(rng, 420)
        stages = [signalled, round(signalled * 0.34), round(signalled * 0.2), round(signalled * 0.09),
                  round(signalled * 0.05)]
        if year == 2024:
            stages[-1] = 7  # a hidden "Convicted" stage in the latest complete cohort: never drawn as 0
        funnel.append((year, *stages))
    con = duckdb.connect(str(path))
    try:
        con.execute("""CREATE TABLE referral_flows_by_org (
            year INTEGER, referring_org_id VARCHAR, referring_org_name VARCHAR, referring_org_type VARCHAR,
            referring_org_type_label VARCHAR, receiving_org_id VARCHAR, receiving_org_name VARCHAR,
            receiving_org_type VARCHAR, receiving_org_type_label VARCHAR,
            referrals BIGINT, referrals_suppressed BOOLEAN, accepted BIGINT, accepted_suppressed BOOLEAN,
            declined BIGINT, declined_suppressed BOOLEAN, pending BIGINT, pending_suppressed BOOLEAN)""")
        con.executemany("INSERT INTO referral_flows_by_org VALUES (" + ", ".join(["?"] * 17) + ")", rows)
        stages = ("signalled", "case", "investigated", "charged", "convicted")
        con.execute("CREATE TABLE case_funnel (cohort_year INTEGER, "
                    + ", ".join(f"situations_{s} BIGINT, situations_{s}_suppressed BOOLEAN" for s in stages) + ")")
        con.executemany("INSERT INTO case_funnel VALUES (" + ", ".join(["?"] * 11) + ")",
                        [(year, *[x for v in values for x in _cell(v, exact)]) for year, *values in funnel])
        outcome_share = {"investigations": 0.3, "arrests": 0.12, "charges": 0.1, "convictions": 0.05,
                         "charges_state": 0.08, "charges_federal": 0.02, "services_started": 0.2}
        min_cell = 1 if exact else 11
        con.execute("CREATE TABLE outcomes_quarterly AS SELECT quarter, quarter_label, region, "
                    "'Troop ' || region AS region_label, "
                    + ", ".join(f"CASE WHEN CAST(signals * {f} AS BIGINT) BETWEEN 1 AND {min_cell - 1} THEN NULL "
                                f"ELSE CAST(signals * {f} AS BIGINT) END AS {m}, "
                                f"CAST(signals * {f} AS BIGINT) BETWEEN 1 AND {min_cell - 1} AS {m}_suppressed"
                                for m, f in outcome_share.items())
                    + """ FROM (SELECT quarter, any_value(quarter_label) AS quarter_label, 'all' AS region,
                          sum(coalesce(signals, 5)) AS signals FROM quarterly_by_sector GROUP BY quarter)""")
        _area_quarterly(con)
        _industry_tables(con)
        _dss_notification_table(con)
        _public_context_tables(con)
        _victim_profile_table(con, exact)
        if not exact:
            _grain_table(con)
            _panel_grain_sources(con)
    finally:
        con.close()


def _area_quarterly(con) -> None:
    """Statewide rows of area_quarterly (the published quarter cells and their changes), from the fixture's
    sectors: a hidden sector-quarter counts 5 (the fixture's stand-in for its true value)."""
    con.execute("""CREATE TABLE area_quarterly AS
        WITH q AS (
            SELECT quarter, CAST(sum(coalesce(signals, 5)) AS BIGINT) AS signals,
                   CAST(sum(coalesce(cases, 5)) AS BIGINT) AS cases
            FROM quarterly_by_sector GROUP BY quarter),
        c AS (
            SELECT *, 100.0 * (signals / lag(signals) OVER w - 1) AS signals_qoq_change_pct,
                   100.0 * (signals / lag(signals, 4) OVER w - 1) AS signals_yoy_change_pct,
                   100.0 * (cases / lag(cases) OVER w - 1) AS cases_qoq_change_pct,
                   100.0 * (cases / lag(cases, 4) OVER w - 1) AS cases_yoy_change_pct
            FROM q WINDOW w AS (ORDER BY quarter))
        SELECT quarter, 'all' AS region, 'all' AS county, 'state' AS area_level, 'Missouri' AS area_name,
               3 AS months_loaded, signals, false AS signals_suppressed, cases, false AS cases_suppressed,
               signals_qoq_change_pct, signals_qoq_change_pct - 15 AS signals_qoq_change_low_pct,
               signals_qoq_change_pct + 15 AS signals_qoq_change_high_pct, CAST(NULL AS VARCHAR) AS signals_qoq_change_pct_flag,
               signals_yoy_change_pct, signals_yoy_change_pct - 15 AS signals_yoy_change_low_pct,
               signals_yoy_change_pct + 15 AS signals_yoy_change_high_pct, CAST(NULL AS VARCHAR) AS signals_yoy_change_pct_flag,
               cases_qoq_change_pct, cases_qoq_change_pct - 20 AS cases_qoq_change_low_pct,
               cases_qoq_change_pct + 20 AS cases_qoq_change_high_pct, CAST(NULL AS VARCHAR) AS cases_qoq_change_pct_flag,
               cases_yoy_change_pct, cases_yoy_change_pct - 20 AS cases_yoy_change_low_pct,
               cases_yoy_change_pct + 20 AS cases_yoy_change_high_pct, CAST(NULL AS VARCHAR) AS cases_yoy_change_pct_flag
        FROM c""")


def _industry_tables(con) -> None:
    """industry_quarterly's all-sector rows per trafficking type (from the fixture's months: a hidden month counts
    5; one type-quarter hidden, as the release hides some) and sector_seasonality (from the sectors)."""
    con.execute("""CREATE TABLE industry_quarterly AS
        SELECT quarter, strftime(quarter, '%Y') || 'Q' || CAST(quarter(quarter) AS VARCHAR) AS quarter_label,
               'all' AS sector_code, 'All sectors' AS sector_name, trafficking_type, trafficking_type_label,
               3 AS months_loaded,
               CASE WHEN hide THEN NULL ELSE signals END AS signals, hide AS signals_suppressed,
               cases, false AS cases_suppressed
        FROM (SELECT CAST(date_trunc('quarter', month) AS DATE) AS quarter, trafficking_type,
                     any_value(trafficking_type_label) AS trafficking_type_label,
                     CAST(sum(coalesce(signals, 5)) AS BIGINT) AS signals, CAST(sum(coalesce(cases, 5)) AS BIGINT) AS cases,
                     trafficking_type = 'labor' AND CAST(date_trunc('quarter', month) AS DATE) = DATE '2024-04-01' AS hide
              FROM monthly_statewide_by_type GROUP BY ALL)""")
    con.execute("""CREATE TABLE sector_seasonality AS
        WITH q AS (SELECT sector_code, any_value(sector_name) AS sector_name, quarter(quarter) AS quarter_of_year,
                          count(*) AS quarters_loaded, avg(signals) AS mean_signals, bool_or(signals_suppressed) AS hidden
                   FROM quarterly_by_sector GROUP BY sector_code, quarter(quarter))
        SELECT sector_code, sector_name, CAST(quarter_of_year AS INTEGER) AS quarter_of_year,
               CAST(quarters_loaded AS INTEGER) AS quarters_loaded,
               CASE WHEN bool_or(hidden) OVER (PARTITION BY sector_code) THEN NULL
                    ELSE mean_signals / avg(mean_signals) OVER (PARTITION BY sector_code) END AS seasonal_index
        FROM q""")


def _dss_notification_table(con) -> None:
    """Missouri § 566.223 over the people met (dss_notification_compliance), two years, all counts >= 11."""
    con.execute("""CREATE TABLE dss_notification_compliance AS SELECT * FROM (VALUES
        (2024, 'all', 126, 45, 28, 0.357, 0.540, 0.222, 2.0, 0.80, 0.992),
        (2024, 'adult', 91, 25, 26, 0.275, 0.460, 0.286, 3.0, CAST(NULL AS DOUBLE), 0.990),
        (2025, 'all', 106, 49, 23, 0.462, 0.604, 0.217, 1.0, 0.85, 0.957))
        AS t(year, person_group, encounters, dss_within_1_day, dss_never_notified, share_dss_within_1_day,
             share_dss_within_3_days, share_dss_never_notified, median_dss_delay_days, share_juvenile_within_1_day,
             notification_link_share)""")


def _victim_profile_table(con, exact: bool) -> None:
    """The victim profile (one attribute, two types, one year): one small cell, hidden in the release and its
    complement hidden with it; exact in the internal database."""
    hidden = "false" if exact else "true"
    small = "8" if exact else "CAST(NULL AS BIGINT)"
    partner = "40" if exact else "CAST(NULL AS BIGINT)"
    con.execute(f"""CREATE TABLE victim_profile AS SELECT * FROM (VALUES
        ('2025', 'year', DATE '2025-01-01', 2025, 12, 'all', 'All types', 0, 'gender', 'Gender', 2, 'female',
         'Female', 1, 420, false, 150, false, 610.0, 200.0, 0.689, NULL, 0.75, NULL),
        ('2025', 'year', DATE '2025-01-01', 2025, 12, 'all', 'All types', 0, 'gender', 'Gender', 2, 'male',
         'Male', 2, 190, false, 50, false, 610.0, 200.0, 0.311, NULL, 0.25, NULL),
        ('2025', 'year', DATE '2025-01-01', 2025, 12, 'labor', 'Labor trafficking', 2, 'gender', 'Gender', 2,
         'female', 'Female', 1, {small}, {hidden}, {partner}, {hidden}, 160.0, 60.0, NULL, 'suppressed', NULL,
         'suppressed'))
        AS t(period, period_grain, period_start, year, months_loaded, trafficking_type, trafficking_type_label,
             type_order, attribute, attribute_label, attribute_order, category, category_label, category_order,
             profile_signals, profile_signals_suppressed, profile_cases, profile_cases_suppressed, type_signals,
             type_cases, signal_share, signal_share_flag, case_share, case_share_flag)""")


def _grain_table(con) -> None:
    """The release's `grain` table (dashboards/release/grain.py): four panels' options, one chosen each; one panel
    shown with its small categories rolled into "other", one that holds up at no grain."""
    con.execute("""CREATE TABLE grain AS SELECT * FROM (VALUES
        ('signals_by_type', 'Hotline signals by trafficking type', 'site', 'signals', 'month', 0, 'monthly_statewide_by_type',
         '', 60, 20, 33.3, 12.5, 'trafficking_type', 'none', CAST(NULL AS DOUBLE), false, false, 'hidden_share_over_limit'),
        ('signals_by_type', 'Hotline signals by trafficking type', 'site', 'signals', 'quarter', 1, 'industry_quarterly',
         'sector_code = all; trafficking_type != all', 20, 2, 10.0, 4.2, 'trafficking_type', 'none', NULL, true, true, 'holds'),
        ('signals_by_sector', 'Hotline signals by industry sector', 'site, briefing', 'signals', 'quarter', 0,
         'quarterly_by_sector', '', 112, 31, 27.7, 14.0, 'sector_code', 'none', NULL, false, false, 'hidden_share_over_limit'),
        ('signals_by_sector', 'Hotline signals by industry sector', 'site, briefing', 'signals', 'quarter', 1,
         'quarterly_by_sector', '', 112, 31, 27.7, 0.0, 'sector_code', 'other', 9.5, true, true, 'holds'),
        ('cases_by_type', 'Cases by trafficking type', 'site', 'cases', 'year', 2, 'yearly_industry',
         'sector_code = all; trafficking_type != all', 8, 6, 75.0, CAST(NULL AS DOUBLE), 'trafficking_type', 'none', NULL,
         false, true, 'coarsest_none_holds'),
        ('referrals_by_org_type', 'Referrals between organisation types', 'site', 'referrals', 'year_by_receiving_type',
         1, 'referral_timeliness', 'receiving_org_type != all', 22, 2, 9.1, 1.0, 'receiving_org_type', 'none', NULL,
         true, true, 'holds'))
        AS t(panel, title, surfaces, measure, grain, grain_rank, source_table, source_rows, cells, cells_hidden,
             cells_hidden_pct, hidden_share_pct, category, rollup, other_share_pct, holds, chosen, reason)""")


def _panel_grain_sources(con) -> None:
    """What the release-only "at the chosen grain" datasets read besides `grain`: the statewide monthly totals, the
    all-type quarters and the years of the type and sector panels (from the fixture's quarters: a hidden cell
    hides the total it is part of), and `grain_rollup` (the sectors with a hidden quarter, rolled into "Other" as
    the grain table's chosen row says)."""
    con.execute("""CREATE TABLE area_monthly AS
        SELECT month, 'all' AS region, 'all' AS county, 'state' AS area_level, 'Missouri' AS area_name,
               1 AS months_loaded, CAST(sum(coalesce(signals, 5)) AS BIGINT) AS signals, false AS signals_suppressed
        FROM monthly_statewide_by_type GROUP BY month""")
    con.execute("""INSERT INTO industry_quarterly BY NAME
        SELECT quarter, any_value(quarter_label) AS quarter_label, 'all' AS sector_code, 'All sectors' AS sector_name,
               'all' AS trafficking_type, 'All types' AS trafficking_type_label, 3 AS months_loaded,
               sum(coalesce(signals, 5)) AS signals, false AS signals_suppressed, sum(cases) AS cases,
               false AS cases_suppressed
        FROM industry_quarterly GROUP BY quarter""")
    con.execute("""CREATE TABLE yearly_industry AS
        WITH by_type AS (
            SELECT year(quarter) AS year, 'all' AS sector_code, 'All sectors' AS sector_name, trafficking_type,
                   any_value(trafficking_type_label) AS trafficking_type_label, 3 * count(*) AS months_loaded,
                   sum(signals) AS signals, bool_or(signals_suppressed) AS hidden
            FROM industry_quarterly GROUP BY ALL),
        by_sector AS (
            SELECT year(quarter) AS year, sector_code, any_value(sector_name) AS sector_name, 'all' AS trafficking_type,
                   'All types' AS trafficking_type_label, 3 * count(*) AS months_loaded, sum(signals) AS signals,
                   bool_or(signals_suppressed) AS hidden
            FROM quarterly_by_sector GROUP BY ALL)
        SELECT year, sector_code, sector_name, trafficking_type, trafficking_type_label, months_loaded,
               CASE WHEN hidden THEN NULL ELSE signals END AS signals, hidden AS signals_suppressed
        FROM (SELECT * FROM by_type UNION ALL SELECT * FROM by_sector)""")
    con.execute("""CREATE TABLE grain_rollup AS
        SELECT DISTINCT 'signals_by_sector' AS panel, 'quarter' AS grain, 'sector_code' AS category,
               sector_code AS member
        FROM quarterly_by_sector WHERE signals_suppressed""")


def _public_context_tables(con) -> None:
    """The two public-context tables (docs/public-context.md) with disclosure-safe rows, one suppressed."""
    con.execute("""CREATE TABLE context_hotline_yearly AS SELECT * FROM (VALUES
        (2023, 686, 247, 2.14, 2.06, 12, 640, false, 210, false, 0.93, 0.85),
        (2024, 696, 272, 2.17, 2.27, 12, 700, false, 230, false, 1.01, 0.85))
        AS t(year, published_signals, published_cases, share_of_national_signals_pct, share_of_national_cases_pct,
             months_loaded, own_signals, own_signals_suppressed, own_cases, own_cases_suppressed,
             signal_coverage, case_coverage)""")
    con.execute("""CREATE TABLE context_fbi_region_yearly AS SELECT * FROM (VALUES
        (2023, 'all', 'Statewide', 'all', 'All offenses', true, 24, false, 13, false, 0.54, NULL),
        (2023, 'C', 'Troop C', 'all', 'All offenses', true, CAST(NULL AS BIGINT), true, CAST(NULL AS BIGINT), true,
         CAST(NULL AS DOUBLE), 'suppressed'),
        (2023, 'A', 'Troop A', 'all', 'All offenses', true, 15, false, 11, false, 0.73, 'unreliable'))
        AS t(year, region, region_label, offense, offense_label, reported, actual_offenses,
             actual_offenses_suppressed, cleared, cleared_suppressed, clearance_rate, clearance_rate_flag)""")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Api:
    """A logged-in Superset REST session (JWT + CSRF), for assertions. Publishing uses superset-client."""

    def __init__(self, url: str, user: str, password: str):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        response = self.session.post(f"{self.url}/api/v1/security/login",
                                     json={"username": user, "password": password, "provider": "db", "refresh": True},
                                     timeout=30)
        response.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        self.session.headers["Referer"] = self.url
        csrf = self.session.get(f"{self.url}/api/v1/security/csrf_token/", timeout=30)
        csrf.raise_for_status()
        self.session.headers["X-CSRFToken"] = csrf.json()["result"]

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url + path, timeout=120, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.url + path, timeout=120, **kwargs)

    def list(self, resource: str, columns: list[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 0
        while True:
            q = json.dumps({"columns": columns, "page": page, "page_size": 100})
            response = self.get(f"/api/v1/{resource}/", params={"q": q})
            response.raise_for_status()
            batch = response.json()["result"]
            rows += batch
            if len(batch) < 100:
                return rows
            page += 1


@dataclass
class SupersetServer:
    url: str
    port: int
    home: Path
    serving: Path  # the protected release (serving.duckdb)
    internal: Path  # the exact internal database (internal.duckdb)
    user: str
    password: str
    env: environment.SupersetEnv
    timings: dict[str, float]

    def api(self) -> Api:
        return Api(self.url, self.user, self.password)


@pytest.fixture(scope="session")
def superset_server(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("lantern-home")
    serving, internal = home / "serving.duckdb", home / "internal.duckdb"
    make_test_serving(serving)
    make_test_serving(internal, exact=True)
    port = _free_port()
    password = secrets.token_urlsafe(16)
    overrides = {
        "LANTERN_HOME": str(home),
        "LANTERN_SUPERSET_ADMIN_USER": "admin",
        "LANTERN_SUPERSET_ADMIN_PASSWORD": password,
        "LANTERN_SUPERSET_SECRET_KEY": secrets.token_urlsafe(48),
        "LANTERN_SUPERSET_PORT": str(port),
    }
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    env = environment.resolve()
    try:
        started = time.monotonic()
        timings = environment.up(port=port, workers=2)
        timings["up_total"] = time.monotonic() - started
        print(f"\n[superset] up: {json.dumps({k: round(v, 1) for k, v in timings.items()})}", file=sys.stderr)
        yield SupersetServer(url=environment.base_url(port), port=port, home=home, serving=serving,
                             internal=internal, user="admin",
                             password=password, env=env, timings=timings)
    finally:
        environment.stop(env)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def login(superset_server: SupersetServer):
    """login(username, password) -> a REST session as that user."""
    return lambda username, password: Api(superset_server.url, username, password)


@pytest.fixture(scope="session")
def make_serving():
    """make_test_serving, for tests that stage a new serving file (the nightly swap)."""
    return make_test_serving


@pytest.fixture(scope="session")
def admin_api(superset_server: SupersetServer) -> Api:
    return superset_server.api()


@pytest.fixture(scope="session")
def specs():
    return load_specs()


@pytest.fixture(scope="session")
def published(superset_server: SupersetServer) -> dict[str, Any]:
    from dashboards.superset.publish import publish

    summary = publish(url=superset_server.url, serving=superset_server.serving)
    print(f"\n[superset] first publish: {json.dumps(summary)}", file=sys.stderr)
    return summary


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where timings (and later screenshots) go: $LANTERN_TEST_ARTIFACTS/superset, else pytest's tmp dir."""
    base = os.environ.get("LANTERN_TEST_ARTIFACTS")
    folder = Path(base) / "superset" if base else tmp_path_factory.mktemp("superset-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
