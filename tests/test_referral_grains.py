"""Issue #15: the referral panels' coarser grains add up. Referrals by service over all organisation types
(`yearly_referrals_by_service`) are the flows by service summed over the organisation types, with every service of
the code list in every year and the `all` row their sum; referrals by receiving type (`referral_timeliness`) add up
to its `all` row. Read on the exact internal database of the session's demo run."""

from __future__ import annotations

import duckdb


def _internal(demo_run):
    return duckdb.connect(str(demo_run.home / "internal.duckdb"), read_only=True)


def test_referrals_by_service_are_the_flows_summed_over_organisation_types(demo_run):
    with _internal(demo_run) as con:
        mismatched = con.execute("""
            SELECT s.year, s.service, s.referrals, coalesce(f.referrals, 0) AS from_flows
            FROM yearly_referrals_by_service AS s
            LEFT JOIN (SELECT year, service, sum(referrals) AS referrals FROM referral_flows_by_service
                       GROUP BY ALL) AS f ON f.year = s.year AND f.service = s.service
            WHERE s.service <> 'all' AND s.referrals <> coalesce(f.referrals, 0)""").fetchall()
        totals = con.execute("""
            SELECT year, max(referrals) FILTER (WHERE service = 'all'),
                   sum(referrals) FILTER (WHERE service <> 'all'), count(*) FILTER (WHERE service <> 'all')
            FROM yearly_referrals_by_service GROUP BY year""").fetchall()
        flows = con.execute("SELECT sum(referrals) FROM referral_flows_by_service").fetchone()[0]
    assert flows and flows > 0
    assert mismatched == []
    assert totals and all(total == parts for _, total, parts, _ in totals)
    assert len({services for *_, services in totals}) == 1  # every service in every year, zeros included
    assert sum(total for _, total, *_ in totals) == flows



def test_referrals_by_receiving_type_add_up_to_their_all_row(demo_run):
    with _internal(demo_run) as con:
        rows = con.execute("""
            SELECT year, max(referrals) FILTER (WHERE receiving_org_type = 'all'),
                   sum(referrals) FILTER (WHERE receiving_org_type <> 'all')
            FROM referral_timeliness GROUP BY year""").fetchall()
    assert rows and all(total == parts for _, total, parts in rows)
