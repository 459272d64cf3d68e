"""The municipality core: the home one the migrations make, a second joining, and the one rule
of whose records a staff member reaches (registry.jurisdiction)."""

import pytest
from django.contrib.auth.models import Group

from registry import jurisdiction
from registry.models import Municipality, Organization, home_municipality
from registry.services.municipalities import UnknownUbigeo, register_municipality
from registry.services.registry_numbers import next_registry_numbers, registry_prefix
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_migrations_make_the_home_municipality_of_the_default_site(demo_site):
    home = home_municipality()
    assert (home.ubigeo, home.name, home.kind) == (
        "150100",
        "Municipalidad Metropolitana de Lima",
        "provincial",
    )
    assert home.site.is_default_site
    assert home.districts.filter(code="carmen-de-la-legua-reynoso").exists()
    assert {g.group.name for g in home.staff_groups.all()} >= {"Revisores", "Registradores"}
    assert OrganizationFactory().municipality == home


def test_a_municipality_joins_once_with_its_groups_and_workflow(carmen):
    assert (carmen.name, carmen.kind) == ("Municipalidad Distrital de Carmen de la Legua Reynoso", "district")
    assert list(carmen.districts.values_list("ubigeo", flat=True)) == ["070103"]
    assert {g.role for g in carmen.staff_groups.all()} == {"reviewers", "registrars", "editors"}
    assert Group.objects.filter(name="Revisores · Carmen de la Legua Reynoso").exists()
    tasks = [task.specific for task in carmen.workflow.tasks.all()]
    assert [t.stage for t in tasks] == ["document_check", "registrar_approval"]
    assert all(set(t.groups.all()) <= {g.group for g in carmen.staff_groups.all()} for t in tasks)

    groups, workflows = Group.objects.count(), carmen.workflow_id
    again, created = register_municipality(ubigeo="070103")
    assert not created and again.pk == carmen.pk
    assert (Group.objects.count(), again.workflow_id) == (groups, workflows)


def test_a_province_takes_all_its_districts(demo_site):
    callao, _created = register_municipality(ubigeo="070100")
    assert callao.kind == "provincial" and callao.districts.count() == 7
    assert callao.registry_prefix == "M070100"


@pytest.mark.parametrize("ubigeo", ["", "07010", "999999", "abcdef", "990100"])
def test_an_unknown_ubigeo_is_refused(demo_site, ubigeo):
    with pytest.raises(UnknownUbigeo):
        register_municipality(ubigeo=ubigeo)
    assert Municipality.objects.count() == 1


def test_each_municipality_numbers_with_its_own_prefix(carmen):
    organization = OrganizationFactory(municipality=carmen)
    assert organization.get_workflow() == carmen.workflow
    assert registry_prefix(carmen) == "MCL"
    assert next_registry_numbers(prefix=registry_prefix(carmen), year=2026) == ["MCL-2026-000001"]
    assert next_registry_numbers(year=2026) == [f"{home_municipality().registry_prefix}-2026-000001"]


def test_staff_reach_only_the_municipalities_they_serve(carmen):
    lima = home_municipality()
    in_lima = OrganizationFactory(municipality=lima, status="submitted")
    in_carmen = OrganizationFactory(municipality=carmen, status="submitted")
    lima_reviewer = UserFactory(username="revisora-lima")
    lima_reviewer.groups.add(Group.objects.get(name="Revisores"))
    carmen_reviewer = UserFactory(username="revisor-carmen")
    carmen_reviewer.groups.add(carmen.staff_groups.get(role="reviewers").group)
    both = UserFactory(username="ambas")
    both.groups.add(Group.objects.get(name="Registradores"), carmen.staff_groups.get(role="editors").group)
    root = UserFactory(username="root", is_superuser=True)
    outsider = UserFactory(username="vecina")

    def seen(user):
        return set(Organization.objects.visible_to_staff(user).values_list("pk", flat=True))

    assert seen(lima_reviewer) == {in_lima.pk}
    assert seen(carmen_reviewer) == {in_carmen.pk}
    assert seen(both) == seen(root) == {in_lima.pk, in_carmen.pk}
    assert seen(outsider) == set()
    assert jurisdiction.serves(carmen_reviewer, carmen.pk) and not jurisdiction.serves(
        carmen_reviewer, lima.pk
    )
