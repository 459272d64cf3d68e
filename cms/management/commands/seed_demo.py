import secrets
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from cms.demo import DEMO_OFFICES, build_demo_extras, build_site
from cms.models import DirectoryPage, HomePage
from cms.sites import municipal_site
from registry import notifications
from registry.demo import create_listings
from registry.demo_applications import create_demo_applications, demo_accounts
from registry.formalization import add_local_steps
from registry.models import District, Municipality, home_municipality
from registry.permissions import EDITORS, REGISTRARS, REVIEWERS
from search.indexing import rebuild

STAFF_EMAIL = "admin@example.com"
STAFF_USERNAME = "admin"
ROLE_NAMES = {None: "Applicant (public site)", REVIEWERS: REVIEWERS, REGISTRARS: REGISTRARS, EDITORS: EDITORS}
# The demo's two municipalities: (ubigeo, host name, registry prefix, colour). Lima Metropolitana
# is the home one (the default site, so 127.0.0.1 and localhost reach it too), taking
# registrations in the districts of Lima province; *.localhost host names resolve to the loopback
# in browsers, so both sites work with no set-up.
DEMO_MUNICIPALITIES = [
    ("150100", "lima.localhost", None, "#9b1b30"),
    ("070103", "carmen.localhost", "MCL", "#00677f"),
]
LIMA_PROVINCE = "1501"


class Command(BaseCommand):
    help = (
        "Build the demo: Lima Metropolitana and Carmen de la Legua Reynoso, each with its site, "
        "pages, staff groups, one account per role and realistic listings (idempotent); ends with "
        "the addresses to open and the accounts to log in with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--listings", type=int, default=60, help="How many published listings in all.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; same seed, same data.")
        parser.add_argument(
            "--only-if-empty", action="store_true", help="Do nothing when the demo sites already exist."
        )

    def handle(self, *args, listings, seed, only_if_empty=False, **options):
        if only_if_empty and self._built():
            self.stdout.write("The site already exists; seed_demo skipped.")
            self._summary(passwords={})
            return
        # The demo's review decisions would e-mail its fictitious people, and the development
        # console backend would print hundreds of lines above the summary.
        with notifications.silenced():
            passwords = self._seed(listings, seed)
        self._summary(passwords=passwords)

    @staticmethod
    def _built() -> bool:
        ubigeos = [ubigeo for ubigeo, *_rest in DEMO_MUNICIPALITIES]
        with_site = Municipality.objects.filter(ubigeo__in=ubigeos, site__isnull=False).count()
        return HomePage.objects.exists() and with_site == len(ubigeos)

    def _seed(self, listings, seed) -> dict[str, str]:
        lima = home_municipality()
        lima.districts.set(District.objects.filter(ubigeo__startswith=LIMA_PROVINCE))
        build_site()
        port = urlsplit(settings.SITE_URL).port or 80
        municipalities, groups = [], []
        for ubigeo, hostname, prefix, colour in DEMO_MUNICIPALITIES:
            result = municipal_site(ubigeo=ubigeo, hostname=hostname, port=port, prefix=prefix)
            municipality = result.municipality
            if not municipality.colour:
                municipality.colour = colour
                municipality.save(update_fields=["colour"])
            build_demo_extras(result.site, result.pages, DEMO_OFFICES.get(ubigeo))
            # Its own licence step (cost, time, office) in place of the national one, linked to
            # its guide now that its pages exist.
            add_local_steps(municipality)
            municipalities.append(municipality)
            groups += result.groups.values()
        passwords = self._staff_account(groups)
        # Lima Metropolitana, many districts, holds most listings; the others share a fifth.
        others = municipalities[1:]
        share = listings // 5 // max(len(others), 1) if others else 0
        created = create_listings(listings - share * len(others), seed=seed, municipality=municipalities[0])
        for municipality in others:
            created += create_listings(share, seed=seed, municipality=municipality)
        self.stdout.write(f"Listings: {created} created, {listings - created} already there.")
        self.stdout.write(f"Applications in each review state: {create_demo_applications()} created.")
        self.stdout.write(f"Directory index: {rebuild()}")
        passwords.update(self._demo_passwords())
        return passwords

    def _staff_account(self, groups) -> dict[str, str]:
        User = get_user_model()
        if User.objects.filter(email=STAFF_EMAIL).exists():
            return {}
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=STAFF_USERNAME, email=STAFF_EMAIL, password=password)
        user.groups.add(*groups)
        EmailAddress.objects.get_or_create(
            user=user, email=STAFF_EMAIL, defaults={"verified": True, "primary": True}
        )
        return {STAFF_EMAIL: password}

    def _demo_passwords(self) -> dict[str, str]:
        """A password for each demo account that has none yet (a password set since is kept)."""
        passwords = {}
        emails = [email for _u, email, _role, _m in demo_accounts()]
        for user in get_user_model().objects.filter(email__in=emails):
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            if not user.has_usable_password():
                passwords[user.email] = secrets.token_urlsafe(12)
                user.set_password(passwords[user.email])
                user.save(update_fields=["password"])
        return passwords

    def _summary(self, *, passwords: dict[str, str]) -> None:
        """The last lines before the development server starts: where to go and who to be.

        Passwords are stored hashed, so they show only on the run that created them."""
        base = settings.SITE_URL.rstrip("/")
        directory = DirectoryPage.objects.live().first()
        directory_path = directory.get_url_parts()[2] if directory else "/"
        addresses = [
            ("Public site", "/"),
            ("Directory", directory_path),
            ("Where to start", "/empezar/"),
            ("Staff admin", "/admin/"),
        ]
        sites = Municipality.objects.filter(site__isnull=False).select_related("site").order_by("pk")
        demo = demo_accounts()
        # The superuser and the applicant, then each municipality's staff under its name.
        accounts = [(None, "Superuser (all groups)", STAFF_USERNAME, STAFF_EMAIL)] + [
            (None if role is None else municipality, ROLE_NAMES[role], username, email)
            for username, email, role, municipality in sorted(
                demo, key=lambda account: account[2] is not None
            )
        ]
        existing = set(
            get_user_model()
            .objects.filter(email__in=[a[3] for a in accounts])
            .values_list("email", flat=True)
        )
        rule = "=" * 72
        lines = [rule, "The demo portal is ready. Open:"]
        lines += [f"  {label:<24}{base}{path}" for label, path in addresses]
        if len(sites) > 1:
            lines.append("Each municipality's own site (*.localhost needs no set-up in a browser):")
            lines += [f"  {m.short_name:<30}{m.site.root_url}/" for m in sites]
            default = next((m for m in sites if m.site.is_default_site), sites[0])
            lines.append(f"  ({base}/ is {default.short_name}'s; every page's footer links the other sites.)")
        lines.append("Log in with the e-mail address:")
        heading = object()
        for municipality, role, username, email in accounts:
            if email not in existing:
                continue
            if municipality is not None and heading != municipality.pk:
                heading = municipality.pk
                lines.append(f" {municipality.name}:")
            if email in passwords:
                secret = f"password: {passwords[email]}"
            else:
                secret = f"(password shown when created; new one: python manage.py changepassword {username})"
            lines.append(f"  {role:<24}{email:<34}{secret}")
        if passwords:
            lines.append("Passwords are shown only this once.")
        lines.append(rule)
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
