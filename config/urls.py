from django.conf import settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog, set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.views import accessibility_statement, municipal_stylesheet
from registry.importexport.views import open_data_page
from registry.security.two_factor import staff_two_factor
from search.urls import public_urlpatterns as search_public_urls

from .locale import i18n_patterns
from .views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("staff/2fa/", staff_two_factor, name="staff_2fa"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Exempt from CSRF so that anonymous pages carry no per-visitor token and can be cached:
    # the worst a forged request can do here is switch someone's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("municipalidad.css", municipal_stylesheet, name="municipal_stylesheet"),
    path("", include("search.urls")),
    path("", include("registry.importexport.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The public site in both languages: Spanish without a prefix, English under /en/ (config/locale.py).
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("registry.urls")),
    path("", include(search_public_urls)),
    path("accesibilidad/", accessibility_statement, name="accessibility"),
    path("datos-abiertos/", open_data_page, name="open_data"),
    path("", include(wagtail_urls)),
)

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
