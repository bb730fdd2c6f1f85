from datetime import time

import factory
from django.utils import timezone

from club.models import Activity, Room


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Sala {n}")


def make_activity(**fields):
    from club import services

    defaults = {
        "title": "Szachy",
        "room": fields.pop("room", None) or RoomFactory.create(),
        "starts_on": timezone.localdate(),
        "start_time": time(17),
        "end_time": time(18, 30),
        "recurrence": Activity.Recurrence.ONCE,
    }
    return services.activity_create(**{**defaults, **fields})
