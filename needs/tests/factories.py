import factory

from needs.models import Institution, ProblemCategory


class InstitutionFactory(factory.django.DjangoModelFactory[Institution]):
    class Meta:
        model = Institution
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Instytucja {n}")
    kind = Institution.Kind.CITY_OFFICE
    answer_days = 14


class CategoryFactory(factory.django.DjangoModelFactory[ProblemCategory]):
    class Meta:
        model = ProblemCategory
        django_get_or_create = ("code",)

    code = "lighting"
    name = "Oświetlenie"


def report(**fields):
    from needs import services

    defaults = {"category": CategoryFactory.create(), "description": "Nie świeci lampa przy wejściu", "by": None}
    return services.problem_report(**{**defaults, **fields})[0]
