"""The synthetic drop generator: determinism, contract conformance, calibration, linkage, planted defects."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from sources.contracts.model import FEEDS, code_lists, load_contract
from sources.drops import parse_drop_name
from sources.generator import GenerationSummary, PlantedRise, generate
from sources.generator.defects import ROW_DEFECTS
from sources.reference.tables import counties, industry_sectors, organisations

PIPELINE_FIXTURES = {'clean', 'clean_feeds'}  # they generate a whole inbox: tests using them are in the slow tier

END = date(2024, 12, 31)  # three full calendar years 2022-2024, comparable with the published figures
PUBLISHED_MO_RANGE = (499, 1093)  # signals a year, 2015-2024 (domain.md)
ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
KEY = re.compile(r"^[0-9a-f]{64}$")
PII_LIKE = re.compile(r"\d|@|\b(street|st\.|ave|avenue|road|rd\.|born|dob)\b", re.IGNORECASE)


def read_drop(path: Path) -> pl.DataFrame:
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False, encoding="utf8")


def read_feed(inbox: Path, feed: str, with_resent: bool = False) -> pl.DataFrame:
    frames = []
    for path in sorted(inbox.glob(f"{feed}__*")):
        if "_resent" in path.name and not with_resent:
            continue
        frame = read_drop(path)
        name = parse_drop_name(path)
        frames.append(frame.with_columns(pl.lit(name.period).alias("_period"), pl.lit(name.agency).alias("_agency")))
    return pl.concat(frames)


def hashes(inbox: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(inbox.iterdir())}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, GenerationSummary]:
    inbox = tmp_path_factory.mktemp("clean")
    return inbox, generate(inbox, scale="mo", years=3, seed=7, end_date=END, defect_rate=0.0)


@pytest.fixture(scope="module")
def clean_feeds(clean) -> dict[str, pl.DataFrame]:
    return {feed: read_feed(clean[0], feed) for feed in FEEDS}


@pytest.mark.pipeline
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = hashes_of_run(tmp_path / "a", seed=11)
    b = hashes_of_run(tmp_path / "b", seed=11)
    c = hashes_of_run(tmp_path / "c", seed=12)
    assert a == b
    primary = sorted(n for n in a if "_resent" not in n)
    assert primary == sorted(n for n in c if "_resent" not in n)  # same agencies and months ...
    assert sum(a[n] != c[n] for n in primary) > len(primary) // 4  # ... with different contents


def hashes_of_run(inbox: Path, seed: int) -> dict[str, str]:
    generate(inbox, scale="mo", years=1, seed=seed, end_date=END, defect_rate=0.02)
    return hashes(inbox)


def test_file_names_parse_and_only_registered_senders_send(clean):
    inbox, summary = clean
    senders = {
        feed: set(organisations().filter(pl.col("sends_feeds").str.contains(feed))["org_id"]) for feed in FEEDS
    }
    names = sorted(p.name for p in inbox.iterdir())
    assert len(names) == summary.files_written > 0
    formats = set()
    for name in names:
        drop = parse_drop_name(name)
        assert drop.agency in senders[drop.feed], name
        assert re.fullmatch(r"\d{4}-\d{2}", drop.period), name
        formats.add(drop.file_format)
    assert formats == {"csv", "parquet"}
    assert any((inbox / n).read_bytes().startswith(b"\xef\xbb\xbf") for n in names if n.endswith(".csv"))


@pytest.mark.parametrize("feed", FEEDS)
def test_clean_rows_pass_contract_checks(clean, clean_feeds, feed):
    contract = load_contract(feed)
    lists = code_lists()
    fips = set(counties()["fips"])
    orgs = set(organisations()["org_id"])
    inbox, _ = clean
    for path in sorted(inbox.glob(f"{feed}__*"))[:50]:
        assert read_drop(path).columns == contract.record_columns, path.name
    frame = clean_feeds[feed]
    assert frame.height > 0
    dates: dict[str, pl.Series] = {}
    for col in (c for c in contract.columns if c.name in contract.record_columns):
        values = frame[col.name]
        present = values.drop_nulls()
        if col.required:
            assert values.null_count() == 0, col.name
        if col.type == "code":
            assert set(present) <= set(lists[col.code_list]["codes"]), col.name
        elif col.type == "date":
            dates[col.name] = values.str.to_date("%Y-%m-%d", strict=True)
            assert dates[col.name].drop_nulls().max() <= END, col.name
        elif col.type == "boolean":
            assert set(present) <= {"true", "false"}, col.name
        elif col.type == "county_fips":
            assert set(present) <= fips, col.name
        elif col.type == "org_id":
            assert set(present) <= orgs, col.name
        elif col.type == "linkage_key":
            assert present.str.contains(KEY.pattern).all(), col.name
        elif col.type == "identifier":
            assert present.str.contains(ID.pattern).all(), col.name
        elif col.type in ("integer", "decimal"):
            pattern = r"^\d+$" if col.type == "integer" else r"^\d+\.\d{2}$"
            assert present.str.contains(pattern).all(), col.name
            numbers = present.cast(pl.Float64)
            assert numbers.min() >= col.min and numbers.max() <= col.max, col.name
        elif col.type == "text":
            assert present.str.len_chars().max() <= col.max_length
            assert not present.str.contains(PII_LIKE.pattern).any(), "clean notes must not look like identifiers"
    for col in contract.columns:
        both = pl.DataFrame({"a": dates.get(col.name), "b": dates.get(col.not_before or col.not_after or "")}) \
            if (col.not_before or col.not_after) else None
        if both is not None:
            both = both.drop_nulls()
            assert (both["a"] >= both["b"]).all() if col.not_before else (both["a"] <= both["b"]).all(), col.name
        if col.not_above:
            pair = frame.select(pl.col(col.name).cast(pl.Int64), pl.col(col.not_above).cast(pl.Int64)).drop_nulls()
            assert (pair[col.name] <= pair[col.not_above]).all()
    assert frame.select(contract.primary_key).is_duplicated().sum() == 0


def test_mo_volumes_match_published_missouri_figures(clean, clean_feeds):
    _, summary = clean
    signals = clean_feeds["hotline_signals"]
    per_year = signals.group_by(pl.col("received_date").str.slice(0, 4).alias("y")).len().sort("y")
    assert per_year["y"].to_list() == ["2022", "2023", "2024"]
    for count in per_year["len"]:
        assert PUBLISHED_MO_RANGE[0] <= count <= PUBLISHED_MO_RANGE[1]
    assert 600 <= per_year["len"][-1] <= 800  # the 2022-2024 level, about 700 a year
    assert summary.signals_per_year == dict(zip(map(int, per_year["y"]), per_year["len"]))
    case_share = (signals["is_case"] == "true").mean()
    assert 0.28 <= case_share <= 0.42
    assert 0.05 <= signals["county_fips"].null_count() / signals.height <= 0.11
    types = signals["trafficking_type"].value_counts(normalize=True)
    share = dict(zip(types["trafficking_type"], types["proportion"]))
    assert 0.58 <= share["sex"] <= 0.72 and 0.15 <= share["labor"] <= 0.25


def test_metros_and_seasonality_show(clean_feeds):
    signals = clean_feeds["hotline_signals"].drop_nulls("county_fips")
    metro = {"29095", "29047", "29165", "29037", "29510", "29189", "29183", "29099", "29077", "29043"}
    pop = counties()
    metro_pop = pop.filter(pl.col("fips").is_in(metro))["population_2020"].sum() / pop["population_2020"].sum()
    metro_share = signals["county_fips"].is_in(metro).mean()
    assert metro_share > metro_pop + 0.05  # concentrated beyond population
    sector = dict(zip(industry_sectors()["venue_code"], industry_sectors()["sector_code"]))
    agri = signals.filter(pl.col("venue_type").replace_strict(sector, default=None) == "agriculture")
    month = agri["received_date"].str.slice(5, 2)
    assert month.is_in(["08", "09", "10"]).mean() > 0.25 + 0.08  # harvest peak over a flat 3/12


@pytest.mark.pipeline
def test_us_scale_volume(tmp_path):
    summary = generate(tmp_path, scale="us", years=1, seed=3, end_date=END, defect_rate=0.0)
    assert summary.signals_per_year == {2024: pytest.approx(32_000, rel=0.08)}
    assert read_feed(tmp_path, "hotline_signals").height == summary.rows_per_feed["hotline_signals"]


def _situations(clean, frame: pl.DataFrame) -> pl.DataFrame:
    """Rows with their true situation: the generator's truth, never in a drop (issue #18)."""
    truth = clean[1].linkage_truth.rename({"agency": "_agency"})
    return frame.join(truth, on=["_agency", "linkage_key"], how="left")


