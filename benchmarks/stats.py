"""Figures shared by the benchmark scripts: percentiles of timings and the machine's load.

`percentiles` is what every in-process benchmark reports (p50 the median, p95 the nearest rank
below 95 %, and the slowest); `load` is the load average printed beside each figure.
"""

import os
import statistics


def percentiles(samples) -> dict:
    """p50 (median), p95 (nearest rank) and max of a non-empty list of timings."""
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
    }


def load() -> str:
    """The load average over 1, 5 and 15 minutes, as printed beside the figures."""
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
