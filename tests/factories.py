"""factory_boy factories shared by every test folder."""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from registry.models import (
    ApplicationStatus,
    District,
    Kind,
    LegalForm,
    Organization,
    OrganizationMembership,
    Person,
    Sector,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("una-clave-segura-123")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    kind = Kind.BUSINESS
    legal_form = LegalForm.SOLE_PROPRIETOR
    name = factory.Sequence(lambda n: f"Arepera Maracaibo {n}")
    sector = factory.LazyFunction(lambda: Sector.objects.get(code="gastronomia"))
    district = factory.LazyFunction(lambda: District.objects.get(code="carmen-de-la-legua-reynoso"))
    short_description = "Arepas y cachapas"
    description = "Arepas rellenas, cachapas y tequeños."
    services = factory.LazyFunction(lambda: ["arepas", "cachapas"])
    languages = factory.LazyFunction(lambda: ["es"])
    phone = "+51987654321"
    whatsapp = "+51987654321"
    status = ApplicationStatus.DRAFT
    live = False

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create and extracted:
            OrganizationMembership.objects.create(
                organization=self, user=extracted, role=OrganizationMembership.Role.OWNER
            )


class PublishedOrganizationFactory(OrganizationFactory):
    status = ApplicationStatus.APPROVED
    live = True
    registry_number = factory.Sequence(lambda n: f"RMO-2026-{n + 1:06d}")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    full_name = "María José Pérez Rondón"
    nationality = "Venezolana"
    document_type = "cpp"
    document_number = "CPP00123456"
    phone = "+51987000111"
    email = "maria.perez@example.org"
