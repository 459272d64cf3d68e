"""The scale curves of `make bench-scale` as one SVG (matplotlib, the `bench` extra).

    .venv/bin/python benchmarks/curves.py [docs/bench-scale.json] [docs/bench-scale.svg]

Reads BENCH_JSON figures ({bench, listings, database, measure, value, unit, ...}) and draws,
against the number of listings (log scale): the directory API's p50 and p95 per engine with
their targets, the seeding and the rebuilds, and whatever the page and import benchmarks
reported (one panel each, one line per measure and database).
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLOURS = {"postgres": "#336791", "sqlite": "#3c8d2f", "elasticsearch": "#f0a30a"}


def series(figures, keep):
    """(label, database) -> sorted [(listings, value)] of the figures `keep` accepts."""
    found = defaultdict(dict)
    for f in figures:
        if keep(f) and isinstance(f.get("value"), int | float):
            found[(f["measure"], f.get("database") or "-")][int(f["listings"])] = f["value"]
    return {key: sorted(points.items()) for key, points in sorted(found.items())}


def panel(axis, lines, title, ylabel, styles=None, log_y=False):
    for (measure, database), points in lines.items():
        xs, ys = zip(*points, strict=True)
        style = (styles or {}).get(measure, "-")
        axis.plot(
            xs,
            ys,
            style,
            marker="o",
            color=COLOURS.get(database),
            label=f"{database} {measure}".replace("_", " "),
        )
    axis.set_xscale("log")
    if log_y:
        axis.set_yscale("log")
    axis.set_title(title, fontsize=10)
    axis.set_ylabel(ylabel)
    axis.set_xlabel("listings")
    axis.grid(True, which="both", alpha=0.3)
    if lines:
        axis.legend(fontsize=7)
    else:
        axis.text(0.5, 0.5, "not measured", ha="center", va="center", transform=axis.transAxes)


def draw(data: Path, out: Path) -> Path:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    figures = json.loads(Path(data).read_text())["figures"]
    figure, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    search = [f for f in figures if f.get("bench") == "search"]
    api = series(search, lambda f: f["measure"] in ("api_p50", "api_p95"))
    panel(
        axes[0][0],
        api,
        "Directory API, 200-query mix (wall time)",
        "ms",
        {"api_p50": ":", "api_p95": "-"},
        True,
    )
    for f in search:
        if f["measure"] == "api_p95" and f.get("target"):
            axes[0][0].plot(
                int(f["listings"]), f["target"], marker="_", markersize=18, color=COLOURS.get(f["database"])
            )
    cpu = series(search, lambda f: f["measure"] in ("api_cpu_p50", "api_cpu_p95"))
    panel(
        axes[0][1],
        cpu,
        "CPU of the Python process per API request\n(SQLite: the whole search; PostgreSQL: Python only)",
        "ms",
        {"api_cpu_p50": ":", "api_cpu_p95": "-"},
        True,
    )
    queries = series(search, lambda f: f["measure"] == "api_queries")
    panel(axes[0][2], queries, "Database queries per API request (most)", "queries")
    axes[0][2].set_ylim(0, 10)
    times = series(search, lambda f: f["measure"] in ("seed", "rebuild"))
    panel(axes[1][0], times, "Seeding and index rebuild", "s", {"seed": ":", "rebuild": "-"})
    for position, bench in enumerate(("page", "import"), start=1):
        chosen = [f for f in figures if f.get("bench") == bench]
        unit = chosen[0]["unit"] if chosen else ""
        lines = series(chosen, lambda f, unit=unit: f.get("unit") == unit)
        panel(axes[1][position], lines, {"page": "Directory page", "import": "Import"}[bench], unit)
    loads = [float(f["load"].split()[0]) for f in figures if isinstance(f.get("load"), str)]
    shared = (
        f"2 shared cores, load average {min(loads):.0f} to {max(loads):.0f}" if loads else "2 shared cores"
    )
    figure.suptitle(f"The directory at 10,000 to 1,000,000 listings ({shared})", fontsize=11)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="svg", metadata={"Date": None})
    plt.close(figure)
    return out


if __name__ == "__main__":
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "bench-scale.json"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "bench-scale.svg"
    print(draw(data, out))
