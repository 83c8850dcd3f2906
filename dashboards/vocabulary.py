"""The words every Lantern output uses for a value it does not show, and the legend that explains them.

One vocabulary for the static site, the briefing and Superset (issue #15): a cell hidden by disclosure control
reads "suppressed" (never blank, never 0, never "-"); a cell with nothing behind it (no agency reported, no
comparison possible) reads "no data". Zero is a number and is shown as 0.
"""

from __future__ import annotations

SUPPRESSED = "suppressed"
NO_DATA = "no data"


def legend(min_cell: int) -> dict[str, str]:
    """Marker -> what it means, for a legend under a table or chart."""
    return {
        SUPPRESSED: (f"hidden to protect the people behind small numbers: a count from 1 to {min_cell - 1}, or one "
                     "hidden so that such a count cannot be worked out from totals. Not zero, and not "
                     "necessarily small. A total, change or rate that would include it is suppressed too."),
        NO_DATA: "nothing to report: no agency reported, or there is no earlier period to compare with.",
        "0": "a true zero: the agencies that report had none.",
    }
