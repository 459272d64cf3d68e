from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cms.sites import SiteConflict, municipal_site, split_host
from registry.services.municipalities import UnknownUbigeo


class Command(BaseCommand):
    help = (
        "Add a municipality to the installation: its registry (prefix, staff groups, review "
        "workflow) and its own site at a host name, with the pages every site starts with. "
        "Idempotent: run again, it completes what is missing and changes nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ubigeo", required=True, help="INEI code: 070103 a district, 150100 a province."
        )
        parser.add_argument(
            "--host", required=True, help="Host name its site answers to, e.g. carmen.example.gob.pe[:port]."
        )
        parser.add_argument("--port", type=int, help="Port of the site (default 80, or the one in --host).")
        parser.add_argument("--prefix", help="Registry number prefix (default M and the ubigeo).")
        parser.add_argument("--name", help="Full name, when the one from the ubigeo is not right.")
        parser.add_argument("--short-name", help="Name as residents say it, e.g. “Carmen de la Legua”.")

    def handle(self, *args, ubigeo, host, port=None, prefix=None, name=None, short_name=None, **options):
        overrides = {key: value for key, value in (("name", name), ("short_name", short_name)) if value}
        try:
            hostname, port = split_host(host, port)
            result = municipal_site(ubigeo=ubigeo, hostname=hostname, port=port, prefix=prefix, **overrides)
        except (UnknownUbigeo, SiteConflict) as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        municipality, site = result.municipality, result.site
        if result.changes:
            for change in result.changes:
                self.stdout.write(f"  {change}")
        else:
            self.stdout.write(f"{municipality.name} and its site exist already: nothing changed.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{municipality.name} ({municipality.ubigeo}, prefix {municipality.registry_prefix}): "
                f"{site.root_url}/"
            )
        )
        self.stdout.write("Add its staff to these groups (Settings → Users in the admin):")
        for group in result.groups.values():
            self.stdout.write(f"  {group.name}")
        self.stdout.write(
            f"Its office details (address, phone, hours) are under Settings → Office details, on site {site}."
        )
