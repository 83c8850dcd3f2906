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
from dashboards.superset.bundle import load_specs  # noqa: E402



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
    serving: Path
    user: str
    password: str
    env: environment.SupersetEnv
    timings: dict[str, float]

    def api(self) -> Api:
        return Api(self.url, self.user, self.password)


@pytest.fixture(scope="session")
def superset_server(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("lantern-home")
    serving = home / "serving.duckdb"
    make_serving_fixture(serving)
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
        yield SupersetServer(url=environment.base_url(port), port=port, home=home, serving=serving, user="admin",
                             password=password, env=env, timings=timings)
    finally:
        environment.stop(env)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


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
