from datetime import timedelta

from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from registry.models import Organization
from search.embed import embed_builder, embed_directory
from search.views import directory_index, directory_listing

from .blocks import BodyBlock, FormalizationStepBlock, LinkBlock
from .page_cache import cacheable, known_version
from .templatetags.cms_fragments import fragment_scope


def in_language(spanish, english):
    """The English text when the active language is English and it is filled in, else the Spanish
    one: the pattern of the registry's own `*_en` fields (sectors, formalization steps)."""
    if (get_language() or "es").startswith("en") and english:
        return english
    return spanish


class HomePage(Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("intro"))
    apply_text = models.CharField(
        max_length=120, default="Registra tu emprendimiento", verbose_name=_("'Apply' button text")
    )
    search_text = models.CharField(
        max_length=120, default="Buscar en el directorio", verbose_name=_("'Search' button text")
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("apply_text"), FieldPanel("search_text")], _("Calls to action")),
        InlinePanel("featured_listings", label=_("Featured listings"), max_num=6),
        FieldPanel("body"),
    ]
    subpage_types = [
        "cms.StandardPage",
        "cms.GuideIndexPage",
        "cms.EventIndexPage",
        "cms.DirectoryPage",
        "cms.AccessibilityPage",
    ]
    # No limit on homes: each site has one per language, the Spanish one its root and the
    # others its translations, all children of Wagtail's root.

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured"] = self.featured()
        # This home's own tree: one site, one language.
        context["directory_page"] = DirectoryPage.objects.live().descendant_of(self).first()
        context["guides"] = GuidePage.objects.live().descendant_of(self).order_by("path")[:4]
        context["upcoming_events"] = EventPage.objects.live().descendant_of(self).upcoming()[:3]
        return context

    def route(self, request, path_components):
        """Route in this language's tree; a page not translated yet is served from the original
        (Spanish) tree at the same path, and base.html marks its content as Spanish with a notice.

        When the original page has a live translation under another slug, that translation is
        served instead, so an address built from the Spanish path (the language switcher's
        fallback, an old link) still shows the English page."""
        try:
            return super().route(request, path_components)
        except Http404:
            original = self.get_translation_or_none(Locale.get_default())
            if original is None or original.pk == self.pk:
                raise
            page, args, kwargs = original.specific.route(request, path_components)
            translated = page.get_translation_or_none(self.locale)
            if translated is not None and translated.live:
                return translated.specific, args, kwargs
            return page, args, kwargs

    def featured(self) -> list[Organization]:
        """The featured listings the public may see, in the editor's order: one chosen months ago
        and since suspended or unpublished drops out without an editor touching the page."""
        items = list(self.featured_listings.select_related("organization__sector", "organization__district"))
        visible = set(
            Organization.objects.published()
            .filter(pk__in=[item.organization_id for item in items])
            .values_list("pk", flat=True)
        )
        return [item.organization for item in items if item.organization_id in visible]


class HomePageFeaturedListing(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_listings")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("listing")
    )

    panels = [FieldPanel("organization")]


class StandardPage(Page):
    intro = models.TextField(blank=True, verbose_name=_("intro"))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")


class GuideIndexPage(Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("intro"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.GuidePage"]

    class Meta:
        verbose_name = _("guide index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guides"] = GuidePage.objects.child_of(self).live()
        return context


class GuidePage(Page):
    AUDIENCE_CHOICES = [
        ("business", _("Businesses")),
        ("organization", _("Organizations")),
        ("all", _("Everyone")),
    ]

    audience = models.CharField(
        max_length=20, choices=AUDIENCE_CHOICES, default="all", verbose_name=_("audience")
    )
    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("intro"))
    steps = StreamField([("step", FormalizationStepBlock())], blank=True, verbose_name=_("steps"))

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("steps")]
    content_panels = Page.content_panels + [
        FieldPanel("audience"),
        FieldPanel("intro"),
        FieldPanel("steps"),
    ]
    parent_page_types = ["cms.GuideIndexPage"]

    class Meta:
        verbose_name = _("formalization guide")

    def step_anchor(self, code):
        """The URL of the step with this code on this page, for the applicant's path."""
        return f"{self.url}#paso-{code}"


class EventPageQuerySet(PageQuerySet):
    def upcoming(self):
        # Half a day of grace so that a fair happening today is still listed this afternoon.
        return self.filter(start__gte=timezone.now() - timedelta(hours=12)).order_by("start")


EventPageManager = PageManager.from_queryset(EventPageQuerySet)


