from django.core.management.base import BaseCommand

from registry.services.retention import purge_expired_documents, redact_expired_notifications


class Command(BaseCommand):
    help = (
        "Delete documents of rejected and abandoned applications past their retention period, and "
        "redact the recipients of old notices."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = purge_expired_documents(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"Documents {verb}: {counts['rejected']} of rejected applications, "
            f"{counts['abandoned']} of abandoned drafts."
        )
        redacted = redact_expired_notifications(dry_run=dry_run)
        verb = "would be redacted" if dry_run else "redacted"
        self.stdout.write(f"Notices {verb} (recipient and error removed): {redacted}.")
