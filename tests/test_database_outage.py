"""The database goes away: a 503 with the error page (JSON under /api/), nothing half-written,
and the next request served again (config/outage.py).

The PostgreSQL tests drop real connections: `pg_terminate_backend()` of the request's own
backend from another connection (what a restart or a failover does to every connection), and a
connection pointed at a closed port (what a server that is down does). The requests go through
Django's own WSGI handler, as under gunicorn, so the handler's signals close a broken connection
and check a kept one as they do in production (the test client switches both off).
"""

import io
import json
import socket
import sqlite3
import threading
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection
from django.db import utils as db_utils
from django.test import Client, RequestFactory
from wagtail.models import ModelLogEntry, Revision

from config.outage import is_database_outage, outage_response, service_unavailable
from registry.models import ApplicationStatus, Notification, Organization, RegistryCounter
from registry.services import review
from search.models import DirectoryEntry

from .registry import test_review_support as support

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="drops real PostgreSQL connections; set DATABASE_URL to PostgreSQL to run",
)
# Each test kills connections, so none may run inside the test's own transaction.
real_transactions = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# ----- the answer itself (every database) -------------------------------------------------------


def test_the_503_page_is_in_spanish_with_a_way_forward_and_needs_no_database(db, django_assert_num_queries):
    request = RequestFactory().get("/directorio/?q=arepas", HTTP_ACCEPT_LANGUAGE="es")
    with django_assert_num_queries(0):
        response = service_unavailable(request)
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "no-store" in response["Cache-Control"]
    assert '<html lang="es">' in html and 'class="site-header"' in html
    assert "<h1>El sitio se está reiniciando</h1>" in html
    assert 'href="/directorio/?q=arepas"' in html  # try again
    assert 'href="/verify/"' in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_a_form_sent_during_the_outage_is_told_to_send_it_again(db):
    response = service_unavailable(RequestFactory().post("/empezar/", HTTP_ACCEPT_LANGUAGE="es"))
    html = response.content.decode()
    assert "no se guardó" in html
    assert "Intentar de nuevo" not in html  # a link would not send the form again


def test_the_api_gets_a_json_503(db):
    response = service_unavailable(RequestFactory().get("/api/v1/directory/?q="))
    body = json.loads(response.content)
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert body["detail"] and body["retry_after"] == int(response["Retry-After"])


def test_messages_shown_by_a_page_that_then_failed_are_kept_for_the_next(db):
    """ "Approved: … is registered as …" read by a page whose database then went away is shown
    again on the next page, not lost with the 503."""
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage

    request = RequestFactory().get("/admin/registry/review/1/")
    request._messages = CookieStorage(request)  # what MessageMiddleware sets
    messages.success(request, "Aprobado")
    assert [str(message) for message in messages.get_messages(request)] == ["Aprobado"]  # shown
    response = outage_response(request, db_utils.InterfaceError("connection already closed"))
    assert response.status_code == 503
    request._messages.update(response)  # MessageMiddleware, on the way out
    following = RequestFactory().get("/admin/registry/review/1/")
    following.COOKIES["messages"] = response.cookies["messages"].value
    assert [str(message) for message in CookieStorage(following)] == ["Aprobado"]


def _as_django_raises_it(statement):
    """Run `statement` on a real driver and return its error as Django raises it: Django's class
    of the same name, the driver's error as its cause (django.db.utils.DatabaseErrorWrapper)."""
    try:
        statement()
    except (sqlite3.Error, psycopg.Error) as error:
        name = next(cls.__name__ for cls in type(error).__mro__ if hasattr(db_utils, cls.__name__))
        try:
            raise getattr(db_utils, name)(*error.args) from error
        except db_utils.Error as wrapped:
            return wrapped
    raise AssertionError("the statement did not fail")


