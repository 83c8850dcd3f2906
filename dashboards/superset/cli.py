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


if __name__ == "__main__":
    sys.exit(main())
