"""`lantern`: the jobs people run by hand. Every command works on LANTERN_HOME (default ./data)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from sources.reference.paths import lantern_paths


def _generate(args: argparse.Namespace) -> int:
    from pipelines.secrets import token_secret
    from sources.generator import generate

    paths = lantern_paths().ensure()
    started = time.perf_counter()
    summary = generate(
        paths.inbox, scale=args.scale, years=args.years, seed=args.seed,
        end_date=date.fromisoformat(args.end_date) if args.end_date else None,
        defect_rate=args.defect_rate, progress=not args.quiet, linkage_noise=args.linkage_noise,
        token_secret=token_secret(paths.home),
    )
    print(f"Generated {summary.files_written} drop files in {paths.inbox} in {time.perf_counter() - started:.1f} s")
    for feed, rows in summary.rows_per_feed.items():
        print(f"  {feed:<16} {rows:>12,} rows")
    if not args.no_public_context:
        from sources.context.samples import write_fbi_human_trafficking, write_hotline_state_statistics
        from sources.reference import counties, deployment

        # Synthetic stand-ins for the two public downloads, under the names users save them as.
        write_hotline_state_statistics(paths.inbox / "Hotline Statistics - State.csv", deployment())
        write_fbi_human_trafficking(paths.inbox / "HT_2013-2023.csv", deployment(), counties())
        print("  plus synthetic public context files: national hotline state statistics, FBI CDE offenses")
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from pipelines.secrets import token_secret
    from sources.linkage.tokens import tokenise_file

    source, target = Path(args.input), Path(args.output)
    if source.resolve() == target.resolve():
        print("lantern tokens: write the tokens to another file than the extract", file=sys.stderr)
        return 2
    rows = tokenise_file(source, target, args.agency, token_secret(None))
    print(f"Wrote {rows} rows with linkage keys and tokens to {target}; no identifier column was copied")
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from pipelines.run import run_refresh

    result = run_refresh(log_level="INFO" if args.verbose else "WARNING", full=args.full)
    paths = lantern_paths()
    print(result.summary())
    if paths.warehouse.exists():
        from pipelines.status import print_status

        print_status(paths)
    if result.success:
        print(f"\nStatic dashboard: {paths.site / 'index.html'}")
        print(f"Serving database: {paths.serving}")
    return 0 if result.success else 1


def _release(args: argparse.Namespace) -> int:
    from datetime import date

    from pipelines.run import run_release

    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    result = run_release(log_level="INFO" if args.verbose else "WARNING", as_of=as_of)
    print(result.summary())
    if result.success:
        print(f"Releases kept in: {lantern_paths().releases}")
        print(f"Latest release:   {lantern_paths().serving} (static dashboard {lantern_paths().site / 'index.html'})")
    return 0 if result.success else 1


def _backfill(args: argparse.Namespace) -> int:
    from pipelines.run import run_refresh

    start, end = f"{args.start}-01", f"{args.end}-01"
    result = run_refresh(log_level="INFO" if args.verbose else "WARNING", months=(start, end))
    print(result.summary())
    return 0 if result.success else 1


def _briefing(args: argparse.Namespace) -> int:
    from dashboards.briefing.cli import run

    return run(args.quarter, lantern_paths().ensure().home)


def _status(args: argparse.Namespace) -> int:
    from pipelines.status import print_status

    return print_status(lantern_paths(), file_name=args.file)


def _site(args: argparse.Namespace) -> int:
    from dashboards.site import build_site

    paths = lantern_paths().ensure()
    report = build_site(paths.serving, paths.site)
    print(f"Static dashboard: {report.path} ({report.bytes:,} bytes)")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from models.metric_docs import write_metrics_page
    from sources.contracts.docs import write_contract_docs

    for written in (write_contract_docs(Path(args.out)), write_metrics_page()):
        print(f"Wrote {written}")
    return 0


def _superset(args: argparse.Namespace) -> int:
    import json

    from dashboards.superset import environment

    if args.action == "up":
        timings = environment.up(args.port or environment.default_port(), args.workers)
        print(json.dumps({k: round(v, 1) for k, v in timings.items()}))
    elif args.action == "down":
        environment.down()
    elif args.action == "install":
        print(json.dumps({"install": round(environment.install(), 1)}))
    elif args.action == "where":
        print(json.dumps(environment.where()))
    elif args.action == "status":
        found = environment.status(args.port)
        print(json.dumps(found))
        return 0 if found["healthy"] else 1
    elif args.action == "publish":
        from dashboards.superset.publish import publish

        url = environment.base_url(args.port) if args.port else None
        print(json.dumps(publish(url, args.serving, args.specs, args.internal)))
    elif args.action == "bundle":
        from dashboards.superset.bundle import write_bundle

        print(write_bundle(args.out, args.serving or lantern_paths().serving))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lantern",
        description=(
            "Lantern: trafficking-trend data platform for a state task force. Agencies' file drops land in "
            "$LANTERN_HOME/inbox (default ./data/inbox); a refresh ingests them into the DuckDB warehouse, "
            "builds the metrics and the internal (exact) database every night, and on a calendar cuts protected "
            "releases (closed months, disclosure-controlled, kept for good) for the static dashboard and briefing."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="write realistic synthetic agency drops into the inbox",
                                   description="Write synthetic drop files into the inbox, as agencies would send "
                                               "them. Deterministic for a seed.")
    generate.add_argument("--scale", choices=["mo", "us", "stress"], default="mo",
                          help="mo: Missouri volumes (hundreds of signals a year); us: ~32,000 signals a year; "
                               "stress: 10 million+ records")
    generate.add_argument("--years", type=int, default=3, help="years of history (default 3)")
    generate.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    generate.add_argument("--end-date", help="last day covered, YYYY-MM-DD (default: end of last month)")
    generate.add_argument("--defect-rate", type=float, default=0.01,
                          help="share of rows with realistic defects, to exercise quarantine (default 0.01)")
    generate.add_argument("--linkage-noise", type=float, default=1.0,
                          help="how noisy the identifiers agencies hold are, as a multiple of the usual typos, "
                               "nicknames, swapped dates and missing fields (default 1)")
    generate.add_argument("--quiet", action="store_true", help="no progress bar")
    generate.add_argument("--no-public-context", action="store_true",
                          help="do not write the synthetic national-hotline and FBI context files")
    generate.set_defaults(handler=_generate)

    tokens = commands.add_parser(
        "tokens", help="agency key tool: turn an extract with identifiers into linkage tokens (run by the agency)",
        description="Run on the agency's own machine. Reads a CSV extract (the feed's columns plus internal_id and "
                    "whatever identifiers the agency holds: first_name, last_name, date_of_birth, age, sex, phone; "
                    "county_fips is used and kept) and writes the same rows with linkage_key, linkage_token and "
                    "linkage_blocks in place of every identifier. The shared key comes from LANTERN_TOKEN_SECRET. "
                    "See docs/linkage.md.")
    tokens.add_argument("input", help="the extract with identifiers (CSV)")
    tokens.add_argument("output", help="the file to send (CSV), without identifiers")
    tokens.add_argument("--agency", required=True, help="your org_id in the organisation registry")
    tokens.set_defaults(handler=_tokens)

    refresh = commands.add_parser("refresh", help="run the whole pipeline once, in this process",
                                  description="Ingest new drops, rebuild every model, check, publish the internal "
                                              "database; then cut the protected release if the calendar has one "
                                              "due (as the release schedule does).")
    refresh.add_argument("--verbose", action="store_true", help="log every step")
    refresh.add_argument("--full", action="store_true",
                         help="recompute every month, not only those new records touched (after a change of "
                              "reference data or model logic)")
    refresh.set_defaults(handler=_refresh)

    release = commands.add_parser("release", help="cut the protected release the calendar has due",
                                  description="Cut a protected release of the months closed by --as-of (default "
                                              "today; deployment.yaml `releases:`), audit it together with every "
                                              "kept release, keep it under $LANTERN_HOME/releases/<id>/ and point "
                                              "serving.duckdb and the static dashboard to it. Does nothing when "
                                              "the latest release already covers every closed month.")
    release.add_argument("--as-of", help="the day the release is cut, YYYY-MM-DD (default: today)")
    release.add_argument("--verbose", action="store_true", help="log every step")
    release.set_defaults(handler=_release)

    backfill = commands.add_parser("backfill", help="recompute a range of months and publish",
                                   description="Recompute the month-partitioned models for a range of months "
                                               "(after a correction or a logic change), then publish.")
    backfill.add_argument("--from", dest="start", required=True, metavar="YYYY-MM", help="first month")
    backfill.add_argument("--to", dest="end", required=True, metavar="YYYY-MM", help="last month (inclusive)")
    backfill.add_argument("--verbose", action="store_true", help="log every step")
    backfill.set_defaults(handler=_backfill)

    status = commands.add_parser("status", help="what has been loaded and what was quarantined, per file")
    status.add_argument("--file", help="show the quarantined rows of one drop file (its per-file report)")
    status.set_defaults(handler=_status)

    briefing = commands.add_parser("briefing", help="build the quarterly briefing pack (PDF + site page)",
                                   description="Write data/briefings/<quarter>.pdf and the same content as a "
                                               "page of the static site, from the serving database.")
    briefing.add_argument("--quarter", help="e.g. 2026Q3 (default: the latest complete quarter)")
    briefing.set_defaults(handler=_briefing)

    site = commands.add_parser("site", help="rebuild the static dashboard from the serving database")
    site.set_defaults(handler=_site)

    docs = commands.add_parser("docs", help="regenerate docs/data-contracts.md and docs/metrics.md")
    docs.add_argument("--out", default="docs/data-contracts.md")
    docs.set_defaults(handler=_docs)

    superset = commands.add_parser(
        "superset", help="run Apache Superset locally and publish the dashboards to it",
        description="up: install Superset's own venv if needed (cached), initialise, start on loopback; down: stop "
                    "it; status: is it healthy (exit 1 if not); publish: build the bundle from "
                    "dashboards/superset/specs and import it with roles and row-level security; install: only the "
                    "venv; where: venv and home paths; bundle: write the assets bundle to a file.")
    superset.add_argument("action", choices=["up", "down", "status", "publish", "install", "where", "bundle"])
    superset.add_argument("--port", type=int, default=None,
                          help="loopback port (default $LANTERN_SUPERSET_PORT or 8088; status and publish: the "
                               "port it was started on)")
    superset.add_argument("--workers", type=int, default=2, help="up: gunicorn workers (default 2)")
    superset.add_argument("--serving", type=Path, default=None,
                          help="publish, bundle: the release database (default $LANTERN_HOME/serving.duckdb)")
    superset.add_argument("--internal", type=Path, default=None,
                          help="publish: the internal database (default internal.duckdb beside the release)")
    superset.add_argument("--specs", type=Path, default=None, help="publish: another specs folder")
    superset.add_argument("--out", type=Path, default=Path("superset_assets.zip"),
                          help="bundle: the file to write (default superset_assets.zip)")
    superset.set_defaults(handler=_superset)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
