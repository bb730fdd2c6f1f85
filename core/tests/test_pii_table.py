"""The guard against a table of disguised identifiers and ordinary texts (see pii_table.py)."""

import pytest
from django.core.exceptions import ValidationError

from core.pii import find_pii, validate_no_pii
from core.tests.pii_table import DISGUISED, ORDINARY


def test_the_table_is_big_enough_and_covers_every_class():
    assert len(DISGUISED) >= 60
    assert len(ORDINARY) >= 40
    assert {kind for _text, kind in DISGUISED} == {"pesel", "phone", "email", "id_card", "passport", "account", "flat"}


@pytest.mark.parametrize(("text", "kind"), DISGUISED)
def test_it_sees_through_a_disguise(text, kind):
    findings = find_pii(f"Rozmowa przy kawie, {text} i tyle.")
    assert [f.kind for f in findings] == [kind]
    with pytest.raises(ValidationError):
        validate_no_pii(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_it_lets_an_ordinary_text_through(text):
    assert find_pii(text) == []


@pytest.mark.parametrize(("text", "kind"), DISGUISED)
def test_a_finding_points_at_the_identifier_in_the_text_as_written(text, kind):
    sentence = f"Rozmowa przy kawie, {text} i tyle."
    [finding] = find_pii(sentence)
    assert sentence[finding.start : finding.end] == finding.fragment
    assert finding.fragment and finding.fragment in text


def test_flats_are_refused_where_street_addresses_are_fine():
    for text, kind in DISGUISED:
        assert [f.kind for f in find_pii(text, allow_addresses=True)] == [kind], text


@pytest.mark.parametrize(
    "text",
    [
        "x" * 20_000 + "@",  # the old e-mail pattern took seconds on this
        "a@" * 10_000,
        "1 " * 10_000,
        "\u200b1" * 10_000,
        "Kolejowa 5/3 " * 1_000,
    ],
)
def test_long_hostile_texts_are_checked(text):
    find_pii(text)  # speed is measured in `make bench`; here: no error, no hang
