"""PostgreSQL restarted under load: requests during the restart fail cleanly, the portal recovers
by itself, no decision is lost.

gunicorn (2 workers) serves the portal from a PostgreSQL cluster of its own; 50 residents search
the directory and the API (benchmarks/locustfile.py, as in the load test) while two members of
staff approve applications through the admin, as people do: log in, press "Approve", and when
the portal answers 503, wait a moment and press it again. A task worker (django-tasks' database
backend) runs the tasks the approvals enqueue, and `deliver_notifications` runs every few
seconds as cron would. Some seconds in, the cluster is restarted (`pg_ctlcluster … restart -m
fast`: every connection is cut, new ones are refused while it is down or starting up).

It measures the requests by status (503 expected while the database is away, never a 500), how
long the portal answered 503 and how long after PostgreSQL was back it served again, and checks
every decision in the database afterwards: an approval the portal answered as done must be
there, approved, with its own registry number, a published revision and the notice to the
applicant; nothing may be half-written (approved without a number, a number without approval,
a finished workflow on an unapproved record, an approval in the audit log twice). The run
passes with no 500, no lost decision, nothing half-written and the worker still alive.

    python benchmarks/faults_postgres.py [--users 50] [--seconds 60] [--restart-at 20]
        [--listings 2000] [--applications 30]

The cluster is never the shared one: PG_FAULTS_URL names the database (default
postgres://portal:portal@127.0.0.1:5440/portal_faults, dropped and created again) and
PG_FAULTS_CLUSTER the cluster to restart (default 15/faults, the newest installed version);
`bash .ci/services.sh postgres-faults` creates and starts it (`make loadtest` does).
"""

import argparse
import csv
import html
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_test  # the load test's set-up: environment, applications)
import serving  # the portal under gunicorn, the locust residents

ROOT = load_test.ROOT
PORT = int(os.environ.get("PG_FAULTS_HTTP_PORT", "8791"))
BASE = f"http://127.0.0.1:{PORT}"
DEFAULT_URL = "postgres://portal:portal@127.0.0.1:5440/portal_faults"
STAFF_PASSWORD = "carga-faults-2026"  # noqa: S105 (throw-away accounts of a throw-away database)


def default_cluster() -> str:
    versions = sorted(
        Path("/usr/lib/postgresql").iterdir(), key=lambda p: [int(x) for x in p.name.split(".")]
    )
    return f"{versions[-1].name}/faults"


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def prepare(args):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", listings=args.listings, seed=11, verbosity=0, stdout=io.StringIO())
    ids = load_test.create_submitted_applications(args.applications)
    staff = {}
    for username, group in (("revisora-fallas", "Revisores"), ("registrador-fallas", "Registradores")):
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.org", password=STAFF_PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        staff[group] = username
    return ids, staff


# ----- the staff, through the admin ------------------------------------------------------------


class Staff:
    """A member of staff in the admin: every answer is recorded (time, status)."""

    def __init__(self, username, answers):
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "es"
        self.username = username
        self.answers = answers

    def _send(self, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = self.session.request(method, BASE + path, timeout=30, allow_redirects=False, **kwargs)
            status = response.status_code
        except requests.RequestException as error:
            response, status = None, type(error).__name__
        self.answers.append((started, status))
        return response, status

    def log_in(self, *, deadline):
        status = None
        while time.monotonic() < deadline:
            self._send("GET", "/admin/login/")
            _, status = self._send(
                "POST",
                "/admin/login/",
                data={
                    "username": self.username,
                    "password": STAFF_PASSWORD,
                    "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
                    "next": "/admin/",
                },
                headers={"Referer": BASE + "/admin/login/"},
            )
            if status == 302:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.username} could not log in: {status}")

    def approve(self, pk, *, deadline):
        """Press "Approve" until the portal answers; then read the message the page shows.
        Returns ("answered", the page that follows) or ("gave up", the last status)."""
        status = None
        while time.monotonic() < deadline:
            _, status = self._send(
                "POST",
                f"/admin/registry/review/{pk}/approve/",
                data={"comment": "", "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")},
                headers={"Referer": f"{BASE}/admin/registry/review/{pk}/"},
            )
            if status == 302:
                return "answered", self.read_message(pk, deadline=deadline)
            time.sleep(0.5)  # a person presses again a moment later (Retry-After asks for more)
        return "gave up", status

    def read_message(self, pk, *, deadline):
        while time.monotonic() < deadline:
            response, status = self._send("GET", f"/admin/registry/review/{pk}/")
            if status == 200:
                return html.unescape(response.text)
            time.sleep(0.5)
        return ""


