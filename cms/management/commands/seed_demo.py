import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from cms.demo import build_site
from cms.models import DirectoryPage, HomePage
from registry import notifications
from registry.demo import create_listings
from registry.demo_applications import DEMO_ACCOUNTS, create_demo_applications
from registry.permissions import EDITORS, REGISTRARS, REVIEWERS, ensure_staff_groups
from search.indexing import rebuild

STAFF_EMAIL = "admin@example.com"
STAFF_USERNAME = "admin"
ROLE_NAMES = {None: "Applicant (public site)", REVIEWERS: REVIEWERS, REGISTRARS: REGISTRARS, EDITORS: EDITORS}


class Command(BaseCommand):
    help = (
        "Build the demo site, staff groups, one account per role and N realistic listings "
        "(idempotent); ends with the addresses to open and the accounts to log in with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--listings", type=int, default=60, help="How many published listings.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; same seed, same data.")
        parser.add_argument(
            "--only-if-empty", action="store_true", help="Do nothing when the site already exists."
        )

    def handle(self, *args, listings, seed, only_if_empty=False, **options):
        if only_if_empty and HomePage.objects.exists():
            self.stdout.write("The site already exists; seed_demo skipped.")
            self._summary(passwords={})
            return
        # The demo's review decisions would e-mail its fictitious people, and the development
        # console backend would print hundreds of lines above the summary.
        with notifications.silenced():
            passwords = self._seed(listings, seed)
        self._summary(passwords=passwords)

    def _seed(self, listings, seed) -> dict[str, str]:
        home = build_site()
        groups = ensure_staff_groups(root_page=home)
        passwords = self._staff_account(groups)
        created = create_listings(listings, seed=seed)
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
        user.groups.add(groups[REVIEWERS], groups[REGISTRARS], groups[EDITORS])
        EmailAddress.objects.get_or_create(
            user=user, email=STAFF_EMAIL, defaults={"verified": True, "primary": True}
        )
        return {STAFF_EMAIL: password}

    def _demo_passwords(self) -> dict[str, str]:
        """A password for each demo account that has none yet (a password set since is kept)."""
        passwords = {}
        for user in get_user_model().objects.filter(email__in=[email for _u, email, _g in DEMO_ACCOUNTS]):
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
        accounts = [("Superuser (all groups)", STAFF_USERNAME, STAFF_EMAIL)] + [
            (ROLE_NAMES[group], username, email) for username, email, group in DEMO_ACCOUNTS
        ]
        existing = set(
            get_user_model()
            .objects.filter(email__in=[a[2] for a in accounts])
            .values_list("email", flat=True)
        )
        rule = "=" * 72
        lines = [rule, "The demo portal is ready. Open:"]
        lines += [f"  {label:<24}{base}{path}" for label, path in addresses]
        lines.append("Log in with the e-mail address:")
        for role, username, email in accounts:
            if email not in existing:
                continue
            if email in passwords:
                secret = f"password: {passwords[email]}"
            else:
                secret = f"(password shown when created; new one: python manage.py changepassword {username})"
            lines.append(f"  {role:<24}{email:<26}{secret}")
        if passwords:
            lines.append("Passwords are shown only this once.")
        lines.append(rule)
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
