"""What a resident on a phone feels: the weight of the first load of the home, directory and
application pages, and the directory page's throughput under load (gunicorn, 2 workers, wrk on
loopback, anonymous).

    python benchmarks/page_bench.py [--seconds 30] [--listings 0] [--json FILE]

Uses BENCH_PAGES_DATABASE_URL if set, else the SQLite file var/bench.sqlite3 (never the
development database); --listings N seeds up to N listings first.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = 8766
PAGES = {"home": "/", "directory": "/directorio/", "application (first step)": "/mis-registros/nuevo/"}
ASSET = re.compile(r"""<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)\"""")


def setup(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.update(
        {"DEBUG": "false", "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    )
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_PAGES_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", listings=args.listings or 120, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def page_weights():
    """Bytes of a first visit: the HTML and every stylesheet, script and image it loads."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    user, _ = get_user_model().objects.get_or_create(username="peso", defaults={"email": "peso@example.org"})
    client.force_login(user)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="es")
    rows = {}
    for label, path in PAGES.items():
        browser = client if path.startswith("/mis-registros/") else anonymous
        html = browser.get(path).content
        weights = {"html": len(html), "css": 0, "js": 0, "images": 0}
        compressed = len(gzip.compress(html))
        for url in sorted(set(ASSET.findall(html.decode()))):
            if url.startswith(("http://", "https://", "data:")):
                continue
            body = (
                b"".join(browser.get(url).streaming_content)
                if url.startswith("/static/")
                else browser.get(url).content
            )
            kind = "css" if url.endswith(".css") else "js" if url.endswith(".js") else "images"
            weights[kind] += len(body)
            compressed += len(gzip.compress(body))
        weights["total"] = sum(weights.values())
        weights["total_gzip"] = compressed
        rows[label] = weights
    return rows


def throughput(seconds):
    wrk = shutil.which("wrk")
    if not wrk:
        return {"error": "wrk is not installed (apt-get install wrk)"}
    from django.db import connections

    connections.close_all()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    results = {}
    try:
        for _ in range(100):
            if (
                subprocess.run(
                    ["curl", "-sf", f"http://127.0.0.1:{PORT}/healthz"], capture_output=True
                ).returncode
                == 0
            ):
                break
            time.sleep(0.3)
        for label, path, vary in (
            ("directory (cached for anonymous)", "/directorio/", False),
            ("directory ?q=arepas (cached)", "/directorio/?q=arepas", False),
            # The baseline: the page made for every request (a search near each one's position).
            ("directory, every request a new search", "/directorio/", True),
        ):
            output = subprocess.run(
                [
                    wrk,
                    "-t2",
                    "-c16",
                    f"-d{seconds}s",
                    "-s",
                    str(ROOT / "benchmarks" / "wrk_percentiles.lua"),
                    "-H",
                    "Accept-Language: es",
                    f"http://127.0.0.1:{PORT}{path}",
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "WRK_VARY": "1"} if vary else None,
            ).stdout
            fields = dict(item.split("=") for item in output.split("WRK ", 1)[1].split())
            duration = int(fields["duration_us"]) / 1e6
            results[label] = {
                "requests_per_second": round(int(fields["requests"]) / duration, 1),
                "p50_ms": int(fields["p50"]) / 1000,
                "p95_ms": int(fields["p95"]) / 1000,
                "errors": int(fields["errors"]),
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--listings", type=int, default=0)
    parser.add_argument("--json", help="Write the figures to this file too.")
    args = parser.parse_args()
    setup(args)
    weights = page_weights()
    print(
        f"\n{'page weight (bytes)':28} {'html':>8} {'css':>8} {'js':>8} {'images':>8} {'total':>9} {'gzip':>8}"
    )
    for label, w in weights.items():
        print(
            f"{label:28} {w['html']:>8} {w['css']:>8} {w['js']:>8} {w['images']:>8} {w['total']:>9} {w['total_gzip']:>8}"
        )
    load = os.getloadavg()[0]
    pages = throughput(args.seconds)
    print(
        f"\n{'directory page, gunicorn -w 2, wrk -c16':42} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}"
    )
    for label, r in pages.items():
        if "error" in r:
            print(r["error"])
            continue
        print(f"{label:42} {r['requests_per_second']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['errors']:>7}")
    made = pages.get("directory, every request a new search", {}).get("requests_per_second")
    cached = pages.get("directory (cached for anonymous)", {}).get("requests_per_second")
    if made and cached:
        print(f"cached page / page made for each request: {cached / made:.1f}x")
    from django.conf import settings

    backend = "Elasticsearch" if settings.ELASTICSEARCH_URL else "the database (SQLite)"
    print(
        f"(search backend: {backend}; load average before the run: {load:.2f}; budget: >= 200 req/s, first load < 200 KB)"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"weights": weights, "throughput": pages, "load": load}, indent=2)
        )


if __name__ == "__main__":
    main()
