import pytest
from django.utils import timezone

from duty.models import Shift
from duty.tests.factories import NeedFactory, ShiftFactory


@pytest.fixture
def needs(db):
    return [
        NeedFactory.create(code="being_heard", name="Rozmowa"),
        NeedFactory.create(code="childcare", name="Opieka nad dziećmi"),
    ]


@pytest.fixture
def shift(assistant):
    return ShiftFactory.create(assistants=[assistant])


@pytest.fixture
def started_shift(assistant):
    return ShiftFactory.create(assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now())


@pytest.fixture
def other_shift(assistant2):
    return ShiftFactory.create(assistants=[assistant2], status=Shift.Status.STARTED, started_at=timezone.now())
