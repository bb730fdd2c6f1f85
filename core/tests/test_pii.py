import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.pii import (
    account_is_valid,
    find_names,
    find_pii,
    id_card_is_valid,
    name_warnings,
    passport_is_valid,
    pesel_is_valid,
    validate_no_pii,
)

REFUSED = [
    ("Pan z PESEL 02070803628 prosi o pomoc", "pesel"),
    ("pesel 44051401359", "pesel"),
    ("numer 440514 01359", "pesel"),
    ("dzwonić 601 234 567", "phone"),
    ("tel. 601-234-567", "phone"),
    ("tel 601234567 po 16", "phone"),
    ("+48 601 234 567", "phone"),
    ("+48601234567", "phone"),
    ("0048 601 234 567", "phone"),
    ("stacjonarny 32 422 11 22", "phone"),
    ("(32) 422-11-22", "phone"),
    ("pisać na jan.kowalski@wp.pl", "email"),
    ("mail: ola_92@gmail.com.", "email"),
    ("adres jan [at] wp (dot) pl", "email"),
    ("dowód ABA300000", "id_card"),
    ("dowód ABA 300000", "id_card"),
    ("paszport AB4123456", "passport"),
    ("konto 61 1090 1014 0000 0712 1981 2874", "account"),
    ("PL61109010140000071219812874", "account"),
    ("mieszka przy ul. Kolejowej 5/3", "flat"),
    ("Kolejowa 5 m. 3", "flat"),
    ("os. Piaski 12 lok. 4", "flat"),
    ("mieszka na ul. Hutniczej 7", "address"),
    ("przy Kolejowej 5 mieszka starsza pani", "address"),
]

ALLOWED = [
    "ma 11 lat",
    "pokój 12",
    "3 kawy",
    "2 herbaty i 5 ciastek",
    "12.03.2026",
    "2026-03-12",
    "12 marca o 9",
    "15:30",
    "o 9 rano",
    "12,50 zł",
    "1 200 zł",
    "50% taniej",
    "w 1998 roku",
    "autobus 17",
    "mieszkanie na 3 piętrze",
    "20 osób",
    "blok 5",
    "od 12.03 do 15.03",
    "12345678901 (to nie PESEL: zła suma kontrolna)",
    "zebraliśmy 123 456 zł",
    "Sala 2 w Klubie",
    "lampa",
    "",
]


@pytest.mark.parametrize(("text", "kind"), REFUSED)
def test_it_refuses_identifiers(text, kind):
    kinds = [f.kind for f in find_pii(text)]
    assert kinds == [kind]
    with pytest.raises(ValidationError):
        validate_no_pii(text)


@pytest.mark.parametrize("text", ALLOWED)
def test_it_lets_ordinary_numbers_through(text):
    assert find_pii(text) == []
    validate_no_pii(text)


def test_a_street_address_of_a_broken_thing_is_fine_in_a_problem():
    text = "Nie świeci lampa przy ul. Kolejowej 5, od tygodnia."
    assert [f.kind for f in find_pii(text)] == ["address"]
    assert find_pii(text, allow_addresses=True) == []


def test_a_flat_number_is_refused_even_where_addresses_are_fine():
    assert [f.kind for f in find_pii("przecieka dach, ul. Kolejowa 5/3", allow_addresses=True)] == ["flat"]


def test_identifiers_are_refused_even_where_addresses_are_fine():
    assert [f.kind for f in find_pii("lampa przy ul. Kolejowej 5, tel. 601 234 567", allow_addresses=True)] == ["phone"]


def test_the_message_is_polish_names_the_fragment_masked_and_suggests_what_to_do():
    with pytest.raises(ValidationError) as error:
        validate_no_pii("Pan z PESEL 02070803628 prosi o pomoc")
    [message] = error.value.messages
    assert "PESEL" in message
    assert "020708•••28" in message
    assert "02070803628" not in message
    assert "anonimowe" in message


def test_every_finding_gets_its_own_message():
    with pytest.raises(ValidationError) as error:
        validate_no_pii("tel. 601 234 567, mail ola@wp.pl")
    assert len(error.value.messages) == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Pani Kowalska prosi o pomoc", "Pani Kowalska"),
        ("rozmawiałam z panem Zbyszkiem", "panem Zbyszkiem"),
        ("Anna Nowak z drugiego piętra", "Anna Nowak"),
        ("syn Jana Kowalskiego", "Jana Kowalskiego"),
    ],
)
def test_it_warns_about_what_looks_like_a_name(text, fragment):
    assert [f.fragment for f in find_names(text)] == [fragment]
    [warning] = name_warnings(text)
    assert fragment in warning
    assert "starsza sąsiadka z parteru" in warning
    validate_no_pii(text)  # a warning, not a refusal


@pytest.mark.parametrize(
    "text", ["Park Piaski", "Klub Mieszkańca", "Pan Bóg wie", "Wszyscy przyszli", "Kawa i herbata"]
)
def test_it_does_not_warn_about_ordinary_capitalised_words(text):
    assert name_warnings(text) == []


def test_checksums():
    assert pesel_is_valid("02070803628")
    assert pesel_is_valid("44051401359")
    assert not pesel_is_valid("44051401358")
    assert not pesel_is_valid("44150001359")  # no 15th month in any century
    assert id_card_is_valid("ABA300000")
    assert not id_card_is_valid("ABA300001")
    assert passport_is_valid("AB4123456")
    assert not passport_is_valid("AB5123456")
    assert account_is_valid("61 1090 1014 0000 0712 1981 2874")
    assert not account_is_valid("61 1090 1014 0000 0712 1981 2875")


ORDINARY = st.one_of(
    st.integers(1, 99).map(lambda n: f"ma {n} lat"),
    st.integers(1, 999).map(lambda n: f"pokój {n}"),
    st.integers(1, 50).map(lambda n: f"{n} kawy"),
    st.integers(1, 300).map(lambda n: f"{n} osób"),
    st.tuples(st.integers(1, 28), st.integers(1, 12), st.integers(1990, 2030)).map(
        lambda t: f"{t[0]:02d}.{t[1]:02d}.{t[2]}"
    ),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)).map(
        lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"
    ),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"o {t[0]}:{t[1]:02d}"),
    st.tuples(st.integers(1, 9999), st.integers(0, 99)).map(lambda t: f"{t[0]},{t[1]:02d} zł"),
    st.integers(1, 999_999).map(lambda n: f"{n:,} zł".replace(",", " ")),
    st.integers(1, 100).map(lambda n: f"{n}%"),
    st.integers(1, 40).map(lambda n: f"autobus {n}"),
    st.integers(0, 10).map(lambda n: f"mieszkanie na {n} piętrze"),
    st.integers(1, 30).map(lambda n: f"blok {n}"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ORDINARY, min_size=1, max_size=5), st.sampled_from([". ", ", a ", "; ", " i "]))
def test_random_ordinary_sentences_with_numbers_pass(parts, glue):
    sentence = "Sąsiadka mówi, że " + glue.join(parts) + "."
    assert find_pii(sentence) == [], sentence
