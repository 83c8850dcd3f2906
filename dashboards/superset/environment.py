"""Superset's own environment: a cached virtual environment, a home directory, and a loopback server.

Superset pins SQLAlchemy 1.4, pandas 2.1 and numpy 1.x, so it never shares the pipeline's environment.
This module runs in the pipeline's Python (standard library, and PyYAML to read the audiences the query log
follows) and drives the Superset venv through subprocesses.

Layout:
  venv  ${LANTERN_SUPERSET_VENV:-~/.cache/lantern/superset-<sha256(requirements.txt + python)[:12]>}
  home  $LANTERN_HOME/superset/   (LANTERN_HOME defaults to ./data; never committed)
          superset_config.py  generated from superset_config.py.tmpl
          superset.db         metadata (sqlite)
          secret_key          0600, generated once unless LANTERN_SUPERSET_SECRET_KEY is set
          admin_password      0600, only in a local demo (no password given)
          superset.pid, superset.log, initialized (marker: requirements hash of the last init)
  logs  $LANTERN_HOME/logs/superset-queries.jsonl   every query of a logged audience (the analysts)
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sources.reference.paths import PathUnder, lantern_paths

PACKAGE_DIR = Path(__file__).resolve().parent
REQUIREMENTS = PACKAGE_DIR / "requirements.txt"
CONFIG_TEMPLATE = PACKAGE_DIR / "superset_config.py.tmpl"
DEFAULT_PORT = 8088
DEFAULT_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3"
HOST = "127.0.0.1"


def _log(message: str) -> None:
    print(f"[superset] {message}", file=sys.stderr, flush=True)


def base_python() -> str:
    """The interpreter the Superset venv is made from: Superset 6.1 supports Python 3.10 to 3.12."""
    candidates = [os.environ.get("LANTERN_SUPERSET_PYTHON"), DEFAULT_PYTHON, shutil.which("python3.11")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("no Python 3.11 found for the Superset venv; set LANTERN_SUPERSET_PYTHON")


def requirements_hash(python: str | None = None) -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    version = subprocess.run(
        [python or base_python(), "-c", "import sys; print(sys.version.split()[0])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    digest.update(version.encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class SupersetEnv:
    venv: Path
    home: Path
    req_hash: str

    python = PathUnder("venv", "bin/python")
    superset_bin = PathUnder("venv", "bin/superset")
    config = PathUnder("home", "superset_config.py")
    pid_file = PathUnder("home", "superset.pid")
    log_file = PathUnder("home", "superset.log")
    port_file = PathUnder("home", "superset.port")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["SUPERSET_CONFIG_PATH"] = str(self.config)
        env["FLASK_APP"] = "superset.app:create_app()"
        env["SUPERSET_HOME"] = str(self.home)
        env.pop("PYTHONPATH", None)
        env.pop("VIRTUAL_ENV", None)
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env


def lantern_home() -> Path:
    return lantern_paths().home


def resolve() -> SupersetEnv:
    req_hash = requirements_hash()
    venv = os.environ.get("LANTERN_SUPERSET_VENV")
    venv_path = Path(venv).expanduser() if venv else Path.home() / ".cache" / "lantern" / f"superset-{req_hash}"
    return SupersetEnv(venv=venv_path.resolve(), home=lantern_home() / "superset", req_hash=req_hash)


# ---------------------------------------------------------------- install


def _venv_ok(env: SupersetEnv) -> bool:
    marker = env.venv / ".lantern-requirements-hash"
    return env.python.exists() and marker.exists() and marker.read_text().strip() == env.req_hash


def install(env: SupersetEnv | None = None) -> float:
    """Create the Superset venv if the cached one is missing or stale. Returns seconds spent.

    Built in place (venv scripts hard-code their path); the hash marker is written last, so a half-built
    venv is never reused. A lock file keeps two concurrent `up`s from building the same venv.
    """
    import fcntl

    env = env or resolve()
    started = time.monotonic()
    if _venv_ok(env):
        return time.monotonic() - started
    env.venv.parent.mkdir(parents=True, exist_ok=True)
    with open(env.venv.with_name(env.venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _venv_ok(env):
            return time.monotonic() - started
        _log(f"installing Superset into {env.venv} (requirements hash {env.req_hash})")
        shutil.rmtree(env.venv, ignore_errors=True)
        subprocess.run([base_python(), "-m", "venv", str(env.venv)], check=True)
        pip = [str(env.python), "-m", "pip", "--disable-pip-version-check", "-q"]
        # Fully locked file: --no-deps keeps pip from resolving anything that is not in it.
        subprocess.run([*pip, "install", "--no-deps", "-r", str(REQUIREMENTS)], check=True)
        subprocess.run([*pip, "check"], check=True)
        (env.venv / ".lantern-requirements-hash").write_text(env.req_hash + "\n")
    took = time.monotonic() - started
    _log(f"installed in {took:.0f} s")
    return took


# ---------------------------------------------------------------- home, secrets


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def query_log(env: SupersetEnv) -> Path:
    """The analysts' query log (sources/reference/audiences.yaml `query_log`): JSON lines."""
    return env.home.parent / "logs" / "superset-queries.jsonl"


