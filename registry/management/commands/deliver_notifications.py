from django.core.management.base import BaseCommand

from registry.notifications import deliver_due


class Command(BaseCommand):
    help = (
        "Send the notifications whose time has come: new ones a task queue missed and retries "
        "(run every minute)."
    )

    def handle(self, *args, **options):
        counts = deliver_due()
        self.stdout.write(
            "Sent: {sent}; to retry: {retrying}; failed: {failed}; interrupted: {interrupted}.".format(
                **counts
            )
        )
