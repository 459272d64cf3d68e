"""manage.py add_municipality: a municipality's registry and its own site, page tree and settings."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import translation
from wagtail.models import GroupPagePermission, Locale, Page, Site, Workflow

from cms.models import DirectoryPage, GuidePage, HomePage, NavigationSettings, OfficeSettings
from registry.models import Municipality, MunicipalStaffGroup, home_municipality

pytestmark = pytest.mark.django_db


def counts():
    return {
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
        "municipalities": Municipality.objects.count(),
        "groups": Group.objects.count(),
        "workflows": Workflow.objects.count(),
        "page rights": GroupPagePermission.objects.count(),
        "office settings": OfficeSettings.objects.count(),
        "menus": NavigationSettings.objects.count(),
    }


def add_carmen(capsys, **options):
    with translation.override("en"):
        call_command(
            "add_municipality", ubigeo="070103", host="carmen.localhost:8000", prefix="MCL", **options
        )
    return capsys.readouterr().out


def test_creates_the_site_its_pages_groups_and_workflow(demo_site, capsys):
    before = counts()
    output = add_carmen(capsys)

    carmen = Municipality.objects.get(ubigeo="070103")
    assert carmen.name == "Municipalidad Distrital de Carmen de la Legua Reynoso"
    assert carmen.registry_prefix == "MCL"
    assert list(carmen.districts.values_list("code", flat=True)) == ["carmen-de-la-legua-reynoso"]
    site = carmen.site
    assert (site.hostname, site.port, site.is_default_site) == ("carmen.localhost", 8000, False)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert "Carmen de la Legua Reynoso" in home.intro
    # The same tree as the home municipality's, in both languages.
    slugs = set(home.get_descendants().values_list("slug", flat=True))
    assert {"directorio", "guias", "formalizar-mi-negocio", "registrar-mi-organizacion", "eventos"} <= slugs
    assert {"privacidad", "accesibilidad"} <= slugs
    assert home.get_translation_or_none(Locale.objects.get(language_code="en")) is not None
    assert DirectoryPage.objects.live().descendant_of(home).count() == 1
    assert GuidePage.objects.descendant_of(home).count() == 2
    # Its own groups, with page rights on its site only, and its own workflow.
    roles = MunicipalStaffGroup.objects.filter(municipality=carmen)
    assert set(roles.values_list("role", flat=True)) == {"reviewers", "registrars", "editors"}
    editors = roles.get(role="editors").group
    assert set(GroupPagePermission.objects.filter(group=editors).values_list("page_id", flat=True)) == {
        home.pk,
        home.get_translation(Locale.objects.get(language_code="en")).pk,
    }
    assert carmen.workflow is not None and carmen.workflow != home_municipality().workflow
    # Its settings: its name, contact details left for staff, the menu of its own pages.
    office = OfficeSettings.for_site(site)
    assert office.municipality == carmen.name and office.address == "" and office.phone == ""
    menu = NavigationSettings.for_site(site).main_menu
    assert menu[0].value["page"].specific.get_parent().pk == home.pk

    after = counts()
    assert after["sites"] == before["sites"] + 1 and after["municipalities"] == before["municipalities"] + 1
    assert after["groups"] == before["groups"] + 3 and after["workflows"] == before["workflows"] + 1
    assert "Site carmen.localhost:8000 created." in output
    for group in roles:
        assert group.group.name in output
    assert "http://carmen.localhost:8000/" in output


def test_a_second_run_changes_nothing_and_says_so(demo_site, capsys):
    add_carmen(capsys)
    first = counts()
    output = add_carmen(capsys)
    assert counts() == first
    assert "nothing changed" in output


def test_the_other_municipality_is_left_alone(demo_site, capsys):
    lima = home_municipality()
    default = Site.objects.get(is_default_site=True)
    before = (
        list(Page.objects.values_list("pk", "path", "title", "latest_revision_id")),
        (default.hostname, default.port, default.root_page_id),
        sorted(lima.districts.values_list("pk", flat=True)),
        lima.registry_prefix,
        sorted(GroupPagePermission.objects.values_list("pk", flat=True)),
    )
    add_carmen(capsys)
    default.refresh_from_db()
    lima.refresh_from_db()
    after = (
        list(
            Page.objects.filter(pk__in=[row[0] for row in before[0]]).values_list(
                "pk", "path", "title", "latest_revision_id"
            )
        ),
        (default.hostname, default.port, default.root_page_id),
        sorted(lima.districts.values_list("pk", flat=True)),
        lima.registry_prefix,
        sorted(GroupPagePermission.objects.filter(pk__in=before[4]).values_list("pk", flat=True)),
    )
    assert after == before


@pytest.mark.parametrize("ubigeo", ["999999", "0701", "carmen"])
def test_an_unknown_ubigeo_is_refused_with_a_clear_message(demo_site, ubigeo):
    before = counts()
    with pytest.raises(CommandError, match=r"ubigeo|\d{6}|six digits|seis dígitos"):
        call_command("add_municipality", ubigeo=ubigeo, host="nueva.localhost")
    assert counts() == before


def test_a_host_another_municipality_serves_is_refused(demo_site, capsys):
    add_carmen(capsys)
    before = counts()
    with pytest.raises(
        CommandError,
        match=r"carmen\.localhost:8000 .*Municipalidad Distrital de Carmen de la Legua Reynoso",
    ):
        call_command("add_municipality", ubigeo="070101", host="carmen.localhost", port=8000)
    assert counts() == before
    assert not Municipality.objects.filter(ubigeo="070101").exists()


def test_a_prefix_another_municipality_holds_is_refused(demo_site):
    with pytest.raises(CommandError, match=r"[Pp]refi"):
        call_command("add_municipality", ubigeo="070103", host="carmen.localhost", prefix="RMO")


def test_the_port_may_be_given_apart_and_defaults_to_80(demo_site, capsys):
    call_command("add_municipality", ubigeo="070106", host="ventanilla.example.gob.pe")
    site = Municipality.objects.get(ubigeo="070106").site
    assert (site.hostname, site.port) == ("ventanilla.example.gob.pe", 80)
    assert Municipality.objects.get(ubigeo="070106").registry_prefix == "M070106"
