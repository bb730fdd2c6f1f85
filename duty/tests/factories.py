import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from duty.models import ConversationNote, Place, Shift
from needs.models import Need


class PlaceFactory(factory.django.DjangoModelFactory[Place]):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Podwórko {n}")
    kind = Place.Kind.COURTYARD
    district = "Paruszowiec-Piaski"
    lat = factory.Sequence(lambda n: f"50.09{n % 100:02d}")
    lon = "18.5236"


class ShiftFactory(factory.django.DjangoModelFactory[Shift]):
    class Meta:
        model = Shift
        skip_postgeneration_save = True

    place = factory.SubFactory(PlaceFactory)
    planned_start = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=30))
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + timedelta(hours=2))

    @factory.post_generation
    def assistants(self, create, extracted, **kwargs):
        if create and extracted:
            self.assistants.set(extracted)


class NeedFactory(factory.django.DjangoModelFactory[Need]):
    class Meta:
        model = Need
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"need_{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())


class NoteFactory(factory.django.DjangoModelFactory[ConversationNote]):
    class Meta:
        model = ConversationNote

    shift = factory.SubFactory(ShiftFactory)
    place = factory.LazyAttribute(lambda o: o.shift.place)
    text = "Rozmowa o zajęciach dla dzieci."
    client_uuid = factory.LazyFunction(uuid.uuid4)
