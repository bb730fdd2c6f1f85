"""The PII guard on every free-text field of partners, services, service types and bundles."""

import pytest
import tablib
from django.db import models
from django.urls import reverse

from bundles.admin import BundleAdmin, ServiceAdmin, ServiceTypeAdmin
from bundles.models import Bundle, Service, ServiceType
from bundles.resources import ServiceResource, ServiceTypeResource
from bundles.tests.factories import PartnerFactory, ServiceTypeFactory
from core.tests.pii_table import DISGUISED, ORDINARY
from duty.tests.factories import NeedFactory
from needs.admin import InstitutionAdmin
from needs.models import Institution
from needs.resources import InstitutionResource

pytestmark = pytest.mark.django_db

PESEL = "02070803628"


def _post(client, url, data):
    r = client.post(url, data)
    assert r.status_code == 200, "the form should come back with an error, not save"
    assert "PESEL" in r.content.decode()


def _service_data(partner, stype, need, **over):
    data = {
        "partner": partner.pk,
        "name": "Porada w sprawie długów",
        "type": stype.pk,
        "description": "Porada prawna",
        "who_may_use": "Każdy mieszkaniec",
        "free": "on",
        "how_to_get": "Wtorki 10–12",
        "needs": [need.pk],
        "public": "on",
        "active": "on",
        "bundles": [],
    }
    return {**data, **over}


@pytest.mark.parametrize("field", ["name", "description", "who_may_use", "how_to_get"])
def test_it_refuses_a_pesel_in_every_service_text_field(coordinator_client, field):
    partner, stype, need = PartnerFactory.create(), ServiceTypeFactory.create(code="debt_advice"), NeedFactory.create()
    data = _service_data(partner, stype, need, **{field: f"Pani z PESEL {PESEL}"})
    _post(coordinator_client, reverse("admin:bundles_service_add"), data)
    assert not Service.objects.exists()


def test_it_saves_a_clean_service_in_the_admin(coordinator_client):
    partner, stype, need = PartnerFactory.create(), ServiceTypeFactory.create(code="debt_advice"), NeedFactory.create()
    r = coordinator_client.post(reverse("admin:bundles_service_add"), _service_data(partner, stype, need))
    assert r.status_code == 302
    assert Service.objects.get().needs.get() == need


@pytest.mark.parametrize("field", ["name", *Bundle.CANVAS])
def test_it_refuses_a_pesel_in_every_bundle_text_field(coordinator_client, field):
    need = NeedFactory.create()
    data = {"name": "Samotny senior", "needs": [need.pk], "stage": "discovery", "active": "on"}
    data |= dict.fromkeys(Bundle.CANVAS, "")
    data[field] = f"Kontakt: PESEL {PESEL}"
    _post(coordinator_client, reverse("admin:bundles_bundle_add"), data)
    assert not Bundle.objects.exists()


@pytest.mark.parametrize("field", ["name", "description"])
def test_it_refuses_a_pesel_in_every_service_type_text_field(coordinator_client, field):
    data = {"code": "nowy", "name": "Nowy typ", "description": "", "order": 0, "active": "on"}
    data[field] = f"PESEL {PESEL}"
    _post(coordinator_client, reverse("admin:bundles_servicetype_add"), data)
    assert not ServiceType.objects.filter(code="nowy").exists()


@pytest.mark.parametrize("field", ["name", "address", "opening_hours", "contact"])
def test_it_refuses_a_pesel_in_every_partner_text_field(coordinator_client, field):
    data = {
        "name": "Fundacja Dobry Adres",
        "kind": "ngo",
        "address": "ul. Hutnicza 3",
        "opening_hours": "pn.–pt. 10–14",
        "public_phone": "",
        "public_email": "",
        "website": "",
        "contact": "",
        "email": "",
        "phone": "",
        "answer_days": 14,
        "active": "on",
    }
    data[field] = f"{data[field]} PESEL {PESEL}"
    _post(coordinator_client, reverse("admin:needs_institution_add"), data)
    assert not Institution.objects.filter(kind="ngo").exists()


def test_it_refuses_an_imported_service_row_with_a_pesel():
    partner, _type = PartnerFactory.create(name="MOPS"), ServiceTypeFactory.create(code="social_welfare")
    NeedFactory.create(code="limited_money")
    dataset = tablib.Dataset(headers=["partner", "name", "type", "how_to_get", "needs", "public", "active", "free"])
    dataset.append(["MOPS", "Zasiłek celowy", "social_welfare", "Przyjść do MOPS", "limited_money", 1, 1, 1])
    dataset.append(["MOPS", "Porada", "social_welfare", f"Zapytać o PESEL {PESEL}", "limited_money", 1, 1, 1])
    result = ServiceResource().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    assert result.has_validation_errors()
    assert not Service.objects.filter(name="Porada").exists()
    assert partner.services.count() in (0, 1)  # the clean row may stay or roll back, never the bad one


