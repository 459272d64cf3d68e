"""Faults of the Elasticsearch cluster under load: 50 residents search the directory (API and
pages) through gunicorn while the cluster loses a node, then stops, then comes back.

    eval "$(bash .ci/services.sh elasticsearch-cluster)"
    python benchmarks/faults_elasticsearch.py [--listings 2000] [--users 50] [--phase-seconds 30]

Phases, the residents searching all along (each request counted, timed and, for the API, which
backend answered):

1. cluster: both nodes up, the directory's index with one replica (a copy on each node).
2. one node killed: `kill -9` of a node (by default the elected master, the harder case: the other
   node has no master until the cluster is whole again, and still answers searches).
3. cluster stopped: the other node stopped too. The database answers; /healthz must say
   "degraded". Meanwhile staff publish, edit, suspend and withdraw listings.
4. restarted: the cluster is started again (`.ci/services.sh elasticsearch-cluster`); the only
   thing that runs besides the portal is what production runs from cron, `search_index sync`
   every --sync-every seconds (60 in production). Catch-up time: from the moment the cluster
   answers again until every change of phase 3 is in Elasticsearch.

It passes when no search failed (every response a 200 within 30 s), /healthz said "degraded"
while the cluster was stopped, and the changes reached Elasticsearch within --catch-up-limit
seconds. Prints a table per phase and BENCH_JSON lines.

Uses a fresh SQLite file under var/ unless DATABASE_URL is set; the index is its own
(FAULTS_INDEX, default "faults-directory"). The cluster's nodes are found by their pid files
under PORTAL_SERVICES_DIR (default /opt/portal-services), as `.ci/services.sh` writes them.
"""

import argparse
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
VENV_BIN = Path(sys.executable).parent


import serving  # noqa: E402  (the portal under gunicorn)

PORT = int(os.environ.get("FAULTS_PORT") or serving.free_port())
BASE = Path(os.environ.get("PORTAL_SERVICES_DIR", "/opt/portal-services"))
WORDS = ["arepas", "peluqueria", "costura", "bodega", "delivery", "barberia", "clases", "reparacion", ""]
DISTRICTS = ["comas", "callao", "san-juan-de-lurigancho", "carmen-de-la-legua-reynoso", "ate", ""]
REQUEST_TIMEOUT = 30


def sudo() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo"]


# ----- the cluster ---------------------------------------------------------------------------


def cluster_urls() -> list[str]:
    return [url.strip() for url in os.environ["ELASTICSEARCH_URL"].split(",") if url.strip()]


def es_get(path: str, timeout: float = 5):
    for url in cluster_urls():
        try:
            with urllib.request.urlopen(f"{url}{path}", timeout=timeout) as response:  # noqa: S310 (http from ELASTICSEARCH_URL)
                return json.loads(response.read())
        except OSError:
            continue
    return None


def node_pids() -> dict[str, int]:
    pids = {}
    for n in (1, 2):
        pid_file = BASE / f"es-cluster-{n}" / "run" / "elasticsearch.pid"
        if pid_file.exists():
            pids[f"portal-cluster-{n}"] = int(pid_file.read_text().strip())
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_node(pid: int, signal: str) -> None:
    subprocess.run([*sudo(), "kill", f"-{signal}", str(pid)], check=False)


def start_cluster() -> None:
    """`.ci/services.sh elasticsearch-cluster`, which starts the nodes that are not running."""
    subprocess.run(
        ["bash", str(ROOT / ".ci" / "services.sh"), "elasticsearch-cluster"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


# ----- the portal ----------------------------------------------------------------------------


def setup_environment(args):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "DIRECTORY_API_RATE": "1000000/m",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "ELASTICSEARCH_INDEX": os.environ.get("FAULTS_INDEX", "faults-directory"),
            "ELASTICSEARCH_REPLICAS": "1",
            # Anonymous pages are cached by index version: a resident's page would not search.
            "DIRECTORY_PAGE_CACHE_SECONDS": "0",
        }
    )
    serving.scratch_sqlite("faults")
    import logging

    import django

    django.setup()
    # The client logs each refused connection with its traceback: expected here, and counted.
    logging.getLogger("elastic_transport").setLevel(logging.CRITICAL)
    logging.getLogger("search").setLevel(logging.ERROR)


