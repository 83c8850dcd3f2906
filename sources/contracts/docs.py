"""Generate docs/data-contracts.md from the contracts: the page an agency's data manager follows."""

from __future__ import annotations

from pathlib import Path

from sources.contracts.model import all_contracts, code_lists, forbidden_name_parts
from sources.drops import drop_file_name

_TYPE_WORDS = {
    "identifier": "text id (letters, digits, `.` `_` `-`, up to 64)",
    "linkage_key": "64 lowercase hex characters",
    "linkage_token": "linkage token (172 Base64 characters)",  # nosec B105: a column type's description, not a secret
    "linkage_blocks": "blocking keys (16 hex, '.'-joined)",
    "date": "date `YYYY-MM-DD`",
    "code": "code",
    "county_fips": "5-digit county FIPS",
    "org_id": "organisation id",
    "boolean": "`true` / `false`",
    "integer": "whole number",
    "decimal": "number (`.` decimal point)",
    "text": "short free text",
}


def render_contract_docs() -> str:
    contracts = all_contracts()
    lists = code_lists()
    out = [
        "# Data contracts: what to send Lantern",
        "",
        "<!-- Generated from sources/contracts/*.yaml by `lantern docs`. Do not edit by hand. -->",
        "",
        "Lantern takes three feeds. Each agency sends **one file per feed and period**, already anonymized: "
        "no names, contact details, street addresses, dates of birth or case/docket numbers.",
        "",
        "## Files",
        "",
        "- Format: CSV (UTF-8, with or without BOM, comma-separated, `\"` quoting, header row with the exact "
        "column names below) or Parquet (same column names). Lines may end in LF, CRLF or CR; a quoted value may "
        "hold line breaks (the record is still one row). Every record has exactly the header's fields: a row "
        "with more (even empty ones after a trailing comma) or fewer is quarantined, and a header column with no "
        "name refuses the file. Dates are zero-padded `YYYY-MM-DD` (`2025-03-04`, not `2025-3-4`).",
        "- A file that cannot be read (compressed, binary, truncated Parquet, CSV named `.parquet` or the other "
        "way round) is refused with the reason; its rows are recorded as unknown. A directory or a link with a "
        "drop's name is recorded and refused; links are never followed. None of these stops the other files.",
        "- Name: `<feed>__<agency id>__<period>.csv` (or `.parquet`), where the agency id is yours in the "
        "organisation registry and the period is `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-Www`. Example: "
        f"`{drop_file_name('hotline_signals', 'HL-NATL', '2025-03')}`.",
        "- Upload under a temporary name (ending `.part`) and rename when complete; files starting with `.` are "
        "ignored until renamed.",
        "- Sending the same file again is harmless: a row identical to the record your agency already sent "
        "with that id is not loaded twice (it is listed in the quarantine report as a duplicate).",
        "- Corrections: send the record again with the same id and the corrected values (in any later file); it "
        "replaces the earlier version. To withdraw a record, send it with `record_action` `withdraw`. The "
        "newest version stands, earlier ones are kept, the months concerned are recomputed, and your per-file "
        "report lists every correction and withdrawal. Within one file an id may appear once.",
        "- Every row is either loaded or quarantined with the file, row, column, rule and a plain reason; ask the "
        "task force for your per-file report (`lantern status --file <name>`).",
        "",
        "## Never send these",
        "",
        "A file whose header contains a column named like any of these is refused whole and none of its values are "
        "kept: " + ", ".join(f"`{p}`" for p in forbidden_name_parts()) + ".",
        "Free-text values (`notes`) and ids are scanned for phone numbers, e-mail addresses, Social Security "
        "numbers, street addresses, dates of birth, social-media handles, driver's licence numbers, IP addresses "
        "(v4 and v6), vehicle plates, passport and A-numbers and payment card numbers; a row with one is "
        "quarantined and only a masked excerpt is kept. A record id that is, or starts as, a phone number "
        "(`8165550142`, `816555-0177-x12`) or holds an IP address is refused too: give ids a prefix "
        "(`S-2025-000123`).",
        "",
        "## The linkage key",
        "",
        "Your records about the same situation carry the same `linkage_key` in every feed: an HMAC-SHA256 (64 "
        "lowercase hex characters) of your internal situation id. Lantern re-keys it with its own secret on arrival, "
        "so your keys never reach a published table. Other agencies number the same person's situation differently, "
        "so across agencies records link by `linkage_token` (and `linkage_blocks`): run the agency key tool "
        "(`lantern tokens`, [linkage](linkage.md)) on your own machine over an extract with your identifiers; it "
        "writes the keys and tokens and drops every identifier. When a referral brought the person to you with the "
        "referring agency's key, send that key as `referral_key`.",
        "",
    ]
    for contract in contracts.values():
        out += [
            f"## {contract.title} (`{contract.feed}`)",
            "",
            contract.description.strip(),
            "",
            f"- Sent by: {contract.sent_by}. Cadence: {contract.cadence} (expected at least every "
            f"{contract.expected_every_days} day(s)).",
            f"- Key: `{' + '.join(contract.primary_key)}`, unique within your agency. Linkage key: "
            f"`{contract.linkage_key}`. Event date: `{contract.event_date}`.",
            "",
            "| column | type | required | allowed values / rule | description | example |",
            "|---|---|---|---|---|---|",
        ]
        for column in contract.columns:
            rule = []
            if column.code_list:
                rule.append(f"code list [`{column.code_list}`](#code-list-{column.code_list.replace('_', '-')})")
            if column.min is not None or column.max is not None:
                rule.append(f"{column.min if column.min is not None else ''} to {column.max if column.max is not None else ''}")
            if column.max_length:
                rule.append(f"at most {column.max_length} characters")
            if column.not_above:
                rule.append(f"not above `{column.not_above}`")
            if column.not_before:
                rule.append(f"not before `{column.not_before}`")
            if column.not_after:
                rule.append(f"not after `{column.not_after}`")
            if column.default:
                rule.append(f"empty means `{column.default}`")
            required = "yes" if column.required else "no"
            example = f"`{column.example}`" if column.example else ""
            out.append(f"| `{column.name}` | {_TYPE_WORDS[column.type]} | {required} | {'; '.join(rule)} | "
                       f"{column.description} | {example} |")
        out.append("")
    out += ["## Code lists", ""]
    for name, spec in lists.items():
        out += [f"### Code list: {name}", "", f"Standard: {spec.get('standard', '')}.", "", "| code | meaning |", "|---|---|"]
        out += [f"| `{code}` | {label} |" for code, label in spec["codes"].items()]
        out.append("")
    return "\n".join(out)


def write_contract_docs(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_contract_docs(), encoding="utf-8")
    return path
