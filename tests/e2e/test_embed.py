"""The directory embedded in another site: a page served from another origin with the script tag
shows the frame with the listings, fitted to their height, accessible, on a 360-pixel phone."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from search import indexing
from tests.e2e.conftest import E2E_DB
from tests.factories import PublishedOrganizationFactory

pytestmark = [pytest.mark.e2e, E2E_DB]

PHONE_WIDTH = 360


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def other_site(tmp_path, live_server):
    """An NGO's page on another origin (127.0.0.1 and a port of its own; the portal is on
    localhost) with the snippet the portal hands out."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>ONG Manos Unidas</title>'
        "</head><body><main><h1>ONG Manos Unidas</h1><p>Emprendimientos que apoyamos:</p>"
        f'<script src="{live_server.url}/static/embed.js" data-sector="gastronomia" async></script>'
        "</main></body></html>",
        encoding="utf-8",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_another_site_shows_the_directory_in_a_fitted_accessible_frame(
    phone_page, other_site, axe_violations
):
    PublishedOrganizationFactory(name="Arepera Zuliana", whatsapp="987654321")
    PublishedOrganizationFactory(
        name="Cachapas y Tequeños del Llano Venezolano en Carmen de la Legua",
        short_description="Cachapas, tequeños y pedidos para eventos con entrega en todo el Callao",
    )
    indexing.rebuild()

    phone_page.goto(other_site)
    frame_element = phone_page.wait_for_selector("iframe")
    assert frame_element.get_attribute("title")
    frame = frame_element.content_frame()
    frame.wait_for_selector("h2")
    assert sorted(frame.locator("h2").all_inner_texts()) == [
        "Arepera Zuliana",
        "Cachapas y Tequeños del Llano Venezolano en Carmen de la Legua",
    ]
    link = frame.get_by_role("link", name="Ver en el directorio Arepera Zuliana")
    assert link.get_attribute("target") == "_blank"

    # The frame takes its content's height (reported by postMessage) instead of the initial 640 px.
    content_height = frame.evaluate("document.documentElement.scrollHeight")
    phone_page.wait_for_function(
        "(height) => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - height) <= 1",
        arg=content_height,
    )
    assert content_height != 640

    assert frame.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(frame) == []