def prepare(args) -> list[int]:
    from django.conf import settings
    from django.core.management import call_command
    from load_test import create_submitted_applications

    call_command("migrate", verbosity=0)
    # Seeded without Elasticsearch (one rebuild afterwards, not a sync per listing).
    url, settings.ELASTICSEARCH_URL = settings.ELASTICSEARCH_URL, ""
    try:
        call_command("seed_demo", listings=args.listings, seed=11, verbosity=0)
        ids = create_submitted_applications(args.changes)
    finally:
        settings.ELASTICSEARCH_URL = url
    call_command("search_index", "rebuild", verbosity=0)
    # The replica copied to the other node before the first node is killed.
    index = os.environ["ELASTICSEARCH_INDEX"]
    health = es_get(f"/_cluster/health/{index}?wait_for_status=green&timeout=120s", timeout=130)
    if not health or health.get("status") != "green":
        raise SystemExit(f"the index did not get its replica: {health}")
    return ids


# ----- residents -----------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.phase = "warm-up"
        self.started = {"warm-up": time.time()}
        self.lock = threading.Lock()
        self.rows = []  # (phase, kind, ok, seconds, backend)
        self.health = []  # (phase, search state)
        self.stop = threading.Event()

    def add(self, *row):
        with self.lock:
            self.rows.append((self.phase, *row, time.time()))

    def begin(self, phase):
        self.phase = phase
        self.started[phase] = time.time()


def resident(recorder: Recorder, seed: int):
    import requests

    rng = random.Random(seed)
    session = requests.Session()
    base = f"http://127.0.0.1:{PORT}"
    while not recorder.stop.is_set():
        word, district = rng.choice(WORDS), rng.choice(DISTRICTS)
        if rng.random() < 0.75:
            kind, url = (
                "api search",
                f"{base}/api/v1/directory/?q={word}&district={district}&page={rng.randint(1, 3)}",
            )
        else:
            kind, url = "directory page", f"{base}/directorio/?q={word}&district={district}"
        started = time.perf_counter()
        backend = ""
        try:
            response = session.get(url, timeout=REQUEST_TIMEOUT)
            ok = response.status_code == 200
            if ok and kind == "api search":
                backend = response.json().get("backend", "")
        except Exception:
            ok = False
        recorder.add(kind, ok, time.perf_counter() - started, backend)
        time.sleep(rng.uniform(0.2, 1.0))


def health_watch(recorder: Recorder):
    while not recorder.stop.is_set():
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{PORT}/healthz", timeout=REQUEST_TIMEOUT
            ) as response:
                state = json.loads(response.read())["search"]
        except Exception as error:
            state = f"error {type(error).__name__}"
        with recorder.lock:
            recorder.health.append((recorder.phase, state))
        time.sleep(1)


def cron(recorder: Recorder, every: float, log: list):
    """What production runs from cron: `search_index sync`, every `every` seconds."""
    command = [sys.executable, "manage.py", "search_index", "sync"]
    while not recorder.stop.wait(every):
        started = time.time()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
        log.append((started, result.returncode, (result.stdout + result.stderr).strip()[-300:]))


# ----- changes while the cluster is down ------------------------------------------------------


def make_changes(submitted_ids: list[int]) -> dict:
    """Staff publish, edit, suspend and withdraw listings through the review services (an edit
    as a saved change of the listing's name): what Elasticsearch must hold once it is back."""
    from django.contrib.auth.models import Group

    from registry.models import Organization
    from registry.services import review

    reviewer = Group.objects.get(name="Revisores").user_set.first()
    registrar = Group.objects.get(name="Registradores").user_set.exclude(is_superuser=True).first()
    expected = {"present": {}, "absent": []}
    for pk in submitted_ids:
        review.approve(organization=Organization.objects.get(pk=pk), user=reviewer)
        organization = review.approve(organization=Organization.objects.get(pk=pk), user=registrar)
        expected["present"][pk] = Organization.objects.get(pk=pk).name
    reachable = [
        o
        for o in Organization.objects.published().exclude(pk__in=submitted_ids).order_by("pk")[:200]
        if review.can("suspend", user=registrar, organization=o)
    ]
    for organization in reachable[:3]:
        organization.name = f"{organization.name} (editado)"
        organization.save()
        expected["present"][organization.pk] = organization.name
    for organization in reachable[3:5]:
        review.suspend(organization=organization, user=registrar, reason="Prueba de fallos")
        expected["absent"].append(organization.pk)
    for organization in reachable[5:7]:
        review.unpublish(organization=organization, user=registrar, reason="Prueba de fallos")
        expected["absent"].append(organization.pk)
    return expected