def prepare_home(env: SupersetEnv) -> None:
    env.home.mkdir(parents=True, exist_ok=True)
    os.chmod(env.home, 0o700)
    from dashboards.superset.access import logged_roles

    template = CONFIG_TEMPLATE.read_text(encoding="utf-8")
    env.config.write_text(template.replace("__HOME__", repr(str(env.home)))
                          .replace("__QUERY_LOG__", repr(str(query_log(env))))
                          .replace("__LOGGED_ROLES__", repr(sorted(logged_roles()))), encoding="utf-8")
    key_file = env.home / "secret_key"
    if not os.environ.get("LANTERN_SUPERSET_SECRET_KEY") and not key_file.exists():
        _write_private(key_file, secrets.token_urlsafe(48) + "\n")


def admin_credentials(env: SupersetEnv) -> tuple[str, str, bool]:
    """(user, password, generated). A password is generated only for a local demo; never a default one."""
    user = os.environ.get("LANTERN_SUPERSET_ADMIN_USER", "admin")
    password = os.environ.get("LANTERN_SUPERSET_ADMIN_PASSWORD")
    if password:
        return user, password, False
    demo = os.environ.get("LANTERN_DEMO")
    if demo == "0" or (demo != "1" and os.environ.get("CI")):
        raise RuntimeError("set LANTERN_SUPERSET_ADMIN_PASSWORD (a password is generated only for a local demo)")
    stored = env.home / "admin_password"
    if stored.exists():
        return user, stored.read_text(encoding="utf-8").strip(), True
    password = secrets.token_urlsafe(18)
    _write_private(stored, password + "\n")
    return user, password, True


_ADMIN_SCRIPT = """
import os
from superset.app import create_app
app = create_app()
with app.app_context():
    sm = app.appbuilder.sm
    user, password = os.environ["_LANTERN_ADMIN_USER"], os.environ["_LANTERN_ADMIN_PASSWORD"]
    found = sm.find_user(username=user)
    if found is None:
        ok = sm.add_user(user, "Lantern", "Admin", f"{user}@localhost.invalid", sm.find_role("Admin"), password=password)
        assert ok, "could not create the admin"
        print("created admin", user)
    else:
        sm.reset_password(found.id, password)
        print("admin exists; password set", user)
"""


def _run(env: SupersetEnv, args: list[str], extra_env: dict[str, str] | None = None) -> None:
    process_env = env.env()
    process_env.update(extra_env or {})
    with env.log_file.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(args[:3])}\n")
        log.flush()
        result = subprocess.run(args, env=process_env, stdout=log, stderr=subprocess.STDOUT, cwd=env.home)
    if result.returncode != 0:
        tail = env.log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(args[:3])} failed ({result.returncode}):\n{tail}")


def metadata_template(env: SupersetEnv) -> Path:
    """A migrated, initialised metadata DB (no users) next to the venv, copied into fresh homes."""
    return env.venv.with_name(env.venv.name + "-metadata.db")


