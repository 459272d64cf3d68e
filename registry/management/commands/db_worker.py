"""django-tasks' database worker (`python manage.py db_worker`), kept alive through a database
restart.

The library's worker stops at the first database error other than SQLite's "database is
locked": restarting PostgreSQL ended it (benchmarks/faults_postgres.py), and with it every task
the portal enqueues (index updates, notices) until someone started it again. This command takes
the library's name (`registry` comes before `django_tasks_db` in INSTALLED_APPS, so Django finds
it first) and the same options, runs the same worker, and when the database cannot be reached
waits and runs it again. The worker's loop keeps nothing between rounds but its options, so
starting it again loses nothing.

A task that was running when its worker died (the connection dropped mid-task, the process was
killed, the machine restarted) would stay "running" in the queue for ever: the library never
looks at it again. Before each round the worker puts such tasks back in the queue once they have
been running longer than `--requeue-after` seconds, far longer than any of the portal's tasks
take. Every task the portal enqueues can run twice without harm (indexing writes what the
registry holds; a notice is sent from its outbox row, which records that it went).
"""

import logging
import time
from datetime import timedelta

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# Seconds between attempts while the database is away.
RETRY_SECONDS = 2
# A task "running" for longer than this lost its worker (the portal's tasks take seconds).
REQUEUE_AFTER_SECONDS = 15 * 60


def requeue_abandoned(backend_name: str, older_than: timedelta, worker_id: str | None = None) -> int:
    """Put back in the queue the tasks of this backend that have been "running" for longer than
    `older_than`, and those this worker (one task at a time) was running when its connection
    dropped; return how many."""
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    cutoff = timezone.now() - older_than
    abandoned = [
        pk
        for pk, started_at, worker_ids in running.values_list("pk", "started_at", "worker_ids")
        if (started_at is not None and started_at < cutoff) or (worker_id and worker_ids[-1:] == [worker_id])
    ]
    return running.filter(pk__in=abandoned).update(status=TaskResultStatus.READY, started_at=None)


class Command(db_worker.Command):
    help = db_worker.Command.help + " (waiting through database restarts)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--requeue-after",
            type=int,
            default=REQUEUE_AFTER_SECONDS,
            help="Seconds after which a task still marked running lost its worker and is queued "
            "again (default: %(default)s).",
        )

    def handle(self, *args, **options):
        older_than = timedelta(seconds=options.pop("requeue_after"))
        while True:
            try:
                requeued = requeue_abandoned(options["backend_name"], older_than, options["worker_id"])
                if requeued:
                    logger.warning("Tasks left running by a worker that stopped, queued again: %d", requeued)
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                # Only the worker's own queries reach here (claiming a task, recording its
                # result): the tasks' own errors are recorded on the task by the library.
                logger.warning("Database unavailable, task worker waiting: %s", error)
                for connection in connections.all(initialized_only=True):
                    connection.close()
                time.sleep(RETRY_SECONDS)
                close_old_connections()