def test_each_agency_keys_its_own_situations_and_events_follow_the_signal(clean, clean_feeds):
    """Agencies do not share ids: no linkage key is sent by two agencies, though one situation is reported by
    several; the truth kept by the generator covers every key."""
    keys = pl.concat([f.select("_agency", "linkage_key") for f in clean_feeds.values()]).unique()
    assert keys.group_by("linkage_key").agg(pl.col("_agency").n_unique())["_agency"].max() == 1
    signals = _situations(clean, clean_feeds["hotline_signals"])
    first = signals.group_by("situation").agg(pl.col("received_date").str.to_date().min().alias("signal"))
    for feed, date_col in (("referrals", "referral_date"), ("case_outcomes", "event_date")):
        rows = _situations(clean, clean_feeds[feed])
        assert rows["situation"].null_count() == 0, f"{feed}: a key the truth does not know"
        joined = rows.with_columns(pl.col(date_col).str.to_date().alias("d")).join(first, on="situation", how="left")
        assert joined["signal"].null_count() / joined.height < 0.02, f"{feed}: situations without a signal"
        joined = joined.filter(pl.col("signal").is_not_null())
        assert (joined["d"] > joined["signal"]).all(), f"{feed} dated on or before the signal"
    # The same situation is followed across feeds and agencies, each with its own key.
    referrals = _situations(clean, clean_feeds["referrals"])
    assert referrals.group_by("situation").agg(pl.col("referring_org_id").n_unique())["referring_org_id"].max() > 1
    share = signals.filter(pl.col("is_case") == "true")["situation"].is_in(referrals["situation"].unique().to_list()).mean()
    assert share > 0.8
    # A carried referral key is the key of the referring agency's referral about the same situation.
    carried = referrals.filter(pl.col("referral_key").is_not_null())
    assert carried.height > 0
    by_key = referrals.select(pl.col("linkage_key").alias("referral_key"), pl.col("situation").alias("referred"),
                              pl.col("_agency").alias("referrer")).unique()
    checked = carried.join(by_key, on="referral_key", how="left")
    assert (checked["referred"] == checked["situation"]).all() and (checked["referrer"] != checked["_agency"]).all()


