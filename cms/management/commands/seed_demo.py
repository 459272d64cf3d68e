import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from cms.demo import build_site
from cms.models import HomePage
from registry.demo import create_listings
from registry.demo_applications import create_demo_applications
from registry.permissions import EDITORS, REGISTRARS, REVIEWERS, ensure_staff_groups
from search.indexing import rebuild

STAFF_EMAIL = "admin@example.com"


class Command(BaseCommand):
    help = "Build the demo site, staff groups, a staff account and N realistic listings (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--listings", type=int, default=60, help="How many published listings.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; same seed, same data.")
        parser.add_argument(
            "--only-if-empty", action="store_true", help="Do nothing when the site already exists."
        )

    def handle(self, *args, listings, seed, only_if_empty=False, **options):
        if only_if_empty and HomePage.objects.exists():
            self.stdout.write("The site already exists; seed_demo skipped.")
            return
        home = build_site()
        groups = ensure_staff_groups(root_page=home)
        self._staff_account(groups)
        created = create_listings(listings, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(f"Listings: {created} created, {listings - created} already there.")
        )
        self._after_listings()

    def _staff_account(self, groups):
        User = get_user_model()
        if User.objects.filter(email=STAFF_EMAIL).exists():
            self.stdout.write(f"Staff account {STAFF_EMAIL} already exists (password unchanged).")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username="admin", email=STAFF_EMAIL, password=password)
        user.groups.add(groups[REVIEWERS], groups[REGISTRARS], groups[EDITORS])
        EmailAddress.objects.get_or_create(
            user=user, email=STAFF_EMAIL, defaults={"verified": True, "primary": True}
        )
        self.stdout.write(
            self.style.WARNING(
                f"Staff account created. Log in at /admin/ as '{user.username}' with password: {password}\n"
                "This password is shown only once."
            )
        )

    def _after_listings(self):
        """Applications in every review state, then the directory's search index."""
        self.stdout.write(f"Applications in each review state: {create_demo_applications()} created.")
        self.stdout.write(f"Directory index: {rebuild()}")