class EventIndexPage(Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("intro"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.EventPage"]

    class Meta:
        verbose_name = _("event index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        events = EventPage.objects.child_of(self).live()
        context["upcoming"] = events.upcoming()
        context["past"] = events.filter(start__lt=timezone.now()).order_by("-start")[:10]
        return context


class EventPage(Page):
    start = models.DateTimeField(verbose_name=_("starts"))
    end = models.DateTimeField(null=True, blank=True, verbose_name=_("ends"))
    place = models.CharField(max_length=200, verbose_name=_("place"))
    address = models.CharField(max_length=250, blank=True, verbose_name=_("address"))
    district = models.ForeignKey(
        "registry.District",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("district"),
    )
    description = RichTextField(features=["bold", "italic", "link", "ul"], verbose_name=_("description"))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("more information"))

    search_fields = Page.search_fields + [index.SearchField("place"), index.SearchField("description")]
    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("start"), FieldPanel("end")], _("When")),
        MultiFieldPanel([FieldPanel("place"), FieldPanel("address"), FieldPanel("district")], _("Where")),
        FieldPanel("description"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.EventIndexPage"]

    objects = EventPageManager()

    class Meta:
        verbose_name = _("event")
        ordering = ["start"]


class DirectoryPage(RoutablePageMixin, Page):
    """The public directory. Its search views live in `search.views` and are routed here."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"], verbose_name=_("intro"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = []
    max_count_per_parent = 1  # one per site and language

    class Meta:
        verbose_name = _("directory page")

    @path("")
    def index_route(self, request):
        response = directory_index(request, self)
        # Parts of the page (the cards' contact links, the head, the menu, the footer) are kept
        # per index version (cms/templatetags/cms_fragments.py) once the request has read the
        # version (the page cache and the page's shell read it from an address's second request
        # on): never a query more for them.
        version = known_version(request)
        if version is not None and getattr(response, "context_data", None) is not None:
            response.context_data["fragment_scope"] = fragment_scope(request, version)
        return cacheable(response)

    # Before the listings' route: a listing's slug is one segment, so "insertar/marco/" can never
    # be one; "insertar" would be the slug of a listing named "Insertar", which it shadows.
    @path("insertar/")
    def embed_builder_route(self, request):
        return embed_builder(request, self)

    @path("insertar/marco/")
    def embed_route(self, request):
        return embed_directory(request, self)

    @path("<slug:slug>/")
    def listing_route(self, request, slug):
        return directory_listing(request, self, slug)


class AccessibilityPage(Page):
    """The accessibility statement. Whatever its slug, the footer links to /accesibilidad/
    (cms.views.accessibility_statement), which serves this page in the visitor's language, or a
    built-in statement on a site that has none."""

    intro = models.TextField(blank=True, verbose_name=_("intro"))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    last_reviewed = models.DateField(default=timezone.localdate, verbose_name=_("last reviewed"))

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accessibility statement")


@register_setting(icon="site")
class OfficeSettings(BaseSiteSetting):
    office_name = models.CharField(
        max_length=200, default="Oficina Municipal de Atención al Migrante", verbose_name=_("office name")
    )
    municipality = models.CharField(max_length=200, blank=True, verbose_name=_("municipality"))
    address = models.CharField(max_length=250, blank=True, verbose_name=_("address"))
    phone = models.CharField(max_length=30, blank=True, verbose_name=_("phone"))
    whatsapp = models.CharField(max_length=30, blank=True, verbose_name=_("WhatsApp"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    opening_hours = models.TextField(blank=True, verbose_name=_("opening hours"))
    office_name_en = models.CharField(max_length=200, blank=True, verbose_name=_("office name (English)"))
    opening_hours_en = models.TextField(blank=True, verbose_name=_("opening hours (English)"))

    panels = [
        MultiFieldPanel([FieldPanel("office_name"), FieldPanel("municipality")], _("Office")),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone"), FieldPanel("whatsapp"), FieldPanel("email")],
            _("Contact"),
        ),
        FieldPanel("opening_hours"),
        MultiFieldPanel(
            [FieldPanel("office_name_en"), FieldPanel("opening_hours_en")],
            _("In English"),
            help_text=_("Shown on the English pages; left empty, the Spanish text is shown."),
        ),
    ]

    class Meta:
        verbose_name = _("office details")

    @property
    def name(self):
        return in_language(self.office_name, self.office_name_en)

    @property
    def hours(self):
        return in_language(self.opening_hours, self.opening_hours_en)


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    main_menu = StreamField([("link", LinkBlock())], blank=True, verbose_name=_("main menu"))
    footer_links = StreamField([("link", LinkBlock())], blank=True, verbose_name=_("footer links"))
    footer_text = RichTextField(
        blank=True, features=["bold", "italic", "link"], verbose_name=_("footer text")
    )
    main_menu_en = StreamField([("link", LinkBlock())], blank=True, verbose_name=_("main menu (English)"))
    footer_links_en = StreamField(
        [("link", LinkBlock())], blank=True, verbose_name=_("footer links (English)")
    )
    footer_text_en = RichTextField(
        blank=True, features=["bold", "italic", "link"], verbose_name=_("footer text (English)")
    )

    # Site settings belong to a site, not to a language (Wagtail cannot translate them like a
    # page), so the English menu and footer are fields of their own, in a tab of their own.
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [FieldPanel("main_menu"), FieldPanel("footer_links"), FieldPanel("footer_text")],
                heading=_("Spanish"),
            ),
            ObjectList(
                [FieldPanel("main_menu_en"), FieldPanel("footer_links_en"), FieldPanel("footer_text_en")],
                heading=_("English"),
                help_text=_("Left empty, the English pages show the Spanish menu and footer."),
            ),
        ]
    )

    class Meta:
        verbose_name = _("menu and footer")

    @property
    def menu(self):
        return in_language(self.main_menu, self.main_menu_en)

    @property
    def footer(self):
        return in_language(self.footer_links, self.footer_links_en)

    @property
    def footer_note(self):
        return in_language(self.footer_text, self.footer_text_en)
