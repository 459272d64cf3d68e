"""Where the directory page's time goes: the made page's parts, timed inside one process.

Used by page_bench.py. Each part is a function (or a template, a template tag) wrapped with a
timer while the page is requested through Django's test client; a part's time is its own
(exclusive: the parts called inside it are counted apart), so the parts add up to the request,
and every database query is counted against the part that was running when it was sent.

Why not cProfile or a sampling profiler: cProfile's overhead is per Python call, which inflates
the template (thousands of small calls) against the database (a few long waits); and the
question is not "which function" but "which part of the page", which a fixed list answers.
"""

import functools
import importlib
import statistics
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager

from stats import percentiles

# (module, attribute, part): functions looked up by name when called, so replacing the module's
# attribute reaches every call.
FUNCTIONS = [
    ("django.core.handlers.base", "BaseHandler._get_response", "URL resolving, Wagtail's routing"),
    ("cms.models", "directory_index", "view: filters, facet links, map pins"),
    ("search.views", "_scoped", "view: the site's municipality"),
    ("search.views", "municipality_labels", "view: municipality names"),
    ("search.views", "_name_badges", "view: badge names"),
    ("search.views", "_badge_choices", "view: badge names"),
    ("search.views", "directory_search", "search"),
    ("search.selectors", "labelled_facets", "search: facet labels"),
    ("search.backends.database", "highlight_fields", "search: highlighting"),
    ("search.backends.elasticsearch", "highlight_listing", "search: highlighting"),
    ("django.template.response", "SimpleTemplateResponse.render", "template: page, filters, header, footer"),
    ("wagtail.contrib.settings.models", "BaseSiteSetting.for_request", "template: site settings, menu"),
]
# Templates included many times: timed by name (none today: the cards and facet options are
# template tags, timed below).
TEMPLATES: dict[str, str] = {}
# Template tags by the function behind them.
TAGS = {
    "url_in_language": "template: language switcher",
    "content_language": "template: language switcher",
    "pageurl": "template: page URLs",
    "wagtailuserbar": "template: Wagtail user bar",
    "listing_card": "template: result cards",
    "facet_value": "template: facet values",
}
ROOT = "middleware (sessions, CSRF, locale, security headers…)"


class Parts:
    """A stack of running parts: exclusive seconds and queries per part, per request."""

    def __init__(self):
        self.stack = []
        self.seconds = defaultdict(float)
        self.cpu = defaultdict(float)  # this process's CPU: less disturbed by a busy machine
        self.queries = defaultdict(int)
        self.requests = []
        self.show_sql = False

    @contextmanager
    def part(self, label):
        started, cpu_started = time.perf_counter(), time.process_time()
        self.stack.append([label, 0.0, 0.0])
        try:
            yield
        finally:
            label, children, cpu_children = self.stack.pop()
            spent = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            self.seconds[label] += spent - children
            self.cpu[label] += cpu - cpu_children
            if self.stack:
                self.stack[-1][1] += spent
                self.stack[-1][2] += cpu

    def wrap(self, function, label):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            with self.part(label):
                return function(*args, **kwargs)

        return timed

    def query(self, execute, sql, params, many, context):
        if self.stack:
            self.queries[self.stack[-1][0]] += 1
            if self.show_sql:
                print(f"  SQL [{self.stack[-1][0]}] {sql[:160]}")
        return execute(sql, params, many, context)

    def finish_request(self):
        self.requests.append((dict(self.seconds), dict(self.queries), dict(self.cpu)))
        self.seconds.clear()
        self.queries.clear()
        self.cpu.clear()


def _patch(stack: ExitStack, owner, name, replacement):
    original = owner.__dict__[name]
    setattr(owner, name, replacement)
    stack.callback(setattr, owner, name, original)


@contextmanager
def instrumented(parts: Parts):
    from django.db import connection
    from django.template import base, defaulttags, engines, library

    stack = ExitStack()
    with stack:
        for module_name, attribute, label in FUNCTIONS:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            owner, _dot, name = attribute.rpartition(".")
            target = getattr(module, owner) if owner else module
            original = target.__dict__[name]
            if isinstance(original, classmethod):
                wrapped = classmethod(parts.wrap(original.__func__, label))
            else:
                wrapped = parts.wrap(original, label)
            _patch(stack, target, name, wrapped)

        template_render = base.Template.render

        def render(self, context):
            label = TEMPLATES.get(self.origin.template_name if self.origin else None)
            if label is None:
                return template_render(self, context)
            with parts.part(label):
                return template_render(self, context)

        _patch(stack, base.Template, "render", render)
        simple_render = library.SimpleNode.render

        def simple(self, context):
            label = TAGS.get(getattr(self.func, "__name__", ""))
            if label is None:
                return simple_render(self, context)
            with parts.part(label):
                return simple_render(self, context)

        _patch(stack, library.SimpleNode, "render", simple)
        url_render = defaulttags.URLNode.render
        _patch(
            stack,
            defaulttags.URLNode,
            "render",
            lambda self, context: _timed_url(parts, url_render, self, context),
        )
        # Context processors run when the template is bound to the request.
        engine = engines["django"].engine
        processors = engine.template_context_processors
        engine.__dict__["template_context_processors"] = tuple(
            parts.wrap(p, "template: context processors (user, settings, branding)") for p in processors
        )
        stack.callback(engine.__dict__.__setitem__, "template_context_processors", processors)
        stack.enter_context(connection.execute_wrapper(parts.query))
        yield


def _timed_url(parts, render, node, context):
    with parts.part("template: {% url %} tags"):
        return render(node, context)


def profile(client, paths, *, host="testserver", show_sql=False) -> dict:
    """Request every path (after one warm-up request each of the first few) and return the parts:
    mean milliseconds (wall and this process's CPU) and queries per request, and the requests'
    p50/p95."""
    for path in paths[:3]:
        client.get(path, HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="es")
    parts = Parts()
    totals = []
    with instrumented(parts):
        # The handler keeps its view bound when its middleware is loaded: load it again.
        client.handler._middleware_chain = None
        for position, path in enumerate(paths):
            parts.show_sql = show_sql and position == 0
            started = time.perf_counter()
            with parts.part(ROOT):
                response = client.get(path, HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="es")
            totals.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            parts.finish_request()
    client.handler._middleware_chain = None
    labels = {label for seconds, _q, _c in parts.requests for label in seconds}
    count = len(parts.requests)
    rows = {
        label: {
            "ms": sum(seconds.get(label, 0.0) for seconds, _q, _c in parts.requests) * 1000 / count,
            "cpu_ms": sum(cpu.get(label, 0.0) for _s, _q, cpu in parts.requests) * 1000 / count,
            "queries": sum(queries.get(label, 0) for _s, queries, _c in parts.requests) / count,
        }
        for label in labels
    }
    spread = percentiles(totals)
    return {
        "parts": dict(sorted(rows.items(), key=lambda item: -item[1]["ms"])),
        "requests": count,
        "mean_ms": statistics.mean(totals),
        "p50_ms": spread["p50"],
        "p95_ms": spread["p95"],
        "cpu_ms": sum(sum(c.values()) for _s, _q, c in parts.requests) * 1000 / count,
        "queries": sum(sum(q.values()) for _s, q, _c in parts.requests) / count,
    }
