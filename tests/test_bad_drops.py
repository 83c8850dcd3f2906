"""Two nights of bad drops through the real pipeline (issue #17): every defect class of
sources/generator/bad_drops.py arrives beside clean files, `lantern refresh` runs after each batch, and then:
no night crashed and both published, every entry is in the manifest with its honest row count, every row
read is loaded or quarantined, and no planted identifier is in clear anywhere under LANTERN_HOME but the
inbox."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from support.pipeline import lantern_env, run_pipeline

from benchmarks.bad_nights import text_of_every_table
from sources.contracts import FEEDS
from sources.generator.bad_drops import DEFECTS, write_bad_drops

pytestmark = pytest.mark.pipeline  # every test here runs the real pipeline

FIRST_NIGHT = 2 * len(DEFECTS)  # every defect twice
SECOND_NIGHT = len(DEFECTS)


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory: pytest.TempPathFactory):
    from sources.generator import generate

    home = tmp_path_factory.mktemp("bad_drops")
    with lantern_env(home):
        generate(home / "inbox", scale="mo", years=1, seed=5, defect_rate=0.0)  # the clean agencies beside them
        planted = write_bad_drops(home / "inbox", FIRST_NIGHT, seed=17)
        first = run_pipeline(home)
        planted += write_bad_drops(home / "inbox", SECOND_NIGHT, seed=18, first_number=10_000)
        # the second night also cuts the next release (a month later): bad files block neither
        second = run_pipeline(home, release=date.today() + timedelta(days=40))
    yield home, planted, (first, second)


def _manifest(home: Path) -> dict[str, tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {row[0]: row[1:] for row in con.execute(
            "SELECT file_name, status, rows_read, rows_loaded, rows_quarantined, message FROM raw.file_manifest").fetchall()}


def test_no_night_crashes_and_both_publish(two_nights):
    home, _, results = two_nights
    for result in results:
        assert result.success, result.summary()
    assert (home / "serving.duckdb").exists() and (home / "site" / "index.html").exists()
    assert len(list((home / "releases").glob("*/release.json"))) == 2 and "cut" in results[1].release_note
    for database in ("internal.duckdb", "serving.duckdb"):  # the nightly and the release
        with duckdb.connect(str(home / database), read_only=True) as con:
            published_by = con.execute("SELECT count(DISTINCT ingested_by_run) FROM run_inputs").fetchone()[0]
        assert published_by == 2, database  # the second night's files are in what was published: not blocked


def test_every_entry_is_recorded_with_its_honest_row_count(two_nights):
    home, planted, _ = two_nights
    manifest = _manifest(home)
    wrong = []
    for entry in planted:
        if entry.name not in manifest:
            wrong.append((entry.defect, entry.name, "not recorded"))
            continue
        status, rows_read, rows_loaded, _, message = manifest[entry.name]
        if rows_read != entry.rows or (entry.loaded is not None and rows_loaded != entry.loaded):
            wrong.append((entry.defect, entry.name, rows_read, rows_loaded, message))
    assert not wrong, "\n".join(map(str, wrong))


def test_every_row_read_is_loaded_or_quarantined(two_nights):
    home, _, _ = two_nights
    loaded = " UNION ALL ".join(f"SELECT _file_name AS file_name, count(*) AS n FROM raw.{f} GROUP BY 1" for f in FEEDS)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        unaccounted = con.execute(f"""
            WITH loaded AS ({loaded}), held AS (SELECT file_name, count(*) AS n FROM raw.quarantine GROUP BY 1)
            SELECT m.file_name, m.rows_read, m.rows_loaded, m.rows_quarantined, l.n, h.n
            FROM raw.file_manifest AS m LEFT JOIN loaded AS l USING (file_name) LEFT JOIN held AS h USING (file_name)
            WHERE CASE WHEN m.rows_read IS NULL THEN coalesce(l.n, 0) <> 0 OR h.n <> 1
                       ELSE m.rows_loaded + m.rows_quarantined <> m.rows_read OR coalesce(l.n, 0) <> m.rows_loaded
                            OR coalesce(h.n, 0) <> m.rows_quarantined END""").fetchall()
    assert unaccounted == []


def test_no_identifier_in_clear_anywhere_but_the_inbox(two_nights):
    home, planted, _ = two_nights
    identifiers = {i for entry in planted for i in entry.identifiers}
    assert len(identifiers) >= 10
    texts = {}
    for path in home.rglob("*"):
        if not path.is_file() or path.is_symlink() or (home / "inbox") in path.parents:
            continue
        if path.suffix == ".duckdb":
            texts[path] = text_of_every_table(path)
        elif not path.name.endswith(".wal"):
            texts[path] = path.read_bytes().decode("utf-8", errors="replace")
    assert home / "warehouse.duckdb" in texts and home / "serving.duckdb" in texts
    found = sorted((str(path.relative_to(home)), i) for path, text in texts.items() for i in identifiers if i in text)
    assert not found, found


def test_a_symbolic_link_is_never_followed(two_nights):
    home, _, _ = two_nights
    assert "outside the inbox" not in text_of_every_table(home / "warehouse.duckdb")


def test_every_refused_file_has_a_report_naming_its_rule(two_nights):
    home, planted, _ = two_nights
    manifest = _manifest(home)
    reports = {p.name: p.read_text(encoding="utf-8") for p in (home / "reports").rglob("*.report.md")}
    for entry in planted:
        status, *_, message = manifest[entry.name]
        if status == "rejected":
            rule = message.split(":")[0]
            report = next(text for name, text in reports.items() if name.startswith(entry.name.replace(" ", "_")[:40]))
            assert rule in report, (entry.name, rule)


def test_record_ids_never_leave_staging(two_nights):
    home, _, _ = two_nights
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        id_columns = con.execute(
            "SELECT table_schema || '.' || table_name || '.' || column_name FROM information_schema.columns "
            "WHERE table_schema NOT IN ('raw', 'staging') AND column_name IN ('signal_id', 'referral_id', 'event_id')"
        ).fetchall()
    assert id_columns == []
