"""The PII guard: free text about residents must not carry personal identifiers.

Every path where free text enters (forms, the admin, the API, Open311, imports) calls
``validate_no_pii``; the mixins in ``core.forms``, ``core.admin``, ``core.serializers`` and
``core.resources`` wire it in. Identifiers (PESEL, phone numbers, e-mail addresses, ID-card and
passport numbers, bank accounts, flat-level addresses) are refused; what only *looks like* a
person's name is a warning the user may override, because "Pan Kazik z parteru" and
"Park Piaski" are hard to tell apart by rule.

Numbers alone are never enough: a PESEL, an ID card, a passport and an account must pass their
checksums, and a phone number must have the shape Poles write them in. "Ma 11 lat", "pokój 12",
"3 kawy", dates, times and prices pass.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .pii_names import FIRST_NAMES

_UPPER = "A-ZĄĆĘŁŃÓŚŹŻ"
_LOWER = "a-ząćęłńóśźż"
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"


@dataclass(frozen=True)
class Finding:
    kind: str
    fragment: str
    start: int
    end: int

    def message(self) -> str:
        shown = mask(self.fragment) if self.kind in _MASKED else self.fragment
        template = _MESSAGES[self.kind]()
        return template.format(fragment=shown)


def mask(fragment: str) -> str:
    """Show enough of an identifier to find it in the text, not enough to read it."""
    chars = fragment.strip()
    if len(chars) <= 6:
        return chars[:1] + "•" * (len(chars) - 1)
    return chars[:6] + "•••" + chars[-2:]


_MASKED = {"pesel", "phone", "id_card", "passport", "account"}

_MESSAGES = {
    "pesel": lambda: _(
        "The text contains a PESEL number ({fragment}). Notes are anonymous: remove the number, "
        "describing the situation is enough."
    ),
    "phone": lambda: _(
        "The text contains a phone number ({fragment}). Do not write down residents' contact details: "
        "if someone wants to be contacted, tick “wants follow-up” and tell them when the next duty is."
    ),
    "email": lambda: _(
        "The text contains an e-mail address ({fragment}). Do not write down residents' contact details: "
        "if someone wants to be contacted, tick “wants follow-up”."
    ),
    "id_card": lambda: _("The text contains an ID card number ({fragment}). Remove it: notes are anonymous."),
    "passport": lambda: _("The text contains a passport number ({fragment}). Remove it: notes are anonymous."),
    "account": lambda: _("The text contains a bank account number ({fragment}). Remove it: notes are anonymous."),
    "flat": lambda: _(
        "The text contains the address of a flat ({fragment}). Write where, not who lives there: "
        "e.g. “a flat on the ground floor of the familok at the courtyard”."
    ),
    "address": lambda: _(
        "The text contains a street address with a house number ({fragment}). In a note about people "
        "leave the number out: e.g. “a familok by the courtyard”."
    ),
    "name": lambda: _(
        "“{fragment}” looks like a person's name. Instead of a name, describe the person, e.g. "
        "“the elderly neighbour from the ground floor”."
    ),
}

# --- Identifiers ---------------------------------------------------------------------------------

_PESEL = re.compile(r"(?<![\d/.,:-])(\d{2})[ -]?(\d{2})[ -]?(\d{2})[ -]?(\d{5})(?![\d/.,:]\d)(?!\d)")
_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def pesel_is_valid(digits: str) -> bool:
    if len(digits) != 11 or not digits.isdigit():
        return False
    month = int(digits[2:4]) % 20
    day = int(digits[4:6])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:10], _PESEL_WEIGHTS, strict=True))
    return (10 - total % 10) % 10 == int(digits[10])


_PHONE = re.compile(
    r"(?<![\w+/.,:-])"
    r"(?:(?:\+|00)\s?48[ -]?)?"
    r"(?:"
    r"[1-9]\d{2}[ -]?\d{3}[ -]?\d{3}"  # 601 234 567, 601-234-567, 601234567
    r"|\(?[1-9]\d\)?[ -]?\d{3}[ -]?\d{2}[ -]?\d{2}"  # 32 422 11 22, (32) 422-11-22
    r")"
    r"(?![\w/.,:-]?\d)"
)
_PHONE_INTL = re.compile(r"(?:\+|00)\s?48")

_EMAIL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[\w.+-]+\s*[\[(]\s*(?:at|małpa|malpa)\s*[\])]\s*[\w-]+(?:\s*(?:\.|[\[(]\s*(?:dot|kropka)\s*[\])])\s*[\w-]+)+",
    re.IGNORECASE,
)

_ID_CARD = re.compile(r"(?<![\w])([A-Z]{3})[ ]?(\d{6})(?![\w])")
_PASSPORT = re.compile(r"(?<![\w])([A-Z]{2})[ ]?(\d{7})(?![\w])")
_ACCOUNT = re.compile(r"(?<![\w])(?:PL\s?)?(\d{2}(?:[ -]?\d{4}){6})(?![\w])", re.IGNORECASE)


def _letter_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def _check_digit_valid(code: str, letters: int, weights: tuple[int, ...]) -> bool:
    """Letters, a check digit, digits: the weighted sum (letters A=10…) must end in the check digit."""
    code = code.replace(" ", "").upper()
    if not re.fullmatch(rf"[A-Z]{{{letters}}}\d{{{len(weights) - letters}}}", code):
        return False
    total = sum(_letter_value(c) * w for c, w in zip(code, weights, strict=True))
    return total % 10 == int(code[letters])


def id_card_is_valid(code: str) -> bool:
    """Polish ID card: 3 letters, a check digit, 5 digits (weights 7,3,1,(9),7,3,1,7,3)."""
    return _check_digit_valid(code, 3, (7, 3, 1, 0, 7, 3, 1, 7, 3))


def passport_is_valid(code: str) -> bool:
    """Polish passport: 2 letters, a check digit, 6 digits (weights 7,3,(9),1,7,3,1,7,3)."""
    return _check_digit_valid(code, 2, (7, 3, 0, 1, 7, 3, 1, 7, 3))


def account_is_valid(digits: str) -> bool:
    """A Polish NRB (26 digits) with a valid IBAN checksum (ISO 13616, mod 97)."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 26:
        return False
    rearranged = digits[2:] + "2521" + digits[:2]  # P=25, L=21
    return int(rearranged) % 97 == 1


