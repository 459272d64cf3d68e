"""`make bench`: every benchmark of the portal in one run, each printing its table.

1. search_bench.py: 100,000 listings; directory API p50/p95 per reachable backend against
   Wagtail's own database search backend; index rebuilds (database and Elasticsearch).
2. import_export_bench.py: import of 20,000 rows and export of 100,000, SQLite and PostgreSQL,
   against django-import-export's defaults.
3. page_bench.py: first-load weight of the home, directory and application pages; the directory
   page made for every request (10,000 listings over fifty municipalities; SQLite, PostgreSQL and
   Elasticsearch), part by part in-process, and under wrk against gunicorn with 2 workers beside
   the API on the same searches and the cached page.
4. municipalities_bench.py: the directory API and page with one municipality and with fifty
   (10,000 listings, SQLite and PostgreSQL), side by side, with the queries per request.
5. figures_bench.py: the public figures page with 100,000 listings, cold and cached, SQLite
   and PostgreSQL, against its 100 ms budget.

PostgreSQL and Elasticsearch are used when reachable (`make bench` starts them with
.ci/services.sh). Each step has a time limit so the whole run stays under half an hour; a step that
fails or times out is reported and the others still run.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = [
    ("search", ["benchmarks/search_bench.py", "--listings", "100000"], 420),
    ("import and export", ["benchmarks/import_export_bench.py", "--database", "both", "--rounds", "3"], 300),
    ("pages", ["benchmarks/page_bench.py", "--seconds", "20", "--listings", "10000"], 900),
    ("municipalities", ["benchmarks/municipalities_bench.py", "--listings", "10000", "--rounds", "3"], 300),
    ("figures", ["benchmarks/figures_bench.py", "--listings", "100000", "--rounds", "5"], 420),
]


def main():
    started = time.time()
    summary = []
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
        f"PostgreSQL {'on' if os.environ.get('BENCH_POSTGRES_URL') or os.environ.get('DATABASE_URL') else 'default'}, "
        f"Elasticsearch {os.environ.get('ELASTICSEARCH_URL') or 'not configured'}"
    )
    for label, command, limit in STEPS:
        print(f"\n===== {label} " + "=" * (60 - len(label)), flush=True)
        step_started = time.time()
        env = (
            {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            if label != "pages"
            else dict(os.environ)
        )
        try:
            result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, timeout=limit)
            outcome = "ok" if result.returncode == 0 else f"exit {result.returncode}"
        except subprocess.TimeoutExpired:
            outcome = f"stopped after {limit} s"
        summary.append((label, outcome, time.time() - step_started))
    print("\n===== summary " + "=" * 52)
    for label, outcome, seconds in summary:
        print(f"{label:20} {outcome:22} {seconds:6.0f} s")
    print(f"{'total':20} {'':22} {time.time() - started:6.0f} s")
    return 0 if all(outcome == "ok" for _, outcome, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
