"""Who sees what in Superset, through its REST API, idempotently (run after every assets import).

The audiences are sources/reference/audiences.yaml; what each may read is catalog.readable:
- one role per organisation in sources/reference/organisations.csv ("Lantern agency <org_id>"): dashboards
  only (no SQL Lab, no CSV/export, no "view query", samples or drill), the protected release's datasets that
  are not operational, and the internal (exact) datasets of audiences.yaml `own_rows` only through row-level
  security (that clause with the agency's org id);
- one analyst role ("Lantern analyst"): every dataset of both databases, no row-level security, SQL Lab on the
  internal database, CSV export, samples and drill (every query logged: superset_config.py.tmpl);
- one partner role ("Lantern partner"): the protected release's datasets that are not operational, dashboards
  only, like an agency;
- dashboard roles (DASHBOARD_RBAC) from each dashboard edition's audiences.

What is granted is specs/access.yaml + audiences.yaml + specs/serving.yaml; this module only makes Superset
match it. Every
object is looked up by name and created or changed only when it differs, so running twice changes nothing.
Lantern-named roles and rules that the specs no longer produce (an organisation removed from the registry)
are deleted.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dashboards.superset.catalog import SPEC_DIR, Specs, rls_clause, stable_uuid

ACCESS_SPEC = SPEC_DIR / "access.yaml"
ORG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")  # org ids go into SQL clauses: nothing else may
REPO_ROOT = Path(__file__).resolve().parents[2]


def _log(message: str) -> None:
    print(f"[superset access] {message}", file=sys.stderr, flush=True)


def organisations() -> list[dict[str, str]]:
    """The organisation registry (org_id, org_name, org_type)."""
    try:
        from sources.reference import organisations as load

        rows = load().select("org_id", "org_name", "org_type").to_dicts()
    except ImportError:  # the Superset venv (publish fallback) has no polars: same file, read plainly
        with (REPO_ROOT / "sources" / "reference" / "organisations.csv").open(encoding="utf-8") as handle:
            rows = [{k: r[k] for k in ("org_id", "org_name", "org_type")} for r in csv.DictReader(handle)]
    for row in rows:
        if not ORG_ID.match(row["org_id"]):
            raise ValueError(f"organisation id {row['org_id']!r} is not safe to put in a row-level security clause")
    return rows


def logged_roles(access: dict[str, Any] | None = None) -> set[str]:
    """Superset roles whose every query is logged (audiences.yaml `query_log: true`; agencies' never are)."""
    from dashboards.superset.catalog import load_audiences

    prefix = (access or load_access())["role_prefix"]
    return {prefix + spec["role"] for spec in load_audiences()["audiences"].values()
            if spec.get("query_log") and "{" not in spec["role"]}


# ---------------------------------------------------------------- the plan (pure)


@dataclass
class RolePlan:
    name: str
    permissions: list[tuple[str, str]]  # (permission, view menu)
    datasets: list[str]  # dataset instance keys granted datasource_access
    sql_lab: str | None = None  # database_access on this database (internal / release): SQL Lab reads it


@dataclass
class RulePlan:
    name: str
    dataset: str
    role: str
    clause: str


@dataclass
class AccessPlan:
    roles: dict[str, RolePlan] = field(default_factory=dict)
    rules: dict[str, RulePlan] = field(default_factory=dict)
    dashboard_roles: dict[str, list[str]] = field(default_factory=dict)  # dashboard spec name -> role names
    prefix: str = "Lantern "


def load_access(path: Path = ACCESS_SPEC) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _pairs(entries: list[str]) -> list[tuple[str, str]]:
    out = []
    for entry in entries:
        permission, _, view = entry.partition(" on ")
        if not view:
            raise ValueError(f"access.yaml: {entry!r} is not '<permission> on <view menu>'")
        out.append((permission.strip(), view.strip()))
    return out


def plan(specs: Specs, orgs: list[dict[str, str]], access: dict[str, Any] | None = None) -> AccessPlan:
    access = access or load_access()
    prefix = access["role_prefix"]
    viewer = _pairs(access["viewer_permissions"])
    analyst_extra = _pairs(access["analyst_extra_permissions"])
    forbidden = set(_pairs(access["never_for_agencies"]))
    leaked = forbidden & set(viewer)
    if leaked:
        raise ValueError(f"access.yaml: viewer permissions include ones agencies must never have: {sorted(leaked)}")
    result = AccessPlan(prefix=prefix)
    audiences = specs.audiences

    def datasets(audience: str) -> list[str]:
        return sorted(key for key in specs.datasets if specs.readable(audience, key))

    analyst = f"{prefix}{audiences['analyst']['role']}"
    result.roles[analyst] = RolePlan(analyst, viewer + analyst_extra, datasets("analyst"),
                                     sql_lab=audiences["analyst"].get("sql_lab"))
    partner = f"{prefix}{audiences['partner']['role']}"
    result.roles[partner] = RolePlan(partner, list(viewer), datasets("partner"))
    roles_of = {"analyst": [analyst], "partner": [partner], "agency": []}
    agency_datasets = datasets("agency")
    for org in orgs:
        role = prefix + audiences["agency"]["role"].format(org_id=org["org_id"])
        roles_of["agency"].append(role)
        result.roles[role] = RolePlan(role, list(viewer), agency_datasets)
        for key in agency_datasets:
            clause = rls_clause(specs, "agency", key)
            if clause:
                rule = f"{prefix}rls {org['org_id']} {key}"
                result.rules[rule] = RulePlan(rule, key, role, clause.format(org_id=org["org_id"]))
        internal = [k for k in agency_datasets if specs.datasets[k]["database"] == "internal"]
        unsecured = [k for k in internal if f"{prefix}rls {org['org_id']} {k}" not in result.rules]
        if unsecured:  # never an internal dataset without row-level security
            raise ValueError(f"agency {org['org_id']} would read internal datasets without RLS: {unsecured}")
    for dash_name, dash in specs.dashboards.items():
        result.dashboard_roles[dash_name] = [r for a in dash["dashboard"]["roles"] for r in roles_of[a]]
    return result


# ---------------------------------------------------------------- applying it


class Rest:
    """Thin JSON helper over a logged-in session (superset-client's or requests'): raises on HTTP errors."""

    def __init__(self, session: Any, url: str):
        self.session, self.url = session, url.rstrip("/")

    def call(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201)) -> Any:
        response = self.session.request(method, self.url + path, json=body, timeout=120)
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code}: {response.text[:1000]}")
        return response.json() if response.content else None

    def list(self, path: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
        rows, page = [], 0
        while True:
            q = {"page": page, "page_size": 100}
            if columns:
                q["columns"] = columns
            batch = self.call("GET", f"{path}?q={_rison(q)}")["result"]
            rows += batch
            if len(batch) < 100:
                return rows
            page += 1


def _rison(obj: dict[str, Any]) -> str:
    """Enough rison for page/page_size/columns (what FAB's list endpoints take)."""
    def value(v: Any) -> str:
        if isinstance(v, list):
            return "!(" + ",".join(value(x) for x in v) + ")"
        if isinstance(v, str):
            return "'" + v.replace("!", "!!").replace("'", "!'") + "'"
        return json.dumps(v)
    return "(" + ",".join(f"{k}:{value(v)}" for k, v in obj.items()) + ")"


def _ids_by_uuid(rest: Rest, resource: str) -> dict[str, int]:
    return {row["uuid"]: row["id"] for row in rest.list(f"/api/v1/{resource}/", ["id", "uuid"])}


def apply(rest: Rest, specs: Specs, access_plan: AccessPlan) -> dict[str, int]:
    """Make Superset's roles, role permissions, RLS rules and dashboard roles match the plan."""
    counts = {"roles_created": 0, "roles_updated": 0, "roles_deleted": 0, "rules_created": 0,
              "rules_updated": 0, "rules_deleted": 0, "dashboards_updated": 0}
    dataset_ids = {}
    by_uuid = _ids_by_uuid(rest, "dataset")
    for name in specs.datasets:
        uuid = stable_uuid("dataset", name)
        if uuid not in by_uuid:
            raise RuntimeError(f"dataset {name} is not in Superset: publish the bundle first")
        dataset_ids[name] = by_uuid[uuid]

    database_ids = _ids_by_uuid(rest, "database")
    pvms = {(row["permission"]["name"], row["view_menu"]["name"]): row["id"]
            for row in rest.list("/api/v1/security/permissions-resources/")}

    def pvm_ids(role: RolePlan) -> set[int]:
        wanted = list(role.permissions)
        for name in role.datasets:
            ds = specs.datasets[name]
            title = specs.databases[ds["database"]]["title"]
            wanted.append(("datasource_access", f"[{title}].[{ds['superset_name']}](id:{dataset_ids[name]})"))
        if role.sql_lab:
            db = specs.databases[role.sql_lab]
            wanted.append(("database_access",
                           f"[{db['title']}].(id:{database_ids[stable_uuid('database', db['name'])]})"))
        missing = [pair for pair in wanted if pair not in pvms]
        if missing:
            raise RuntimeError(f"role {role.name}: Superset has no permission {missing[:5]}")
        return {pvms[pair] for pair in wanted}

    # roles and their permissions (POST .../permissions replaces the whole set, so it is a set-to)
    roles = {row["name"]: row["id"] for row in rest.list("/api/v1/security/roles/")}
    for role in access_plan.roles.values():
        if role.name not in roles:
            roles[role.name] = rest.call("POST", "/api/v1/security/roles/", {"name": role.name})["id"]
            counts["roles_created"] += 1
        wanted = pvm_ids(role)
        have = {p["id"] for p in rest.call("GET", f"/api/v1/security/roles/{roles[role.name]}/permissions/")["result"]}
        if have != wanted:
            rest.call("POST", f"/api/v1/security/roles/{roles[role.name]}/permissions",
                      {"permission_view_menu_ids": sorted(wanted)})
            counts["roles_updated"] += 1

    # row-level security rules, one per agency and RLS dataset, keyed by name
    existing = {row["name"]: row for row in rest.list("/api/v1/rowlevelsecurity/")}
    for rule in access_plan.rules.values():
        body = {"name": rule.name, "filter_type": "Regular", "tables": [dataset_ids[rule.dataset]],
                "roles": [roles[rule.role]], "clause": rule.clause, "group_key": "",
                "description": "Managed by Lantern (dashboards/superset/access.py); edits are overwritten."}
        row = existing.get(rule.name)
        if row is None:
            rest.call("POST", "/api/v1/rowlevelsecurity/", body)
            counts["rules_created"] += 1
        elif (row["clause"], row["filter_type"], sorted(t["id"] for t in row["tables"]),
              sorted(r["id"] for r in row["roles"]), row.get("group_key") or "") != (
                body["clause"], "Regular", body["tables"], body["roles"], ""):
            rest.call("PUT", f"/api/v1/rowlevelsecurity/{row['id']}", body)
            counts["rules_updated"] += 1
    stale_rules = [row["id"] for name, row in existing.items()
                   if name.startswith(f"{access_plan.prefix}rls ") and name not in access_plan.rules]
    if stale_rules:
        rest.call("DELETE", "/api/v1/rowlevelsecurity/?q=!(" + ",".join(map(str, stale_rules)) + ")")
        counts["rules_deleted"] = len(stale_rules)

    # roles named like ours that the plan no longer has (an organisation left the registry)
    for name, role_id in roles.items():
        if name.startswith(access_plan.prefix) and name not in access_plan.roles:
            rest.call("DELETE", f"/api/v1/security/roles/{role_id}")
            counts["roles_deleted"] += 1

    # dashboard roles (DASHBOARD_RBAC): who may open which dashboard
    dash_ids = _ids_by_uuid(rest, "dashboard")
    for dash_name, role_names in access_plan.dashboard_roles.items():
        dash_id = dash_ids[stable_uuid("dashboard", dash_name)]
        wanted_ids = sorted(roles[n] for n in role_names)
        have_ids = sorted(r["id"] for r in rest.call("GET", f"/api/v1/dashboard/{dash_id}")["result"]["roles"])
        if have_ids != wanted_ids:
            rest.call("PUT", f"/api/v1/dashboard/{dash_id}", {"roles": wanted_ids})
            counts["dashboards_updated"] += 1
    return counts


def ensure_user(rest: Rest, username: str, password: str, role_names: list[str]) -> int:
    """Create (or reset the password and roles of) a database user; for tests and demos."""
    roles = {row["name"]: row["id"] for row in rest.list("/api/v1/security/roles/")}
    body = {"username": username, "first_name": username, "last_name": "Lantern", "active": True,
            "email": f"{username}@lantern.invalid", "password": password, "roles": [roles[n] for n in role_names]}
    users = {row["username"]: row["id"] for row in rest.list("/api/v1/security/users/", ["id", "username"])}
    if username in users:
        rest.call("PUT", f"/api/v1/security/users/{users[username]}", body)
        return users[username]
    return rest.call("POST", "/api/v1/security/users/", body)["id"]


def apply_access(session: Any, url: str, specs: Specs) -> dict[str, int]:
    access_plan = plan(specs, organisations())
    counts = apply(Rest(session, url), specs, access_plan)
    _log(json.dumps(counts))
    return counts