# --- Addresses -----------------------------------------------------------------------------------

_STREET_PREFIX = r"(?:ul\.?|ulic[ayi]|al\.|alej[ai]|aleja|os\.|osiedl[eu]|pl\.|plac[u]?|przy)"
_STREET_NAME = rf"(?:{_WORD}|\d{{1,2}}\s+{_WORD})(?:\s+{_WORD}){{0,2}}"
_HOUSE = r"\d{1,4}[a-zA-Z]?"
_FLAT = r"(?:\s*/\s*\d{1,4}[a-zA-Z]?|\s+(?:m\.?|lok\.?|lokal[u]?|mieszkani[ea]|mieszk\.)\s*\d{1,4}[a-zA-Z]?)"
_ADDRESS = re.compile(
    rf"\b{_STREET_PREFIX}\s+(?P<name>{_STREET_NAME})\s+(?P<house>{_HOUSE})(?P<flat>{_FLAT})?(?![\w/])",
)
# "Kolejowa 5/3" or "Kolejowej 5 m. 3" without "ul.": a flat number makes it an address anyway.
_BARE_FLAT = re.compile(rf"\b(?P<name>{_WORD})\s+(?P<house>{_HOUSE})(?P<flat>{_FLAT})(?![\w/])")
_NOT_STREETS = {
    "Pokój",
    "Sala",
    "Blok",
    "Klatka",
    "Autobus",
    "Tramwaj",
    "Linia",
    "Piętro",
    "Numer",
    "Nr",
    "Godzina",
    "Strona",
    "Rozdział",
    "Punkt",
    "Dom",
    "Budynek",
    "Stycznia",
    "Lutego",
    "Marca",
    "Kwietnia",
    "Maja",
    "Czerwca",
    "Lipca",
    "Sierpnia",
    "Września",
    "Października",
    "Listopada",
    "Grudnia",
}

# --- Names ---------------------------------------------------------------------------------------