def approve_during_run(ids, staff, outcome, *, seconds, answers):
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("es"):
        next_step = gettext("Approved; the application moves to the next step.")
        registered = gettext("Approved: %(name)s is registered as %(number)s and listed in the directory.")
    registered = re.compile(
        re.escape(registered).replace(re.escape("%(name)s"), ".+?").replace(re.escape("%(number)s"), r"(\S+)")
    )
    reviewer, registrar = Staff(staff["Revisores"], answers), Staff(staff["Registradores"], answers)
    # New approvals start while the residents search; one under way is pressed again until the
    # portal answers (or for two minutes more). On a loaded machine fewer than all get their turn.
    run_end = time.monotonic() + seconds
    end = run_end + 120
    reviewer.log_in(deadline=end)
    registrar.log_in(deadline=end)
    pause = max(seconds * 0.8 / max(len(ids), 1), 0.05)
    for pk in ids:
        if time.monotonic() > run_end:
            break
        outcome["tried"] += 1
        state, page = reviewer.approve(pk, deadline=end)
        if state != "answered" or (next_step not in page and _message(page)):
            outcome["refused"].append((pk, "reviewer", state, _message(page)))
            continue
        state, page = registrar.approve(pk, deadline=end)
        match = registered.search(page) if state == "answered" else None
        if match:
            outcome["answered"][pk] = match.group(1).rstrip(".")
        elif state == "answered" and not _message(page):
            # Answered 302, but the page that shows the message failed once (503) after reading
            # it: the decision may be done, the person was not told. Checked as written, not
            # counted as answered.
            outcome["unconfirmed"].append(pk)
        else:
            outcome["refused"].append((pk, "registrar", state, _message(page)))
        time.sleep(pause)


