"""The search synonyms in the Wagtail admin: staff add "bodega, minimarket, tienda de abarrotes"
and the directory understands it at once (search.signals says how each backend follows)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Synonym


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "search"
    menu_label = _("Search synonyms")
    menu_name = "search-synonyms"
    add_to_settings_menu = True
    list_display = ["terms"]
    search_fields = ["terms"]
    search_backend_name = None
    ordering = ["terms"]


register_snippet(SynonymViewSet)