def initialize(env: SupersetEnv) -> dict[str, float]:
    """Migrate the metadata database, sync roles, create/refresh the admin. Idempotent.

    A fresh home gets a copy of the cached template (same requirements hash) instead of `db upgrade` +
    `init` (about 20 s); the first home on a machine makes the template.
    """
    timings: dict[str, float] = {}
    marker = env.home / "initialized"
    metadata_db = env.home / "superset.db"
    template = metadata_template(env)
    if not (marker.exists() and marker.read_text().strip() == env.req_hash):
        t = time.monotonic()
        if not metadata_db.exists() and template.exists():
            shutil.copyfile(template, metadata_db)
            os.chmod(metadata_db, 0o600)
            timings["metadata_from_template"] = time.monotonic() - t
        else:
            fresh = not metadata_db.exists()
            _run(env, [str(env.superset_bin), "db", "upgrade"])
            timings["db_upgrade"] = time.monotonic() - t
            t = time.monotonic()
            _run(env, [str(env.superset_bin), "init"])
            timings["init"] = time.monotonic() - t
            if fresh and not template.exists():  # before the admin exists: the template holds no user
                staged = template.with_name(f"{template.name}.{os.getpid()}.tmp")
                shutil.copyfile(metadata_db, staged)
                os.replace(staged, template)
        marker.write_text(env.req_hash + "\n")
    user, password, generated = admin_credentials(env)
    t = time.monotonic()
    _run(env, [str(env.python), "-c", _ADMIN_SCRIPT],
         {"_LANTERN_ADMIN_USER": user, "_LANTERN_ADMIN_PASSWORD": password})
    timings["admin"] = time.monotonic() - t
    if generated:
        print(f"Superset demo admin: user {user!r}, password {password!r} (stored 0600 in {env.home})")
    return timings


# ---------------------------------------------------------------- server


def _pid(env: SupersetEnv) -> int | None:
    try:
        pid = int(env.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def base_url(port: int) -> str:
    return f"http://{HOST}:{port}"


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(base_url(port) + "/health", timeout=timeout) as response:
            return response.status == 200 and response.read().strip() == b"OK"
    except (urllib.error.URLError, OSError):
        return False


def start(env: SupersetEnv, port: int, workers: int = 2, wait: float = 180.0) -> float:
    """Start gunicorn on loopback in the background and wait for /health. Returns seconds to healthy."""
    existing = _pid(env)
    if existing:
        if env.port_file.exists() and int(env.port_file.read_text()) == port and healthy(port):
            return 0.0
        raise RuntimeError(f"Superset already running (pid {existing}); run down first")
    started = time.monotonic()
    args = [
        str(env.venv / "bin" / "gunicorn"),
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
        "--timeout", "120", "--limit-request-line", "0", "--limit-request-field_size", "0",
        "--pid", str(env.pid_file),
        "superset.app:create_app()",
    ]
    log = env.log_file.open("a", encoding="utf-8")
    log.write(f"\n$ gunicorn on {HOST}:{port}\n")
    log.flush()
    process = subprocess.Popen(args, env=env.env(), stdout=log, stderr=subprocess.STDOUT, cwd=env.home,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    env.pid_file.write_text(f"{process.pid}\n")
    env.port_file.write_text(f"{port}\n")
    deadline = started + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = env.log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"Superset exited with {process.returncode}:\n{tail}")
        if healthy(port):
            took = time.monotonic() - started
            _log(f"Superset healthy at {base_url(port)} after {took:.1f} s (pid {process.pid})")
            return took
        time.sleep(0.5)
    stop(env)
    raise RuntimeError(f"Superset not healthy after {wait:.0f} s; see {env.log_file}")


def stop(env: SupersetEnv, wait: float = 30.0) -> bool:
    pid = _pid(env)
    if pid is None:
        env.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)  # gunicorn's master stops its workers
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        try:  # reap if it is our child
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    env.pid_file.unlink(missing_ok=True)
    env.port_file.unlink(missing_ok=True)
    _log(f"Superset stopped (pid {pid})")
    return True


# ---------------------------------------------------------------- entry points


def up(port: int = DEFAULT_PORT, workers: int = 2) -> dict[str, float]:
    """Install (if needed), initialize, start on 127.0.0.1:port, wait for /health. Returns timings."""
    env = resolve()
    timings = {"install": install(env)}
    prepare_home(env)
    timings.update(initialize(env))
    timings["start"] = start(env, port, workers=workers)
    return timings


def down() -> bool:
    return stop(resolve())


def where() -> dict[str, str]:
    """The venv and home paths, and the requirements hash naming the venv."""
    env = resolve()
    return {"venv": str(env.venv), "home": str(env.home), "hash": env.req_hash}


def status(port: int | None = None) -> dict:
    """Venv and home, and whether the server answers /health (on `port`, else the one it was started on)."""
    env = resolve()
    if port is None and env.port_file.exists():
        port = int(env.port_file.read_text().strip())
    port = port or default_port()
    return {"venv": str(env.venv), "venv_ready": env.python.exists(), "home": str(env.home),
            "url": base_url(port), "healthy": healthy(port)}


def default_port() -> int:
    return int(os.environ.get("LANTERN_SUPERSET_PORT", DEFAULT_PORT))
