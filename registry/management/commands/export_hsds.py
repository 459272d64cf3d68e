"""python manage.py export_hsds [--output FILE] [--base-url URL]"""

import sys

from django.core.management.base import BaseCommand

from registry.importexport import hsds


class Command(BaseCommand):
    help = "Write the published directory as Open Referral HSDS 3 JSON (public fields only)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write; default: standard output")
        parser.add_argument(
            "--base-url", default=None, help="site address for the listings' links (default SITE_URL)"
        )

    def handle(self, *args, output=None, base_url=None, **options):
        if output:
            with open(output, "wb") as target:
                count = hsds.write(target, base_url=base_url)
            self.stdout.write(f"{output}: {count} organizations (HSDS {hsds.HSDS_VERSION})")
        else:
            hsds.write(sys.stdout.buffer, base_url=base_url)