def test_566_223_encounters_and_notifications_have_realistic_gaps(clean_feeds):
    """People police met (adults and minors) are victim_encountered events; DSS notifications follow most
    of them, minors faster and more often than adults; some people are never notified; minors also go to
    the juvenile office."""
    ref, events = clean_feeds["referrals"], clean_feeds["case_outcomes"]
    org_type = dict(zip(organisations()["org_id"], organisations()["org_type"]))
    met = events.filter(pl.col("event_type") == "victim_encountered")
    assert met.height > 40 and set(met["minor"]) == {"true", "false"}
    dss = ref.filter(pl.col("service") == "child_welfare_notification")
    assert (dss["receiving_org_id"] == "CW-DSS").all() and set(dss["minor"]) == {"true", "false"}
    assert dss["referring_org_id"].replace_strict(org_type).str.starts_with("law_enforcement").all()
    juvenile = ref.filter(pl.col("service") == "juvenile_office_notification")
    assert (juvenile["minor"] == "true").all()
    assert juvenile["receiving_org_id"].replace_strict(org_type).eq("juvenile_office").all()
    delay = (dss["referral_date"].str.to_date() - dss["encounter_date"].str.to_date()).dt.total_days()
    dss = dss.with_columns(delay.alias("delay"))
    minors, adults = dss.filter(pl.col("minor") == "true"), dss.filter(pl.col("minor") == "false")
    assert delay.min() >= 0 and (minors["delay"] <= 1).mean() > 0.6 and (adults["delay"] > 3).any()
    assert (minors["delay"] <= 1).mean() > (adults["delay"] <= 1).mean()
    # some people met are never notified, more adults than minors: per police agency's situation, encounter date
    # and group, people met beyond the notifications made (the agency's own key follows its own records)
    keys = ["_agency", "linkage_key", "minor"]
    people = met.group_by(*keys, "event_date").len().rename({"event_date": "encounter_date", "len": "met"})
    sent = dss.group_by(*keys, "encounter_date").len().rename({"len": "sent"})
    paired = people.join(sent, on=[*keys, "encounter_date"], how="left").with_columns(
        (pl.col("met") - pl.col("sent").fill_null(0)).clip(lower_bound=0).alias("never"))
    never = {g: paired.filter(pl.col("minor") == g)["never"].sum() / paired.filter(pl.col("minor") == g)["met"].sum()
             for g in ("true", "false")}
    assert never["true"] > 0 and never["false"] > never["true"]
    status = ref.filter(~pl.col("service").str.ends_with("_notification"))["status"].value_counts(normalize=True)
    share = dict(zip(status["status"], status["proportion"]))
    assert 0.62 <= share["accepted"] <= 0.78 and 0.08 <= share["pending"] <= 0.18


