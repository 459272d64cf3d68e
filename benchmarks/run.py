"""`make bench` and `make bench-scale`: the portal's benchmarks in one run, each with a time limit.

`make bench` (no argument): every benchmark at 100,000 listings, within a 19-minute budget:

1. search_bench.py: directory API p50/p95 per reachable backend against Wagtail's own database
   search backend; index rebuilds (database and Elasticsearch);
2. import_export_bench.py: import of 20,000 rows and export of 100,000, SQLite and PostgreSQL,
   against django-import-export's defaults (sampled and extrapolated where slow);
3. page_bench.py: first-load weight of the home, directory and application pages; the directory
   page made for every request (10,000 listings over fifty municipalities; SQLite, PostgreSQL and
   Elasticsearch), part by part in-process, and under wrk against gunicorn with 2 workers beside
   the API on the same searches and the cached page;
4. municipalities_bench.py: the directory API and page with one municipality and with fifty;
5. figures_bench.py: the public figures page, cold and cached;
6. replica_bench.py: the PostgreSQL read replica's lag after a commit, and the directory API
   read from the primary and from the replica in turn (10,000 listings).

`make bench-scale` (`--scale`): the curves over 10,000, 100,000 and 1,000,000 listings spread over
fifty municipalities: for each size the directory API on SQLite, PostgreSQL and Elasticsearch and
the database index's rebuild (search_bench.py), the page made for every request
(page_bench.py --listings N) and the import (import_export_bench.py --listings N), when those
scripts accept --listings (otherwise skipped, and said so). The databases of each size are
seeded once and kept (benchmarks/seeding.py).

Every script prints its table and, per figure, a `BENCH_JSON {...}` line; they are collected
into var/bench/results.json (or var/bench/scale.json), and the scale run draws its curves
(benchmarks/curves.py: docs/bench-scale.svg, data in docs/bench-scale.json). A step that fails
or reaches its limit is reported, its process group stopped, and the others still run; the exit
status is 0 only when every step ended well.
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"

# (label, command, seconds): what the steps took in a run at load ~2, with room to spare.
STEPS = [
    (
        "search",
        [
            "benchmarks/search_bench.py",
            "--listings=100000",
            "--rounds=3",
            "--rebuilds=1",
            "--baseline-limit=5",
        ],
        420,
    ),
    (
        "import and export",
        ["benchmarks/import_export_bench.py", "--database=both", "--rounds=1", "--baseline-rows=200"],
        300,
    ),
    ("pages", ["benchmarks/page_bench.py", "--seconds", "20", "--listings", "10000"], 420),
    ("municipalities", ["benchmarks/municipalities_bench.py", "--listings", "10000", "--rounds", "3"], 150),
    ("figures", ["benchmarks/figures_bench.py", "--listings", "100000", "--rounds", "5"], 240),
    ("read replica", ["benchmarks/replica_bench.py", "--listings", "10000", "--rounds", "2"], 150),
]
BUDGET = 19 * 60  # `make bench` must end within 20 minutes

SIZES = (10_000, 100_000, 1_000_000)


def scale_steps(listings: int, elasticsearch_max: int) -> list[tuple[str, list[str], int]]:
    """The steps of one size; limits grow with it (seeding and rebuilds are linear). From a
    million listings the API mix runs once (its 200 queries take minutes on a loaded machine)."""
    factor = max(1.0, listings / 100_000)
    search = [
        "benchmarks/search_bench.py",
        f"--listings={listings}",
        f"--rounds={1 if listings >= 1_000_000 else 3}",
        "--rebuilds=1",
        "--no-baseline",
    ]
    if listings > elasticsearch_max:
        search.append("--no-elasticsearch")
    return [
        ("search", search, int(420 * factor**0.9)),
        # The page: three wrk runs per engine (the made page, the API, the cached page), after
        # the first seeding of its size.
        (
            "page",
            ["benchmarks/page_bench.py", f"--listings={listings}", "--seconds=20"]
            + (["--no-elasticsearch"] if listings > elasticsearch_max else []),
            int(600 * factor**0.8),
        ),
        # The import on each database once: the curve is ours; the library's baselines are
        # `make bench`'s.
        (
            "import",
            [
                "benchmarks/import_export_bench.py",
                f"--listings={listings}",
                "--rounds=1",
                "--baseline-rows=0",
                "--no-library-export",
            ],
            int(600 * factor**0.8),
        ),
    ]


def accepts_listings(script: str) -> bool:
    """Whether a benchmark script takes --listings (read from its argument parser's source)."""
    return '"--listings"' in (ROOT / script).read_text()


def run_step(label: str, command: list[str], limit: float, env: dict) -> tuple[str, list[dict], float]:
    """Run one benchmark, echoing its output; (outcome, its BENCH_JSON figures, seconds)."""
    print(f"\n===== {label} " + "=" * max(4, 60 - len(label)), flush=True)
    started = time.time()
    figures = []
    # A session of its own: on timeout the whole group goes (search_bench runs a child per
    # database, page_bench a gunicorn and wrk).
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,
    )
    stopped = threading.Event()

    def stop():
        # At the limit, whether or not the step is printing: its whole process group goes.
        stopped.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        time.sleep(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    watchdog = threading.Timer(limit, stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith("BENCH_JSON "):
                try:
                    figures.append(json.loads(line[len("BENCH_JSON ") :]))
                except ValueError:
                    print(f"(unreadable BENCH_JSON line from {label})")
        process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if stopped.is_set():
        outcome = f"stopped after {limit:.0f} s"
    else:
        outcome = "ok" if process.returncode == 0 else f"exit {process.returncode}"
    return outcome, figures, time.time() - started


def environment(label: str) -> dict:
    # The page benchmark reads DATABASE_URL; the others choose their own benchmark databases.
    env = (
        dict(os.environ)
        if label.startswith("page")
        else {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    )
    if label != "read replica":  # a replica of `portal`, not of the other steps' databases
        env.pop("DATABASE_REPLICA_URL", None)
    return env


def loads() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def bench(args) -> int:
    started = time.time()
    summary, figures = [], []
    for label, command, limit in STEPS:
        remaining = BUDGET - (time.time() - started)
        if remaining < 30:
            summary.append((label, "not run: out of time", 0.0))
            continue
        outcome, found, seconds = run_step(label, command, min(limit, remaining), environment(label))
        figures += found
        summary.append((label, outcome, seconds))
    return report(summary, figures, started, VAR / "results.json")


def scale(args) -> int:
    started = time.time()
    summary, figures = [], []
    sizes = [int(size) for size in args.sizes.split(",")]
    for listings in sizes:
        for label, command, limit in scale_steps(listings, args.elasticsearch_max):
            name = f"{label} {listings:,}"
            if args.steps and label not in args.steps.split(","):
                continue
            if not accepts_listings(command[0]):
                print(f"\n===== {name}: skipped, {command[0]} does not accept --listings yet", flush=True)
                summary.append((name, "skipped (no --listings)", 0.0))
                continue
            outcome, found, seconds = run_step(name, command, limit, environment(label))
            for figure in found:
                figure.setdefault("bench", label)
                figure.setdefault("listings", listings)
            figures += found
            summary.append((name, outcome, seconds))
    code = report(summary, figures, started, VAR / "scale.json")
    if args.curves:
        from curves import draw

        merged = merge(ROOT / "docs" / "bench-scale.json", figures)
        print(f"curves: {draw(merged, ROOT / 'docs' / 'bench-scale.svg')}")
    return code


def merge(path: Path, figures: list[dict]) -> Path:
    """The committed data of the curves: these figures replace earlier ones of the same
    (bench, listings, database, measure); the others (a size not run this time) stay."""
    kept = json.loads(path.read_text())["figures"] if path.exists() else []
    key = lambda f: (f.get("bench"), f.get("listings"), f.get("database"), f.get("measure"))  # noqa: E731
    fresh = {key(f) for f in figures}
    merged = [f for f in kept if key(f) not in fresh] + figures
    path.write_text(json.dumps({"figures": merged}, indent=1, ensure_ascii=False) + "\n")
    return path


def report(summary, figures, started, path: Path) -> int:
    print("\n===== summary " + "=" * 52)
    for label, outcome, seconds in summary:
        print(f"{label:28} {outcome:26} {seconds:6.0f} s")
    total = time.time() - started
    print(f"{'total':28} {'':26} {total:6.0f} s; load {' '.join(map(str, loads()))}")
    VAR.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                "seconds": round(total),
                "cores": os.cpu_count(),
                "load_at_end": loads(),
                "steps": [{"step": s, "outcome": o, "seconds": round(t)} for s, o, t in summary],
                "figures": figures,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"{len(figures)} figures in {path.relative_to(ROOT)}")
    bad = [outcome for _, outcome, _ in summary if outcome != "ok" and not outcome.startswith("skipped")]
    return 0 if not bad else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="The curves over several sizes.")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="Listings, comma-separated.")
    parser.add_argument(
        "--elasticsearch-max",
        type=int,
        default=1_000_000,
        help="With --scale: Elasticsearch up to this many listings (its rebuild is the longest step).",
    )
    parser.add_argument("--steps", default="", help="With --scale: only these (search,page,import).")
    parser.add_argument("--no-curves", dest="curves", action="store_false", help="Do not draw the figure.")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, load {' '.join(map(str, loads()))}; "
        f"Elasticsearch {os.environ.get('ELASTICSEARCH_URL') or 'not configured'}",
        flush=True,
    )
    return scale(args) if args.scale else bench(args)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
