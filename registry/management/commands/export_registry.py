"""python manage.py export_registry --format csv|xlsx|json [--output FILE] [--municipality UBIGEO_OR_PREFIX]

Without ``--municipality`` the export covers every municipality's registry (the command runs as
the installation, which holds them all); with it, that municipality's only. Staff exporting from
the admin get the municipalities they serve."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry.importexport.services import EXPORT_FORMATS, export_queryset, export_registry, export_resource

from ._municipality import add_municipality_argument, optional_municipality


class Command(BaseCommand):
    help = "Export the registry in the import's columns (the file imports back unchanged)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
        parser.add_argument("--output", help="file to write; default: standard output")
        parser.add_argument("--status", default="", help="only this registration status (approved, draft, …)")
        parser.add_argument("--sector", default="", help="only this sector code")
        parser.add_argument("--district", default="", help="only this district code")
        add_municipality_argument(
            parser,
            help_text=(
                "only this municipality's registry, by its INEI ubigeo (070103) or registry prefix (MCL); "
                "default: every municipality"
            ),
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--public", action="store_true", help="published listings and public fields only (open data)"
        )
        group.add_argument(
            "--private",
            action="store_true",
            help="add the registration data and the representative's private data",
        )

    def handle(self, *args, **options):
        fmt = options["format"]
        output = options["output"]
        if fmt == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE")
        municipality = optional_municipality(options["municipality"])
        resource = export_resource(public=options["public"], private=options["private"])
        queryset = export_queryset(
            status=options["status"],
            sector=options["sector"],
            district=options["district"],
            published_only=options["public"],
        )
        if municipality is not None:
            queryset = queryset.filter(municipality=municipality)
        total = queryset.count()
        bar = tqdm(total=total, unit="row", desc="exporting", disable=options["verbosity"] == 0 or not output)
        rows = resource.iter_export_rows

        def counted(queryset_, native=False):
            for row in rows(queryset_, native=native):
                bar.update()
                yield row

        resource.iter_export_rows = counted
        started = time.perf_counter()
        if output:
            with open(output, "wb") as target:
                count = export_registry(fmt=fmt, queryset=queryset, resource=resource, target=target)
        else:
            count = export_registry(fmt=fmt, queryset=queryset, resource=resource, target=sys.stdout.buffer)
        bar.close()
        if output:
            self.stdout.write(f"{output}: {count} rows ({fmt}) in {time.perf_counter() - started:.2f} s")