def test_outcomes_funnel(clean, clean_feeds):
    signals, events = _situations(clean, clean_feeds["hotline_signals"]), _situations(clean, clean_feeds["case_outcomes"])
    cases = signals.filter(pl.col("is_case") == "true")["situation"].n_unique()
    n = {k: events.filter(pl.col("event_type").str.starts_with(k))["situation"].n_unique()
         for k in ("investigation_opened", "arrest", "charges_filed", "disposition")}
    assert 0.25 * cases <= n["investigation_opened"] <= 0.45 * cases
    assert n["investigation_opened"] > n["arrest"] > n["charges_filed"] > n["disposition"] > 0
    money = events.filter(pl.col("event_type").is_in(["compensation_awarded", "restitution_ordered"]))
    assert money.height > 0 and money["amount_usd"].null_count() == 0


def test_planted_defects_are_in_the_files(tmp_path):
    summary = generate(tmp_path, scale="mo", years=1, seed=5, end_date=END, defect_rate=0.08)
    lists = code_lists()
    found: dict[str, int] = {}
    for feed in FEEDS:
        contract = load_contract(feed)
        rows = read_feed(tmp_path, feed)
        date_col = contract.event_date
        parsed = rows[date_col].str.to_date("%Y-%m-%d", strict=False)
        found["duplicate_row"] = found.get("duplicate_row", 0) + int(
            rows.height - rows.unique().height)
        found["late_arrival"] = found.get("late_arrival", 0) + int(
            (parsed.dt.strftime("%Y-%m") < rows["_period"]).sum())
        found["future_date"] = found.get("future_date", 0) + int((parsed > date(END.year + 4, 12, 31)).sum())
        found["invalid_date"] = found.get("invalid_date", 0) + int(
            (rows[date_col].is_not_null() & parsed.is_null()).sum())
        unknown = 0
        for col in (c for c in contract.columns if c.name in contract.record_columns):
            if col.type == "code":
                unknown += int((rows[col.name].is_not_null() & ~rows[col.name].is_in(
                    list(lists[col.code_list]["codes"]))).sum())
        found["unknown_code"] = found.get("unknown_code", 0) + unknown
        found["empty_required"] = found.get("empty_required", 0) + int(
            sum(rows[c].null_count() for c in contract.required_columns))
        found["phone_in_notes"] = found.get("phone_in_notes", 0) + int(
            rows["notes"].str.contains(r"\d{3}[-. )]+555[-.]\d{4}").sum())
        if feed == "referrals":
            found["date_order"] = int(
                ((rows["service_start_date"].str.to_date(strict=False) < parsed) & (parsed <= END)).sum())
    planted = {k: v for k, v in summary.defects.items() if k != "resent_file"}
    assert set(planted) == set().union(*(set(k) for k in ROW_DEFECTS.values()))  # every kind was planted
    assert found == planted
    # Whole files sent twice: byte-identical copies under a second name.
    assert summary.defects["resent_file"] == len(summary.resent_files) >= 1
    for original, copy in summary.resent_files:
        assert (tmp_path / copy).read_bytes() == (tmp_path / original).read_bytes()
        assert parse_drop_name(copy) == parse_drop_name(original)


def test_no_defects_at_rate_zero(clean):
    _, summary = clean
    assert summary.defects == {} and summary.resent_files == []


def test_planted_rise(tmp_path):
    rise = PlantedRise(region="C", sector_code="commercial_sex", quarter="2024Q2", factor=4.0)
    plain = generate(tmp_path / "plain", years=1, seed=9, end_date=END, defect_rate=0.0)
    risen = generate(tmp_path / "risen", years=1, seed=9, end_date=END, defect_rate=0.0, planted_rise=rise)
    truth = risen.planted_rise_truth
    assert risen.planted_rise == rise and plain.planted_rise_truth == {}
    assert truth["expected_with_rise"] == pytest.approx(4.0 * truth["expected_without_rise"])
    troop = dict(zip(counties()["fips"], counties()["region"]))
    sector = dict(zip(industry_sectors()["venue_code"], industry_sectors()["sector_code"]))

    def in_cell(inbox: Path) -> int:
        s = read_feed(inbox, "hotline_signals").drop_nulls(["county_fips", "venue_type"])
        return s.filter(
            (pl.col("county_fips").replace_strict(troop) == "C")
            & (pl.col("venue_type").replace_strict(sector) == "commercial_sex")
            & pl.col("received_date").is_between(pl.lit("2024-04-01"), pl.lit("2024-06-30"))
        ).height

    assert in_cell(tmp_path / "risen") >= 2.5 * in_cell(tmp_path / "plain")
    assert in_cell(tmp_path / "risen") >= truth["actual_situations"] > 2.5 * truth["expected_without_rise"]
    with pytest.raises(ValueError):
        generate(tmp_path / "bad", years=1, end_date=END, planted_rise=PlantedRise("Z", "commercial_sex", "2024Q2", 2))