def _message(page):
    """The admin's error or warning message on `page`, as text."""
    found = re.search(r'<li class="(?:error|warning)"[^>]*>(.*?)</li>', page or "", re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


# ----- the probes -------------------------------------------------------------------------------


def probe_health(samples, stop):
    """/healthz every 100 ms: when the portal stopped and started answering."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            status = requests.get(BASE + "/healthz", timeout=60).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        samples.append((started, status))
        time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))


def cron(outcome, stop):
    """`deliver_notifications` every 2 seconds, as cron runs it every minute: each run on a
    connection of its own, closed afterwards as a process's would be; a run that fails is
    recorded with its error, and the next one runs anyway."""
    from django.core.management import call_command
    from django.db import connection

    while not stop.is_set():
        started = time.monotonic()
        try:
            call_command("deliver_notifications", stdout=io.StringIO())
            outcome["runs"].append((started, "ok"))
        except Exception as error:  # what cron would mail to the operator
            outcome["runs"].append((started, type(error).__name__))
        finally:
            connection.close()
        stop.wait(2)


def probe_postgres(url, samples, stop):
    """A new connection to PostgreSQL every 50 ms: when it refused them and accepted them again."""
    import psycopg

    while not stop.is_set():
        started = time.monotonic()
        try:
            psycopg.connect(url, connect_timeout=2).close()
            samples.append((started, 200))
        except psycopg.Error as error:
            samples.append((started, type(error).__name__))
        time.sleep(max(0.0, 0.05 - (time.monotonic() - started)))


def restart_postgres(cluster, timings):
    version, name = cluster.split("/")
    timings["restart_started"] = time.monotonic()
    subprocess.run(["pg_ctlcluster", version, name, "restart", "-m", "fast"], check=True)
    timings["restart_returned"] = time.monotonic()


# ----- the run ----------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--restart-at", type=float, default=20)
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--applications", type=int, default=30)
    args = parser.parse_args()

    url = os.environ.get("PG_FAULTS_URL", DEFAULT_URL)
    cluster = os.environ.get("PG_FAULTS_CLUSTER") or default_cluster()
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    load_test.setup_environment(args)
    os.environ["LOG_LEVEL"] = "ERROR"  # the 503s log a warning each; the counts are below
    started = time.time()
    ids, staff = prepare(args)
    print(
        f"prepared {args.listings} listings and {len(ids)} submitted applications in {time.time() - started:.0f} s"
    )
    print(f"database {url} on cluster {cluster}; restart at {args.restart_at:.0f} s of {args.seconds} s")

    from django.db import connections

    connections.close_all()
    # The portal and the worker queue tasks in the database, as in production; the set-up
    # above ran its own at once.
    env = {**os.environ, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    os.environ["TASKS_BACKEND"] = env["TASKS_BACKEND"]  # for the report's reading of the queue
    worker_log = ROOT / "var" / "faults-postgres-worker.log"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=worker_log.open("w"),
    )
    stop = threading.Event()
    health, postgres, staff_answers, timings = [], [], [], {}
    outcome = {"answered": {}, "unconfirmed": [], "refused": [], "runs": [], "tried": 0}
    stats_prefix = ROOT / "var" / "faults-postgres"
    try:
        with serving.gunicorn(PORT, env):
            threads = [
                threading.Thread(target=probe_health, args=(health, stop), daemon=True),
                threading.Thread(target=cron, args=(outcome, stop), daemon=True),
                threading.Thread(target=probe_postgres, args=(url, postgres, stop), daemon=True),
            ]
            approver = threading.Thread(
                target=approve_during_run,
                args=(ids, staff, outcome),
                kwargs={"seconds": args.seconds, "answers": staff_answers},
            )
            locust = subprocess.Popen(
                serving.locust_command(args.users, args.seconds, BASE, stats_prefix),
                cwd=ROOT,
                stderr=subprocess.DEVNULL,
            )
            for thread in threads:
                thread.start()
            approver.start()
            time.sleep(args.restart_at)
            restart_postgres(cluster, timings)
            locust.wait(timeout=args.seconds + 120)
            approver.join(timeout=180)
            time.sleep(5)  # the worker and cron catch up
            stop.set()
    finally:
        stop.set()
        worker_alive = worker.poll() is None
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        worker_errors = worker_log.read_text(encoding="utf-8", errors="replace")
    return report(
        args,
        ids,
        outcome,
        stats_prefix,
        health,
        postgres,
        staff_answers,
        timings,
        worker_alive,
        worker_errors,
    )


def _statuses_from_locust(stats_prefix):
    rows = list(csv.DictReader(open(f"{stats_prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests_count, failures = int(total["Request Count"]), int(total["Failure Count"])
    by_status = Counter()
    for row in csv.DictReader(open(f"{stats_prefix}_failures.csv", encoding="utf-8")):  # noqa: SIM115
        found = re.search(
            r"\b([1-5]\d\d)\b (?:Server|Client) Error|CatchResponseError\('.*?(\d{3})", row["Error"]
        )
        key = next((group for group in found.groups() if group), "?") if found else row["Error"][:40]
        by_status[key] += int(row["Occurrences"])
    by_status["2xx/3xx/404"] = requests_count - failures
    return requests_count, failures, by_status, rows


def _window(samples, after, failed=lambda status: status != 200):
    """(first failure at or after `after`, first 200 after the last failure) among (time,
    status) samples."""
    failures = [t for t, status in samples if t >= after and failed(status)]
    if not failures:
        return None, None
    up = next((t for t, status in samples if t > failures[-1] and status == 200), None)
    return failures[0], up


def check_decisions(ids, answered):
    """Every decision against the database: lost ones and half-written ones."""
    from django.db.models import Count
    from wagtail.models import ModelLogEntry, WorkflowState

    from registry.models import ApplicationStatus, Notification, Organization
    from registry.services import review

    lost, half = [], []
    approvals = dict(
        ModelLogEntry.objects.filter(action=review.APPROVE, object_id__in=[str(pk) for pk in ids])
        .values_list("object_id")
        .annotate(n=Count("id"))
    )
    notices = set(
        Notification.objects.filter(organization_id__in=ids, event="approved").values_list(
            "organization_id", flat=True
        )
    )
    numbers = Counter()
    for organization in Organization.objects.filter(pk__in=ids):
        pk, approved = organization.pk, organization.status == ApplicationStatus.APPROVED
        if organization.registry_number:
            numbers[organization.registry_number] += 1
        if pk in answered and (not approved or organization.registry_number != answered[pk]):
            lost.append(
                f"{pk}: answered {answered[pk]}, database {organization.status} {organization.registry_number!r}"
            )
        problems = []
        if approved != bool(organization.registry_number):
            problems.append("status and registry number disagree")
        if approved and not (organization.live and organization.live_revision_id):
            problems.append("approved but no published revision")
        workflow_open = WorkflowState.objects.for_instance(organization).filter(status="in_progress").exists()
        if approved == workflow_open:
            problems.append("workflow state disagrees with the status")
        if approvals.get(str(pk), 0) != int(approved):
            problems.append(f"{approvals.get(str(pk), 0)} approvals in the audit log")
        if approved != (pk in notices):
            problems.append("notice to the applicant missing or without approval")
        if problems:
            half.append(f"{pk}: " + "; ".join(problems))
    shared = [number for number, count in numbers.items() if count > 1]
    return lost, half, shared


def report(
    args, ids, outcome, stats_prefix, health, postgres, staff_answers, timings, worker_alive, worker_errors
):
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from registry.models import Notification

    load = os.getloadavg()
    requests_count, failures, by_status, rows = _statuses_from_locust(stats_prefix)
    staff_status = Counter(str(status) for _, status in staff_answers)
    for status, count in staff_status.items():
        by_status[f"staff {status}"] += count
    restart = timings["restart_started"]
    # The portal's failures are its 503s (and refused connections); a probe that waited long on
    # a busy server is not one.
    probes = sorted(health + staff_answers, key=lambda sample: sample[0])
    down, up = _window(probes, restart - 1, lambda status: status == 503 or status == "ConnectionError")
    recovered = bool(health) and health[-1][1] == 200
    _, pg_up = _window(postgres, restart - 1)
    restart_seconds = (pg_up - restart) if pg_up else timings["restart_returned"] - restart
    recovered_after = (up - pg_up) if up and pg_up else None
    lost, half, shared = check_decisions(ids, outcome["answered"])
    cron_runs = outcome["runs"]
    cron_failed = [run for run in cron_runs if run[1] != "ok"]
    tasks = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
    notices = dict(Notification.objects.values_list("state").annotate(n=Count("id")))
    errors_500 = sum(count for status, count in by_status.items() if status.endswith("500"))

    print()
    print(f"{'endpoint':30} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for row in rows:
        print(
            f"{row['Name'][:30]:30} {row['Request Count']:>9} {row['Failure Count']:>9} "
            f"{float(row['Requests/s']):8.1f} {row['50%']:>7} {row['95%']:>7}"
        )
    print()
    print(f"answers by status: {dict(sorted(by_status.items()))}")
    print(
        f"PostgreSQL refused connections for {restart_seconds:.1f} s (pg_ctlcluster returned after "
        f"{timings['restart_returned'] - restart:.1f} s)"
    )
    if down:
        print(
            f"the probes (/healthz every 100 ms, the staff) got 503s from {down - restart:+.1f} s to "
            f"{(up - restart) if up else float('nan'):+.1f} s after the restart began (by when each request "
            f"was sent); served again {recovered_after if recovered_after is not None else float('nan'):+.2f} s "
            f"after PostgreSQL accepted connections"
        )
    else:
        print(
            "the probes (/healthz every 100 ms, the staff) got no 503: their requests waited out the restart"
        )
    print(
        f"/healthz answers: {dict(Counter(str(status) for _, status in health))}; last: {health[-1][1] if health else None}"
    )
    print(
        f"decisions: {len(outcome['answered'])} approvals answered as done of {outcome['tried']} tried "
        f"({len(ids)} waiting), "
        f"{len(lost)} lost, {len(half)} half-written, {len(shared)} registry numbers shared, "
        f"{len(outcome['unconfirmed'])} done but the page saying so failed, {len(outcome['refused'])} not done"
    )
    for line in (lost + half + [str(r) for r in outcome["refused"]])[:10]:
        print("  ", line)
    print(
        f"task worker: {'alive' if worker_alive else 'exited'} after the restart; tasks by status {tasks}; "
        f"notices by state {notices}"
    )
    if not worker_alive:
        print("   worker's last error:", (worker_errors.strip().splitlines() or [""])[-1][:200])
    print(
        f"deliver_notifications: {len(cron_runs)} runs, {len(cron_failed)} failed "
        f"({', '.join(sorted({run[1] for run in cron_failed}))}); the first run after the restart "
        f"{next((run[1] for run in cron_runs if pg_up and run[0] > pg_up), 'did not happen')}"
    )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    common = {
        "bench": "faults_postgres",
        "listings": args.listings,
        "database": "postgresql",
        "load": round(load[0], 2),
    }
    figures = [
        ("requests", requests_count + sum(staff_status.values()), "requests"),
        (
            "failed requests",
            failures + sum(c for s, c in staff_status.items() if s not in {"200", "302"}),
            "requests",
        ),
        ("503 answers", sum(c for s, c in by_status.items() if s.endswith("503")), "requests"),
        ("500 answers", errors_500, "requests"),
        ("postgresql refusing connections", round(restart_seconds, 2), "s"),
        ("portal unavailable", round(up - down, 2) if down and up else None, "s"),
        (
            "recovery after postgresql is back",
            round(recovered_after, 2) if recovered_after is not None else None,
            "s",
        ),
        ("decisions answered", len(outcome["answered"]), "decisions"),
        ("lost decisions", len(lost), "decisions"),
        ("half-written decisions", len(half), "decisions"),
        ("failed cron runs", len(cron_failed), "runs"),
    ]
    for measure, value, unit in figures:
        print("BENCH_JSON " + json.dumps({**common, "measure": measure, "value": value, "unit": unit}))
    print(
        "BENCH_JSON "
        + json.dumps({**common, "measure": "answers by status", "value": dict(by_status), "unit": "requests"})
    )
    ok = (
        errors_500 == 0
        and not lost
        and not half
        and not shared
        and not outcome["refused"]
        and len(outcome["answered"]) + len(outcome["unconfirmed"]) == outcome["tried"] > 0
        and recovered
        and worker_alive
    )
    print("RESULT:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