def test_which_errors_are_an_outage(tmp_path):
    cannot_open = _as_django_raises_it(lambda: sqlite3.connect(tmp_path / "missing" / "db.sqlite3"))
    assert is_database_outage(cannot_open)
    no_table = _as_django_raises_it(lambda: sqlite3.connect(":memory:").execute("SELECT * FROM nowhere"))
    assert not is_database_outage(no_table)  # a bug in a query stays a 500
    assert not is_database_outage(ValueError("not a database error"))
    refused = _as_django_raises_it(
        lambda: psycopg.connect(
            host="127.0.0.1", port=_closed_port(), user="x", dbname="x", connect_timeout=2
        )
    )
    assert is_database_outage(refused)


# ----- real dropped and refused connections (PostgreSQL) ----------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WSGIClient:
    """Requests through Django's WSGI handler, the path gunicorn takes."""

    def __init__(self, cookies=""):
        self.handler = WSGIHandler()
        self.cookies = cookies

    def request(self, method, path, query="", body=b"", headers=None):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_ACCEPT_LANGUAGE": "es",
            "HTTP_COOKIE": self.cookies,
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            **(headers or {}),
        }
        setup_testing_defaults(environ)
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(response_headers)

        result = self.handler(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            result.close()  # request_finished: Django closes a connection that failed
        return answer["status"], answer["headers"], content.decode()

    def get(self, path, query=""):
        return self.request("GET", path, query)


def _terminate(pid):
    """pg_terminate_backend(pid) from another connection, waiting until the backend is gone."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]


def _own_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class TerminateOwnBackend:
    """An execute wrapper that kills the connection's own backend just before the first
    statement containing `marker` runs: the connection dies in the middle of the request."""

    def __init__(self, marker):
        self.marker = marker
        self.fired = False

    def __call__(self, execute, sql, params, many, context):
        if not self.fired and self.marker in sql:
            self.fired = True
            _terminate(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)


def _assert_503_page(status, headers, html):
    assert status == 503, html[:500]
    assert headers["Retry-After"].isdigit()
    assert "<h1>El sitio se está reiniciando</h1>" in html
    assert "Traceback" not in html


@pytest.fixture
def web(demo_site):
    client = WSGIClient()
    status, _, _ = client.get("/directorio/")  # opens the connection kept between requests
    assert status == 200
    return client


@postgresql_only
@real_transactions
def test_a_connection_dropped_between_requests_is_replaced_unnoticed(web):
    """A restart kills the connections Django keeps (CONN_MAX_AGE); the health check before the
    first query of the next request replaces it, so nobody sees an error."""
    pid = _own_pid()
    _terminate(pid)
    status, _, html = web.get("/directorio/", "q=arepas")
    assert status == 200, html[:500]
    assert _own_pid() != pid


@postgresql_only
@real_transactions
@pytest.mark.parametrize(
    "path, query, marker",
    [
        # killed while the view searches the directory
        ("/directorio/", "q=arepas", DirectoryEntry._meta.db_table),
        # killed in a middleware, before any view: the page cache reads the index version
        ("/directorio/", "q=bodega", "search_indexversion"),
    ],
)
def test_a_connection_dropped_mid_request_answers_503_then_recovers(web, path, query, marker):
    kill = TerminateOwnBackend(marker)
    with connection.execute_wrapper(kill):
        _assert_503_page(*web.get(path, query))
    assert kill.fired
    status, _, html = web.get(path, query)
    assert status == 200, html[:500]


@postgresql_only
@real_transactions
def test_the_api_answers_json_503_when_its_connection_drops(web):
    with connection.execute_wrapper(TerminateOwnBackend(DirectoryEntry._meta.db_table)):
        status, headers, body = web.get("/api/v1/directory/", "q=arepas")
    assert status == 503 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["detail"]
    status, _, body = web.get("/api/v1/directory/", "q=arepas")
    assert status == 200 and "count" in json.loads(body)


@postgresql_only
@real_transactions
def test_a_refused_connection_answers_503_and_the_portal_recovers_when_it_is_back(web):
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = _closed_port()  # the server is down
    try:
        _assert_503_page(*web.get("/directorio/"))
        status, headers, body = web.get("/api/v1/directory/", "q=")
        assert headers["Content-Type"] == "application/json"
        assert status == 503 and json.loads(body)["detail"]
        status, _, body = web.get("/healthz")
        assert status == 503 and json.loads(body)["database"] == "unavailable"
    finally:
        connection.settings_dict["PORT"] = port  # the server is back
    status, _, html = web.get("/directorio/")
    assert status == 200, html[:500]


def _staff_client(user):
    """A WSGI client with a staff session and a CSRF cookie sent back in the header."""
    client = Client()
    client.force_login(user)
    token = "a" * 32
    return WSGIClient(cookies=f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}"), {
        "HTTP_X_CSRFTOKEN": token
    }


@postgresql_only
@real_transactions
@pytest.mark.parametrize(
    "marker",
    [
        # the registry number's counter, early in the decision
        RegistryCounter._meta.db_table,
        # the applicant's notice, the decision's last write: all the rest is written by then
        f'INSERT INTO "{Notification._meta.db_table}"',
    ],
)
def test_an_approval_interrupted_by_a_dropped_connection_leaves_nothing_half_written(demo_site, marker):
    applicant = support.UserFactory(username="applicant", email="maria@example.org")
    reviewer = support.staff_member("Revisores", username="reviewer")
    registrar = support.staff_member("Registradores", username="registrar")
    application = support.complete_application(applicant)
    review.submit_application(organization=application, user=applicant)
    review.approve(organization=application, user=reviewer)  # at the registrar's step
    application.refresh_from_db()
    before = {
        "status": application.status,
        "live": application.live,
        "revision": application.latest_revision_id,
        "revisions": Revision.objects.for_instance(application).count(),
        "task_state": application.current_workflow_task_state.pk,
        "logs": ModelLogEntry.objects.filter(object_id=str(application.pk)).count(),
        "notifications": Notification.objects.filter(organization=application).count(),
        "counters": list(RegistryCounter.objects.values_list("prefix", "year", "last_number")),
    }
    mail.outbox.clear()
    staff, headers = _staff_client(registrar)
    staff.get("/admin/")  # the registrar's connection is open and kept

    with connection.execute_wrapper(kill := TerminateOwnBackend(marker)):
        status, _, html = staff.request(
            "POST", f"/admin/registry/review/{application.pk}/approve/", body=b"comment=", headers=headers
        )
    assert kill.fired
    assert status == 503 and "El sitio se está reiniciando" in html
    assert "no se guardó" in html

    application = Organization.objects.get(pk=application.pk)
    assert application.status == before["status"] == ApplicationStatus.IN_REVIEW
    assert not application.registry_number and not application.registered_at
    assert application.live == before["live"]
    assert application.latest_revision_id == before["revision"]
    assert Revision.objects.for_instance(application).count() == before["revisions"]
    assert application.current_workflow_task_state.pk == before["task_state"]
    assert application.current_workflow_task_state.status == "in_progress"
    assert ModelLogEntry.objects.filter(object_id=str(application.pk)).count() == before["logs"]
    assert Notification.objects.filter(organization=application).count() == before["notifications"]
    assert list(RegistryCounter.objects.values_list("prefix", "year", "last_number")) == before["counters"]
    assert not DirectoryEntry.objects.filter(organization_id=application.pk).exists()
    assert mail.outbox == []

    # The registrar sends it again once the database answers: approved once, with a number.
    status, headers_out, _ = staff.request(
        "POST", f"/admin/registry/review/{application.pk}/approve/", body=b"comment=", headers=headers
    )
    assert status == 302, headers_out
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.registry_number
    assert ModelLogEntry.objects.filter(object_id=str(application.pk), action=review.APPROVE).count() == 1


@postgresql_only
@real_transactions
def test_the_task_worker_waits_for_the_database_and_carries_on(settings, caplog):
    """django-tasks' own worker exits at the first connection error; ours waits for the
    database and runs the queue once it answers (here: empty, so --batch ends it)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = _closed_port()  # the server is down when the worker starts

    def server_back():
        connection.settings_dict["PORT"] = port

    back = threading.Timer(1.0, server_back)
    back.start()
    try:
        # In this thread: the worker installs signal handlers, which only the main thread may.
        call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    finally:
        back.join()
        connection.settings_dict["PORT"] = port
    assert "Database unavailable, task worker waiting" in caplog.text