def test_it_imports_and_exports_services_with_their_needs():
    PartnerFactory.create(name="MOPS")
    ServiceTypeFactory.create(code="social_welfare")
    NeedFactory.create(code="limited_money")
    NeedFactory.create(code="being_heard")
    dataset = tablib.Dataset(headers=["partner", "name", "type", "how_to_get", "needs", "public", "active", "free"])
    dataset.append(
        ["MOPS", "Zasiłek celowy", "social_welfare", "Przyjść do MOPS", "limited_money,being_heard", 1, 1, 1]
    )
    result = ServiceResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    service = Service.objects.get(name="Zasiłek celowy")
    assert set(service.needs.values_list("code", flat=True)) == {"limited_money", "being_heard"}
    exported = ServiceResource().export()
    assert exported.dict[0]["partner"] == "MOPS" and "limited_money" in exported.dict[0]["needs"]


# Fields that hold no free text: codes and choices, and the organisation's own public contact
# (a phone number, an e-mail address and a website are what those fields are for).
NOT_FREE_TEXT = {
    Institution: {"kind", "public_phone", "public_email", "website", "email", "phone"},
    ServiceType: {"code"},
    Service: set(),
    Bundle: {"stage"},
}


def _text_fields(model):
    return {
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, (models.CharField, models.TextField)) and not f.primary_key
    } - NOT_FREE_TEXT[model]


@pytest.mark.parametrize(
    ("model", "admin_class", "resource"),
    [
        (Institution, InstitutionAdmin, InstitutionResource),
        (ServiceType, ServiceTypeAdmin, ServiceTypeResource),
        (Service, ServiceAdmin, ServiceResource),
        (Bundle, BundleAdmin, None),
    ],
    ids=["partner", "service type", "service", "bundle"],
)
def test_it_guards_every_free_text_field_on_every_path_in(model, admin_class, resource):
    """A text field added later without the guard fails here; the API writes no text at all."""
    text = _text_fields(model)
    assert text <= {*admin_class.pii_fields, *admin_class.pii_address_fields}
    if resource is not None:
        assert text <= {*resource.pii_fields, *resource.pii_address_fields}


def test_it_refuses_every_disguised_identifier_in_an_imported_service_and_takes_ordinary_text():
    PartnerFactory.create(name="MOPS")
    ServiceTypeFactory.create(code="social_welfare")
    dataset = tablib.Dataset(headers=["partner", "name", "type", "how_to_get", "public", "active", "free"])
    for i, (text, _kind) in enumerate(DISGUISED):
        dataset.append(["MOPS", f"Usługa {i}", "social_welfare", text, 1, 1, 1])
    for i, text in enumerate(ORDINARY):
        dataset.append(["MOPS", f"Zwykła {i}", "social_welfare", text, 1, 1, 1])
    result = ServiceResource().import_data(dataset, dry_run=False, raise_errors=False)
    assert len(result.invalid_rows) == len(DISGUISED)
    assert sorted(Service.objects.values_list("how_to_get", flat=True)) == sorted(ORDINARY)


@pytest.mark.parametrize("field", ["name", "address", "opening_hours", "contact"])
def test_it_refuses_an_imported_partner_row_with_a_pesel_in_any_text_field(field):
    row = {"name": "Fundacja Dobry Adres", "kind": "ngo", "address": "ul. Hutnicza 3", "opening_hours": "pn. 10–14"}
    row["contact"] = "Dział pomocy środowiskowej"
    row[field] = f"{row[field]} PESEL {PESEL}"
    dataset = tablib.Dataset(headers=list(row))
    dataset.append(list(row.values()))
    result = InstitutionResource().import_data(dataset, dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    assert not Institution.objects.filter(kind="ngo").exists()


@pytest.mark.parametrize("field", ["name", "description"])
def test_it_refuses_an_imported_service_type_with_a_pesel(field):
    row = {"code": "nowy", "name": "Nowy typ", "description": "Opis"}
    row[field] = f"{row[field]} PESEL {PESEL}"
    dataset = tablib.Dataset(headers=list(row))
    dataset.append(list(row.values()))
    result = ServiceTypeResource().import_data(dataset, dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    assert not ServiceType.objects.filter(code="nowy").exists()


def test_it_keeps_each_canvas_block_short_enough_for_one_a4_page(coordinator_client):
    need = NeedFactory.create()
    data = {"name": "Samotny senior", "needs": [need.pk], "stage": "discovery", "active": "on"}
    data |= dict.fromkeys(Bundle.CANVAS, "")
    data["key_partners"] = "x" * (Bundle.CANVAS_MAX + 1)
    r = coordinator_client.post(reverse("admin:bundles_bundle_add"), data)
    assert r.status_code == 200 and "500" in r.content.decode()
    assert not Bundle.objects.exists()
