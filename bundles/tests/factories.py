import factory

from bundles.models import Bundle, Service, ServiceType
from needs.tests.factories import InstitutionFactory


class ServiceTypeFactory(factory.django.DjangoModelFactory[ServiceType]):
    class Meta:
        model = ServiceType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"type_{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())


class PartnerFactory(InstitutionFactory):
    name = factory.Sequence(lambda n: f"Partner {n}")
    address = "ul. Kolejowa 12"
    opening_hours = "pn.–pt. 8–16"


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Usługa {n}")
    type = factory.SubFactory(ServiceTypeFactory, code="social_welfare", name="Pomoc społeczna")
    how_to_get = "Wtorki 10–12, bez zapisów."
    public = True

    @factory.post_generation
    def needs(self, create, extracted, **kwargs):
        if create and extracted:
            self.needs.set(extracted)


class BundleFactory(factory.django.DjangoModelFactory[Bundle]):
    class Meta:
        model = Bundle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Wiązka {n}")

    @factory.post_generation
    def needs(self, create, extracted, **kwargs):
        if create and extracted:
            self.needs.set(extracted)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)