def indexed_name(pk: int) -> str | None:
    """The listing's name in Elasticsearch (None: no document, or no node answered)."""
    from django.conf import settings

    found = es_get(f"/{settings.ELASTICSEARCH_INDEX}/_doc/{pk}?_source_includes=public.name")
    return found["_source"]["public"]["name"] if found and found.get("found") else None


def changes_indexed(expected: dict) -> bool:
    if es_get("/_cluster/health", timeout=2) is None:
        return False
    if any(indexed_name(pk) != name for pk, name in expected["present"].items()):
        return False
    return all(indexed_name(pk) is None for pk in expected["absent"])


# ----- the run -------------------------------------------------------------------------------


def bench_json(**figure):
    print("BENCH_JSON " + json.dumps({"bench": "faults_elasticsearch", **figure}))


def percentile(values, share):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--phase-seconds", type=int, default=30)
    parser.add_argument(
        "--changes", type=int, default=3, help="applications approved while the cluster is down"
    )
    parser.add_argument("--kill", choices=["master", "other"], default="master")
    parser.add_argument("--sync-every", type=float, default=60.0, help="seconds between two cron runs")
    parser.add_argument("--catch-up-limit", type=float, default=150.0)
    args = parser.parse_args()
    if not os.environ.get("ELASTICSEARCH_URL") or len(cluster_urls()) < 2:
        raise SystemExit(
            'Set ELASTICSEARCH_URL to the cluster: eval "$(bash .ci/services.sh elasticsearch-cluster)"'
        )
    setup_environment(args)
    started = time.time()
    submitted = prepare(args)
    print(
        f"prepared {args.listings} listings in {time.time() - started:.0f} s; cluster {os.environ['ELASTICSEARCH_URL']}"
    )

    from django.db import connections

    connections.close_all()
    recorder = Recorder()
    cron_log = []
    figures = {"catch_up_seconds": None, "restart_seconds": None, "killed": None, "back": None}
    threads = [threading.Thread(target=resident, args=(recorder, i), daemon=True) for i in range(args.users)]
    threads.append(threading.Thread(target=health_watch, args=(recorder,), daemon=True))
    threads.append(threading.Thread(target=cron, args=(recorder, args.sync_every, cron_log), daemon=True))
    with serving.gunicorn(PORT, os.environ.copy()):
        try:
            for thread in threads:
                thread.start()
            # Every resident started and the nodes' caches warm before the first phase counts.
            time.sleep(15)
            recorder.begin("cluster")
            time.sleep(args.phase_seconds)

            pids = node_pids()
            master = (es_get("/_cat/master?format=json") or [{}])[0].get("node")
            victim = master if args.kill == "master" else next(name for name in pids if name != master)
            figures["killed"] = f"{victim} ({'master' if victim == master else 'not master'})"
            recorder.begin("one node killed")
            signal_node(pids[victim], "KILL")
            print(f"killed {figures['killed']}", flush=True)
            time.sleep(args.phase_seconds)

            recorder.begin("cluster stopped")
            for name, pid in pids.items():
                if name != victim:
                    signal_node(pid, "TERM")
            while any(alive(pid) for pid in pids.values()):
                time.sleep(0.5)
            print("cluster stopped", flush=True)
            expected = make_changes(submitted)
            time.sleep(args.phase_seconds)

            recorder.begin("restarted")
            restart_started = time.time()
            threading.Thread(target=start_cluster, daemon=True).start()
            while es_get("/_cluster/health", timeout=2) is None:
                time.sleep(0.5)
            back = time.time()
            figures["restart_seconds"] = back - restart_started
            print(f"cluster answers again after {figures['restart_seconds']:.0f} s", flush=True)
            while not changes_indexed(expected):
                if time.time() - back > args.catch_up_limit:
                    break
                time.sleep(0.5)
            else:
                figures["catch_up_seconds"] = time.time() - back
            figures["back"] = back
            # Long enough for every web process to try Elasticsearch again (its circuit opens for 30 s).
            time.sleep(max(args.phase_seconds, 40))
        finally:
            recorder.stop.set()
            for thread in threads:
                thread.join(timeout=REQUEST_TIMEOUT + 5)
    return report(args, recorder, figures, cron_log)


