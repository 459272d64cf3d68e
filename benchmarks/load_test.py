"""Load test: 50 residents on the directory and the API for 60 s (locust, headless, loopback),
served by gunicorn with 2 workers, while staff approve applications at the same time.

It passes when no request failed and no decision was lost: every application approved during
the run ends approved, with a registry number of its own.

    python benchmarks/load_test.py [--users 50] [--seconds 60] [--listings 2000] [--applications 40]

Uses a fresh SQLite file under var/ unless DATABASE_URL is set (use PostgreSQL for figures that
mean something in production).
"""

import argparse
import csv
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import serving  # the portal under gunicorn, the locust residents

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765


def setup_environment(args):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DIRECTORY_API_RATE": "1000000/m",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    serving.scratch_sqlite("loadtest")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(args):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", listings=args.listings, seed=11, verbosity=0)
    return create_submitted_applications(args.applications)


def create_submitted_applications(count):
    from django.contrib.auth import get_user_model

    from registry.formalization import ensure_organization_steps
    from registry.models import District, Organization, OrganizationMembership, Person, Sector
    from registry.services import review
    from registry.services.applications import record_consent

    applicant, _ = get_user_model().objects.get_or_create(
        username="carga", defaults={"email": "carga@example.org"}
    )
    sector, district = Sector.objects.first(), District.objects.get(code="callao")
    ids = []
    for i in range(count):
        organization = Organization.objects.create(
            kind="business",
            legal_form="informal",
            name=f"Solicitud de carga {i}",
            sector=sector,
            district=district,
            short_description="Prueba de carga",
            phone="987654321",
        )
        OrganizationMembership.objects.create(organization=organization, user=applicant, role="owner")
        Person.objects.create(organization=organization, full_name=f"Persona {i}", document_type="none")
        ensure_organization_steps(organization)
        record_consent(organization=organization, user=applicant)
        review.submit_application(organization=organization, user=applicant)
        ids.append(organization.pk)
    return ids


def approve_during_run(ids, seconds, outcome):
    """Two staff members approving one application after another while the load runs."""
    from django.contrib.auth.models import Group

    from registry.models import Organization
    from registry.services import review

    reviewer = Group.objects.get(name="Revisores").user_set.first()
    registrar = Group.objects.get(name="Registradores").user_set.exclude(is_superuser=True).first()
    pause = max(seconds * 0.8 / max(len(ids), 1), 0.05)
    for pk in ids:
        try:
            organization = Organization.objects.get(pk=pk)
            review.approve(organization=organization, user=reviewer)
            review.approve(organization=Organization.objects.get(pk=pk), user=registrar)
            outcome["approved"] += 1
        except Exception as error:  # counted and reported: a lost decision fails the run
            outcome["errors"].append(f"{pk}: {error!r}")
        time.sleep(pause)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--applications", type=int, default=40)
    args = parser.parse_args()
    setup_environment(args)
    started = time.time()
    ids = prepare(args)
    print(
        f"prepared {args.listings} listings and {len(ids)} submitted applications in {time.time() - started:.0f} s"
    )

    from django.db import connections

    connections.close_all()
    with serving.gunicorn(PORT, os.environ.copy()):
        outcome = {"approved": 0, "errors": []}
        approver = threading.Thread(target=approve_during_run, args=(ids, args.seconds, outcome))
        stats_prefix = ROOT / "var" / "loadtest"
        locust = subprocess.Popen(
            serving.locust_command(args.users, args.seconds, f"http://127.0.0.1:{PORT}", stats_prefix),
            cwd=ROOT,
        )
        approver.start()
        locust.wait(timeout=args.seconds + 120)
        approver.join(timeout=120)
    return report(ids, outcome, stats_prefix)


def report(ids, outcome, stats_prefix):
    from registry.models import Organization

    approved = Organization.objects.filter(pk__in=ids, status="approved")
    numbers = list(approved.values_list("registry_number", flat=True))
    lost = len(ids) - approved.count()
    rows = list(csv.DictReader(open(f"{stats_prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    print()
    print(f"{'endpoint':30} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    failures = 0
    for row in rows:
        failures += int(row["Failure Count"]) if row["Name"] == "Aggregated" else 0
        print(
            f"{row['Name'][:30]:30} {row['Request Count']:>9} {row['Failure Count']:>9} "
            f"{float(row['Requests/s']):8.1f} {row['50%']:>7} {row['95%']:>7}"
        )
    print()
    print(
        f"decisions: {outcome['approved']} applications approved during the load, {lost} lost, "
        f"{len(set(numbers))} distinct registry numbers for {len(numbers)} approved"
    )
    for error in outcome["errors"][:10]:
        print("  error:", error)
    ok = failures == 0 and lost == 0 and len(set(numbers)) == len(numbers) and not outcome["errors"]
    print("RESULT:", "pass" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
