"""Wagtail admin messages that staff see and Wagtail's Spanish catalogue lacks (the filter panel,
the upgrade notice, the keyboard shortcuts), listed so that the portal's catalogue words them: the
catalogues of LOCALE_PATHS take precedence over the apps'. Never imported; `makemessages` reads
the strings from here."""

from django.utils.translation import gettext_noop

WAGTAIL_ADMIN_MESSAGES = (
    gettext_noop("Filter by"),
    gettext_noop("Show filters"),
    gettext_noop("Keyboard shortcuts"),
    gettext_noop("All keyboard shortcuts"),
    gettext_noop("Keyboard shortcut"),
    gettext_noop("Section"),
    gettext_noop("Your pages and snippets in a workflow"),
    gettext_noop("Wagtail upgrade available"),
    gettext_noop("View latest version"),
    gettext_noop("System"),
    gettext_noop("Show keyboard shortcuts"),
    gettext_noop("Toggle minimap"),
    gettext_noop("Close modal dialogs (like this one)"),
    gettext_noop("Save changes"),
    gettext_noop("Add or show comments"),
    gettext_noop("Text editing"),
    gettext_noop("Cut"),
    gettext_noop("Paste"),
    gettext_noop("Paste without formatting"),
    gettext_noop("Paste and match style"),
    gettext_noop("Text formatting"),
    gettext_noop("Insert or edit a link"),
    gettext_noop("Monospace (code)"),
    gettext_noop("Strike-through"),
)