def report(args, recorder, figures, cron_log) -> int:
    from django.db import connection

    database = connection.vendor
    phases = ["warm-up", "cluster", "one node killed", "cluster stopped", "restarted"]
    print()
    print(
        f"{'phase':18} {'seconds':>7} {'requests':>9} {'req/s':>6} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'by ES':>7}  /healthz search"
    )
    failures_total = 0
    load = os.getloadavg()[0]
    ends = [*(recorder.started[p] for p in phases[1:] if p in recorder.started), time.time()]
    for phase, end in zip(phases, ends, strict=False):
        rows = [row for row in recorder.rows if row[0] == phase]
        seconds = end - recorder.started.get(phase, end)
        times = [row[3] * 1000 for row in rows]
        failures = sum(1 for row in rows if not row[2])
        failures_total += failures
        api = [row for row in rows if row[1] == "api search" and row[2]]
        by_es = sum(1 for row in api if row[4] == "elasticsearch") / len(api) if api else 0.0
        states = sorted({state for p, state in recorder.health if p == phase})
        p50, p95 = (statistics.median(times) if times else 0.0), percentile(times, 0.95)
        print(
            f"{phase:18} {seconds:7.0f} {len(rows):9} {len(rows) / max(seconds, 1):6.1f} {failures:9} "
            f"{p50:8.0f} {p95:8.0f} {by_es:7.0%}  {', '.join(states)}"
        )
        for measure, value, unit in (
            ("requests", len(rows), "requests"),
            ("failures", failures, "requests"),
            ("p95", round(p95, 1), "ms"),
            ("answered_by_elasticsearch", round(by_es, 3), "share"),
        ):
            bench_json(
                listings=args.listings,
                database=database,
                measure=measure,
                value=value,
                unit=unit,
                phase=phase,
                users=args.users,
                load=round(load, 2),
            )
    degraded = any(state == "degraded" for phase, state in recorder.health if phase == "cluster stopped")
    catch_up = figures["catch_up_seconds"]
    # When the residents' searches were answered by Elasticsearch again, after it answered.
    again = [
        row[5] - figures["back"]
        for row in recorder.rows
        if figures["back"] and row[5] >= figures["back"] and row[4] == "elasticsearch"
    ]
    back_again = min(again) if again else None
    print()
    print(f"killed: {figures['killed']}; /healthz said degraded while stopped: {'yes' if degraded else 'NO'}")
    print(f"cluster answered again {figures['restart_seconds']:.0f} s after the restart began")
    print(
        "changes made while stopped found in Elasticsearch "
        + (
            f"{catch_up:.1f} s after it answered"
            if catch_up is not None
            else f"NOT within {args.catch_up_limit:.0f} s"
        )
        + f" (search_index sync every {args.sync_every:.0f} s)"
    )
    print(
        "residents' searches answered by Elasticsearch again "
        + (f"{back_again:.0f} s after it answered" if back_again is not None else "NOT before the end")
    )
    for moment, code, output in cron_log[-4:]:
        print(
            f"  cron at +{moment - cron_log[0][0]:.0f} s: exit {code}: {shlex.quote(output.splitlines()[-1]) if output else ''}"
        )
    for measure, value in (
        ("restart", figures["restart_seconds"]),
        ("catch_up", catch_up),
        ("searches_back_on_elasticsearch", back_again),
    ):
        bench_json(
            listings=args.listings,
            database=database,
            measure=measure,
            value=None if value is None else round(value, 1),
            unit="s",
            sync_every=args.sync_every,
            load=round(load, 2),
        )
    print(f"load average {load:.2f}")
    ok = failures_total == 0 and degraded and catch_up is not None
    print("RESULT:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
