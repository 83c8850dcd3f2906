import sys

from dashboards.superset.cli import main

sys.exit(main())