_HONORIFIC = re.compile(rf"\b(?:[Pp]an|[Pp]ani|[Pp]ana|[Pp]anu|[Pp]anem|[Pp]anią|[Pp]aństwo|[Pp]aństwa)\s+({_WORD})")
_NAME_PAIR = re.compile(rf"\b({_WORD})\s+({_WORD})")
_SURNAME_ENDING = re.compile(
    rf"^[{_UPPER}][{_LOWER}]+(?:ski|cki|dzki|ska|cka|dzka|skiego|skiej|ckiego|ckiej|wicz|czyk|czak|ak|ek|ik|uk|yk)$"
)
# Words that follow "pan/pani" without being a name: "Pani z Klubu", "Pan Bóg", institutions.
_NOT_NAMES = {"Bóg", "Boga", "Bogu", "Jezus", "Klub", "Klubu", "Miasto", "Miasta", "Urząd", "Urzędu", "Park", "Parku"}


def _identifiers(text: str) -> Iterator[Finding]:
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in _EMAIL.finditer(text):
        taken.append(m.span())
        yield Finding("email", m.group(0), *m.span())
    for m in _ACCOUNT.finditer(text):
        if free(*m.span()) and account_is_valid(m.group(1)):
            taken.append(m.span())
            yield Finding("account", m.group(0), *m.span())
    for m in _PESEL.finditer(text):
        if free(*m.span()) and pesel_is_valid("".join(m.groups())):
            taken.append(m.span())
            yield Finding("pesel", m.group(0), *m.span())
    for m in _PHONE.finditer(text):
        if not free(*m.span()):
            continue
        digits = re.sub(r"\D", "", m.group(0))
        if _PHONE_INTL.match(m.group(0)):
            digits = digits.removeprefix("00").removeprefix("48")
        national = digits
        if len(national) == 9:
            taken.append(m.span())
            yield Finding("phone", m.group(0), *m.span())
    for m in _ID_CARD.finditer(text):
        if free(*m.span()) and id_card_is_valid(m.group(0)):
            taken.append(m.span())
            yield Finding("id_card", m.group(0), *m.span())
    for m in _PASSPORT.finditer(text):
        if free(*m.span()) and passport_is_valid(m.group(0)):
            taken.append(m.span())
            yield Finding("passport", m.group(0), *m.span())


def _addresses(text: str, *, allow_addresses: bool) -> Iterator[Finding]:
    seen: list[tuple[int, int]] = []
    for m in _ADDRESS.finditer(text):
        first_word = m.group("name").split()[0]
        if first_word in _NOT_STREETS:
            continue
        seen.append(m.span())
        if m.group("flat"):
            yield Finding("flat", m.group(0).strip(), *m.span())
        elif not allow_addresses:
            yield Finding("address", m.group(0).strip(), *m.span())
    for m in _BARE_FLAT.finditer(text):
        if m.group("name") in _NOT_STREETS or any(s <= m.start() < e for s, e in seen):
            continue
        yield Finding("flat", m.group(0).strip(), *m.span())


def find_pii(text: str, *, allow_addresses: bool = False) -> list[Finding]:
    """Every personal identifier in ``text``, in order of appearance."""
    if not text:
        return []
    findings = list(_identifiers(text)) + list(_addresses(text, allow_addresses=allow_addresses))
    return sorted(findings, key=lambda f: f.start)


def validate_no_pii(text: str, *, allow_addresses: bool = False) -> None:
    """Raise a ValidationError (one Polish message per finding) when ``text`` holds identifiers."""
    findings = find_pii(text or "", allow_addresses=allow_addresses)
    if findings:
        raise ValidationError([ValidationError(f.message(), code=f"pii_{f.kind}") for f in findings])


def find_names(text: str) -> list[Finding]:
    if not text:
        return []
    findings: list[Finding] = []
    for m in _HONORIFIC.finditer(text):
        if m.group(1) not in _NOT_NAMES:
            findings.append(Finding("name", m.group(0), *m.span()))
    for m in _NAME_PAIR.finditer(text):
        first, second = m.group(1), m.group(2)
        if any(f.start <= m.start() < f.end for f in findings):
            continue
        if first in FIRST_NAMES and (second not in FIRST_NAMES or _SURNAME_ENDING.match(second)):
            findings.append(Finding("name", m.group(0), *m.span()))
    return sorted(findings, key=lambda f: f.start)


def name_warnings(text: str) -> list[str]:
    """Polish warnings for what looks like a person's name (not blocking: the user may confirm)."""
    return [f.message() for f in find_names(text)]
