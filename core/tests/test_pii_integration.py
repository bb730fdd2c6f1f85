"""The guard's mixins on each path where free text enters: forms, the admin, the API, imports."""

import pytest
import tablib
from django import forms
from rest_framework import serializers

from core.forms import PIIGuardFormMixin
from core.resources import PIIGuardResourceMixin
from core.serializers import PIIGuardSerializerMixin
from duty.models import ConversationNote, Place
from needs.models import Problem

pytestmark = pytest.mark.django_db


class NoteForm(PIIGuardFormMixin, forms.ModelForm):
    pii_fields = ("text",)

    class Meta:
        model = ConversationNote
        fields = ("place", "stage", "text")


class ProblemForm(PIIGuardFormMixin, forms.Form):
    pii_address_fields = ("description",)
    description = forms.CharField()


@pytest.fixture
def place():
    return Place.objects.create(name="Podwórko")


def test_the_form_refuses_a_pesel_and_keeps_what_was_typed(place):
    text = "Pan z PESEL 02070803628 prosi o pomoc przy remoncie"
    form = NoteForm(data={"place": place.pk, "stage": "first_contact", "text": text})
    assert not form.is_valid()
    assert "PESEL" in form.errors["text"][0]
    assert form["text"].value() == text
    assert 'value="first_contact" selected' in str(form["stage"])


def test_the_form_asks_to_confirm_a_name_and_saves_once_confirmed(place):
    data = {"place": place.pk, "stage": "first_contact", "text": "Pani Kowalska chce zajęć dla wnuków"}
    form = NoteForm(data=data)
    assert not form.is_valid()
    assert form.pii_warnings and "Pani Kowalska" in form.pii_warnings[0]
    assert 'type="checkbox"' in str(form["pii_confirmed"])
    form = NoteForm(data={**data, "pii_confirmed": "on"})
    assert form.is_valid(), form.errors
    assert form.save().text == data["text"]


def test_the_confirmation_box_stays_hidden_without_warnings(place):
    form = NoteForm(data={"place": place.pk, "stage": "first_contact", "text": "3 kawy, dzieci 11 lat"})
    assert form.is_valid()
    assert 'type="hidden"' in str(form["pii_confirmed"])


def test_an_address_field_takes_a_street_address_but_not_a_phone():
    assert ProblemForm(data={"description": "Lampa przy ul. Kolejowej 5 nie świeci"}).is_valid()
    form = ProblemForm(data={"description": "Lampa przy ul. Kolejowej 5, dzwonić 601 234 567"})
    assert not form.is_valid()
    assert "telefonu" in form.errors["description"][0]


class NoteSerializer(PIIGuardSerializerMixin, serializers.Serializer):
    pii_fields = ("text",)
    text = serializers.CharField()


def test_the_serializer_answers_400_shaped_errors():
    serializer = NoteSerializer(data={"text": "pisz na ola@wp.pl"})
    assert not serializer.is_valid()
    assert list(serializer.errors) == ["text"]
    assert "e-mail" in serializer.errors["text"][0]


def test_the_serializer_collects_name_warnings_without_blocking():
    serializer = NoteSerializer(data={"text": "Anna Nowak przyszła z dziećmi"})
    assert serializer.is_valid()
    assert "Anna Nowak" in serializer.pii_warnings[0]


class ProblemResource(PIIGuardResourceMixin):
    pii_address_fields = ("description",)

    class Meta:
        model = Problem
        fields = ("id", "code", "category", "description")


def test_an_import_refuses_rows_with_identifiers_and_imports_nothing_from_them():
    from needs.models import ProblemCategory

    category = ProblemCategory.objects.get(code="lighting")  # shipped with the app
    data = tablib.Dataset(headers=["id", "code", "category", "description"])
    data.append(["", "AAAA222", category.pk, "Lampa przy ul. Kolejowej 5 nie świeci"])
    data.append(["", "BBBB333", category.pk, "Zgłosił Jan, PESEL 44051401359"])
    result = ProblemResource().import_data(data, dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert "PESEL" in str(invalid.error_dict["description"])
    assert not Problem.objects.filter(code="BBBB333").exists()
