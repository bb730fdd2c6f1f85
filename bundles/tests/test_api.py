import uuid

import pytest
from django.urls import reverse

from bundles.models import ServiceTold
from bundles.tests.factories import BundleFactory, PartnerFactory, ServiceFactory, ServiceTypeFactory
from duty.tests.factories import NeedFactory, ShiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(db):
    return NeedFactory.create(code="limited_money", name="Ograniczone środki")


def test_it_lists_active_services_for_a_need_with_the_contract_fields(assistant_client, money):
    other = NeedFactory.create(code="curiosity")
    s = ServiceFactory.create(needs=[money], name="Porada w sprawie długów", how_to_get="Wtorki 10–12")
    ServiceFactory.create(needs=[money], active=False)
    ServiceFactory.create(needs=[money], partner=PartnerFactory.create(active=False))
    ServiceFactory.create(needs=[other])
    r = assistant_client.get("/api/v1/services/?need=limited_money")
    assert r.status_code == 200
    assert r.json() == [
        {
            "id": s.pk,
            "name": "Porada w sprawie długów",
            "type": s.type.name,
            "type_code": s.type.code,
            "partner": s.partner.name,
            "how_to_get": "Wtorki 10–12",
            "description": "",
            "free": True,
            "public": True,
        }
    ]


def test_it_keeps_the_services_list_to_the_same_queries_for_1_and_50(
    assistant_client, money, django_assert_max_num_queries
):
    ServiceFactory.create(needs=[money])
    with django_assert_max_num_queries(6) as one:
        assistant_client.get("/api/v1/services/?need=limited_money")
    for _ in range(49):
        ServiceFactory.create(needs=[money])
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = assistant_client.get("/api/v1/services/?need=limited_money")
    assert len(r.json()) == 50


def test_it_refuses_the_services_list_without_a_field_role(anon_client, club_client):
    assert anon_client.get("/api/v1/services/").status_code in (401, 403)
    assert club_client.get("/api/v1/services/").status_code == 403


def test_it_gives_one_row_per_need_with_counts_and_completeness(assistant_client, money):
    childcare = NeedFactory.create(code="childcare")
    a, b = PartnerFactory.create(), PartnerFactory.create()
    t1, t2 = ServiceTypeFactory.create(code="t1"), ServiceTypeFactory.create(code="t2")
    services = [
        ServiceFactory.create(partner=a, type=t1),
        ServiceFactory.create(partner=a, type=t2),
        ServiceFactory.create(partner=b, type=t1),
    ]
    BundleFactory.create(needs=[money], services=services)
    BundleFactory.create(needs=[childcare], services=services[:2])
    r = assistant_client.get("/api/v1/bundles/")
    assert r.status_code == 200
    rows = {row["need"]: row for row in r.json()}
    assert {k: rows["limited_money"][k] for k in ("services", "partners", "types", "complete")} == {
        "services": 3,
        "partners": 2,
        "types": 2,
        "complete": True,
    }
    assert {k: rows["childcare"][k] for k in ("services", "partners", "types", "complete")} == {
        "services": 2,
        "partners": 1,
        "types": 2,
        "complete": False,
    }
    assert "partnerów" in rows["childcare"]["why_not"]


def test_it_keeps_the_bundles_list_to_the_same_queries_for_1_and_50(assistant_client, django_assert_max_num_queries):
    def add():
        need = NeedFactory.create()
        BundleFactory.create(needs=[need], services=[ServiceFactory.create(), ServiceFactory.create()])

    add()
    with django_assert_max_num_queries(6) as one:
        assistant_client.get("/api/v1/bundles/")
    for _ in range(49):
        add()
    with django_assert_max_num_queries(len(one.captured_queries)):
        r = assistant_client.get("/api/v1/bundles/")
    assert len(r.json()) >= 50


def told_url(service):
    return reverse("service-told", args=[service.pk])


def test_it_counts_told_once_per_client_uuid(assistant_client, assistant):
    service = ServiceFactory.create()
    shift = ShiftFactory.create(assistants=[assistant])
    body = {"client_uuid": str(uuid.uuid4()), "shift": shift.pk}
    first = assistant_client.post(told_url(service), body, content_type="application/json")
    again = assistant_client.post(told_url(service), body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"service": service.pk, "shift": shift.pk, "told": 1, "handoff": 0}
    other = {"client_uuid": str(uuid.uuid4()), "shift": shift.pk, "kind": "handoff"}
    r = assistant_client.post(told_url(service), other, content_type="application/json")
    assert r.json() == {"service": service.pk, "shift": shift.pk, "told": 1, "handoff": 1}
    assert ServiceTold.objects.count() == 2


def test_it_refuses_a_replayed_client_uuid_with_other_content(assistant_client, assistant):
    service, second = ServiceFactory.create(), ServiceFactory.create()
    shift = ShiftFactory.create(assistants=[assistant])
    body = {"client_uuid": str(uuid.uuid4()), "shift": shift.pk}
    assistant_client.post(told_url(service), body, content_type="application/json")
    r = assistant_client.post(told_url(second), body, content_type="application/json")
    assert r.status_code == 409
    assert ServiceTold.objects.count() == 1


def test_it_refuses_told_on_someone_elses_shift_or_bad_input(assistant_client, assistant2):
    service = ServiceFactory.create()
    theirs = ShiftFactory.create(assistants=[assistant2])
    r = assistant_client.post(
        told_url(service), {"client_uuid": str(uuid.uuid4()), "shift": theirs.pk}, content_type="application/json"
    )
    assert r.status_code == 400
    assert "dyżuru" in r.json()["shift"][0]
    r = assistant_client.post(
        told_url(service), {"client_uuid": "nie-uuid", "shift": "x"}, content_type="application/json"
    )
    assert r.status_code == 400
    assert not ServiceTold.objects.exists()


def test_it_refuses_told_without_a_field_role(anon_client, club_client, assistant):
    service = ServiceFactory.create()
    shift = ShiftFactory.create(assistants=[assistant])
    body = {"client_uuid": str(uuid.uuid4()), "shift": shift.pk}
    assert anon_client.post(told_url(service), body, content_type="application/json").status_code in (401, 403)
    assert club_client.post(told_url(service), body, content_type="application/json").status_code == 403
    assert not ServiceTold.objects.exists()


def test_it_records_no_person_with_a_told_count():
    fields = {f.name for f in ServiceTold._meta.get_fields()}
    assert fields <= {"id", "client_uuid", "client_fingerprint", "service", "shift", "kind", "at"}
