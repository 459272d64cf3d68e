"""python manage.py snapshot_open_data [--date YYYY-MM-DD] [--base-url URL]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from registry.importexport import snapshots


class Command(BaseCommand):
    help = (
        "Write today's open-data snapshot (CSV and HSDS JSON) to open-data/YYYY-MM-DD/ in the "
        "default storage; a day already written is left as it is. Run it once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="the day to write (default: today, in Lima)")
        parser.add_argument(
            "--base-url", default=None, help="site address for the listings' links (default SITE_URL)"
        )

    def handle(self, *args, date=None, base_url=None, **options):
        day = None
        if date:
            try:
                day = _parse(date)
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        snapshot = snapshots.write_snapshot(day=day, base_url=base_url)
        state = "written" if snapshot.written else "already there, left as it was"
        self.stdout.write(f"open-data/{snapshot.day:%Y-%m-%d}/: {state}")


def _parse(value: str) -> date:
    return date.fromisoformat(value)
