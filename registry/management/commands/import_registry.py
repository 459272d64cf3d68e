"""python manage.py import_registry FILE [--municipality UBIGEO_OR_PREFIX] [--dry-run] [--publish]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry.importexport.readers import max_rows
from registry.importexport.services import import_registry

from ._municipality import add_municipality_argument, required_municipality


class Command(BaseCommand):
    help = (
        "Import organizations from a CSV, XLSX or JSON file (columns in docs/import-export.md). "
        "Every row is applied, or none; the exit status is non-zero when the file is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish new rows as approved (an official list); default: drafts for review",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        add_municipality_argument(
            parser,
            help_text=(
                "the municipality whose registry takes the rows, by its INEI ubigeo (070103) or registry "
                "prefix (MCL); needed only when the installation has several"
            ),
        )

    def handle(self, *args, file: Path, dry_run: bool, publish: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        municipality = required_municipality(options["municipality"])
        data = file.read_bytes()
        quiet = options["verbosity"] == 0 or options["json"]
        bar = tqdm(total=max_rows(), unit="row", desc="validating", disable=quiet, file=self.stderr._out)

        def progress(done):
            bar.update(done - bar.n)

        report = import_registry(
            data=data,
            file_name=file.name,
            municipality=municipality,
            publish=publish,
            dry_run=dry_run,
            progress=progress,
        )
        bar.total = report.total or bar.n
        bar.update(bar.total - bar.n)
        bar.close()

        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._summary(report)
        if not report.ok:
            raise CommandError(f"{file.name}: refused, nothing was imported")

    def _summary(self, report):
        for message in report.file_errors:
            self.stderr.write(self.style.ERROR(message))
        for row in report.error_rows:
            for column, reason in row.errors:
                where = f"row {row.number}" + (f", {column}" if column else "")
                self.stderr.write(self.style.ERROR(f"{where}: {reason}"))
        counts = report.counts
        verb = "would import" if report.dry_run else ("imported" if report.applied else "refused")
        mode = "published as approved" if report.publish else "as drafts for review"
        self.stdout.write(
            f"{report.file_name}: {verb} {report.total} rows ({mode}): {counts['new']} new, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['error']} in error "
            f"in {report.seconds:.2f} s; registry of {report.municipality}"
        )
