"""Parts of a page rendered once per index version and kept: `{% per_version %}`.

A directory page made for a new search shows twenty listing cards, the menu and the footer;
most of a card (the contact links, whose phone numbers are parsed, the badges, the
"unconfirmed since" notice) and all of the menu and footer are the same on every search until
something bumps the index version (a listing published, suspended or edited, a page published,
the menu, the office's details, a site or a municipality saved: cms/signals.py). Rendering them
was about half the template's time (docs/benchmarks.md, "Where the directory page's time goes").

    {% load cms_fragments %}
    {% per_version "head" request.path %}…{% endper_version %}

keeps what the block renders, in this process's memory, under the fragment's name, the values
after it and the `fragment_scope` the view put in the context: the index version, the language,
the day (a listing's "unconfirmed since" notice depends on the date) and the host. A template
rendered without `fragment_scope` (any other view), or whose values after the name are missing
from the context, renders the block every time. Python code keeps its fragments with `kept()`
(a card's contact part: cms/templatetags/cms_cards.py).

Why not Django's `{% cache %}` or its cache API: its key is only the values given to it, so each
use would have to repeat the version, language, day and host, and a view without a version
would share one key across versions instead of not caching; and a read from its LocMemCache
(the key checked character by character, the value unpickled, a lock) cost about as much as
rendering a card's contact links again, a network round trip per card with Redis. A dict per
process, emptied when the version changes (as cms/page_shell.py keeps its shells), costs
nothing on a hit.
"""

from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()

# Every listing's card in two languages at 10,000 listings; at a few hundred bytes each, a few
# MB per process. Emptied when the version changes, or when full.
LIMIT = 20_000
_kept: dict = {}
_state = {"version": None}


class PerVersionNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        values = [value.resolve(context, ignore_failures=True) for value in self.vary_on]
        return kept(context, self.name, values, lambda: self.nodelist.render(context))


def fragment_scope(request, version: int) -> tuple:
    """What every fragment kept for this response shares in its key, worked out once per page:
    the index version, the language, the day and the host. A view puts it in its template's
    context as `fragment_scope`."""
    return (version, get_language(), timezone.localdate(), request.get_host())


def kept(context, name: str, values, render):
    """What `render()` returns, kept under the response's `fragment_scope`, the fragment's name
    and `values`; rendered every time without a scope in the context (another view) or with a
    value missing (different fragments would share a key)."""
    scope = context.get("fragment_scope")
    if scope is None or any(value is None for value in values):
        return render()
    if _state["version"] != scope[0]:
        _kept.clear()
        _state["version"] = scope[0]
    key = (*scope, name, *values)
    content = _kept.get(key)
    if content is None:
        content = render()
        if len(_kept) >= LIMIT:
            _kept.clear()
        _kept[key] = content
    return content


def forget() -> None:
    _kept.clear()
    _state["version"] = None


@register.tag("per_version")
def per_version(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'per_version' needs a fragment name")
    nodelist = parser.parse(("endper_version",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return PerVersionNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
