"""Admin wiring of import and export: a viewset for the screens, a menu entry for the staff who
may use them, and the audit-log action that records each import."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.log_actions import LogFormatter

from . import views
from .services import IMPORT_ACTION


class RegistryTransferViewSet(ViewSet):
    name = "registry_importexport"
    url_prefix = "registry/transfer"
    icon = "table"
    add_to_admin_menu = False  # the submenu below shows each screen only to those allowed

    def get_urlpatterns(self):
        return [
            path("import/", views.ImportView.as_view(), name="import"),
            path("import/confirm/", views.ConfirmImportView.as_view(), name="confirm"),
            path("export/", views.ExportView.as_view(), name="export"),
        ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_viewset")
def register_viewset():
    return RegistryTransferViewSet()


@hooks.register("register_admin_menu_item")
def register_menu():
    menu = Menu(
        items=[
            PermissionMenuItem(
                _("Import"),
                reverse("registry_importexport:import"),
                icon_name="upload",
                permission="registry_importexport.import_registry",
                order=100,
            ),
            PermissionMenuItem(
                _("Export"),
                reverse("registry_importexport:export"),
                icon_name="download",
                permission="registry_importexport.export_registry",
                order=200,
            ),
        ]
    )
    return SubmenuMenuItem(
        _("Import and export"), menu, icon_name="table", name="registry-transfer", order=350
    )


class ImportFormatter(LogFormatter):
    label = _("Import the registry")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        mode = _("published as approved") if data.get("publish") else _("as drafts for review")
        return _(
            "Imported %(file)s (%(rows)s rows, %(mode)s): %(new)s new, %(updated)s updated, %(unchanged)s unchanged"
        ) % {
            "file": data.get("file_name", log_entry.label),
            "rows": data.get("rows", 0),
            "mode": mode,
            "new": data.get("new", 0),
            "updated": data.get("updated", 0),
            "unchanged": data.get("unchanged", 0),
        }


@hooks.register("register_log_actions")
def register_import_action(actions):
    actions.register_action(IMPORT_ACTION)(ImportFormatter)
