"""`lantern superset up|down|publish|where|bundle` (wire into pipelines/cli.py as: superset -> cli.main(rest))."""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "publish":
        from dashboards.superset.publish import main as publish_main

        return publish_main(argv[1:])
    if argv and argv[0] == "bundle":
        from dashboards.superset.bundle import main as bundle_main

        return bundle_main(argv[1:])
    from dashboards.superset.environment import main as env_main

    return env_main(argv)


def run(args) -> int:
    """For pipelines/cli.py: args.action in up|down|publish|status, args.port (optional)."""
    from dashboards.superset import environment

    action, port = args.action, getattr(args, "port", None)
    if action == "up":
        return environment.main(["up"] + (["--port", str(port)] if port else []))
    if action == "down":
        return environment.main(["down"])
    if action == "publish":
        from dashboards.superset.publish import main as publish_main

        return publish_main(["--url", environment.base_url(port)] if port else [])
    if action == "status":
        return status(port)
    raise ValueError(f"unknown superset action {action!r}")


def status(port: int | None = None) -> int:
    """Print venv/home, whether the server runs and answers /health; exit 0 if healthy, 1 otherwise."""
    from dashboards.superset import environment

    env = environment.resolve()
    if port is None and env.port_file.exists():
        port = int(env.port_file.read_text().strip())
    port = port or int(os.environ.get("LANTERN_SUPERSET_PORT", environment.DEFAULT_PORT))
    healthy = environment.healthy(port)
    print(json.dumps({"venv": str(env.venv), "venv_ready": env.python.exists(), "home": str(env.home),
                      "url": environment.base_url(port), "healthy": healthy}))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
