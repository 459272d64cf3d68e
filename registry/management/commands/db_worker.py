"""django-tasks' database worker (`python manage.py db_worker`), kept alive through a database
restart.

The library's worker stops at the first database error other than SQLite's "database is
locked": restarting PostgreSQL ended it (benchmarks/faults_postgres.py), and with it every task
the portal enqueues (index updates, notices) until someone started it again. This command takes
the library's name (`registry` comes before `django_tasks_db` in INSTALLED_APPS, so Django finds
it first) and the same options, runs the same worker, and when the database cannot be reached
waits and runs it again. The worker's loop keeps nothing between rounds but its options, so
starting it again loses nothing; a task that was running when the connection dropped stays
"running" in the queue (its work is caught up by `deliver_notifications` and `search_index
update`, which the README asks operators to schedule).
"""

import logging
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)

# Seconds between attempts while the database is away.
RETRY_SECONDS = 2


class Command(db_worker.Command):
    help = db_worker.Command.help + " (waiting through database restarts)"

    def handle(self, *args, **options):
        while True:
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                # Only the worker's own queries reach here (claiming a task, recording its
                # result): the tasks' own errors are recorded on the task by the library.
                logger.warning("Database unavailable, task worker waiting: %s", error)
                for connection in connections.all(initialized_only=True):
                    connection.close()
                time.sleep(RETRY_SECONDS)
                close_old_connections()
