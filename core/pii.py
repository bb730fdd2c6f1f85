"""The PII guard: free text about residents must not carry personal identifiers.

Every path where free text enters (forms, the admin, the API, Open311, imports) or leaves the
machine calls ``validate_no_pii``; the mixins in ``core.forms``, ``core.admin``,
``core.serializers`` and ``core.resources`` wire it in. Identifiers (PESEL, phone numbers, e-mail
addresses, ID-card and passport numbers, bank accounts, flat-level addresses) are refused; what
only *looks like* a person's name is a warning the user may override, because "Pan Kazik z
parteru" and "Park Piaski" are hard to tell apart by rule.

The guard first **normalises** the text, so that disguises do not help:

- Unicode NFKC (full-width digits, ligatures, compatibility forms), zero-width and other format
  characters removed, every kind of space (NBSP too) a plain space, every dash a ``-``;
- look-alike letters inside digit runs read as digits (``O``/``o`` → 0, ``l``/``I`` → 1);
- spelled-out e-mail forms (``małpa``, ``at``, ``kropka``, ``dot``, bracketed or not).

Then it splits the text into *digit groups*: runs of digits joined by at most three separator
characters (spaces, ``-``, ``.``, ``/``, brackets), so ``601 23 45 67``, ``44.05.14.01359`` and
``(32) 422-11-22`` are each one group, whatever precedes them (``pesel:``, ``tel.``). Every
window of whole chunks of a group with the length of an identifier is checked:

- 26 digits: a bank account (NRB/IBAN) by shape;
- 9 digits (or 11 with ``48``, 13 with ``0048``, 10 with a trunk ``0``): a Polish mobile or
  landline number by the numbering plan of ``phonenumbers``; ``PhoneNumberMatcher`` is also run
  on every short group, so what it finds is refused too;
- 11 digits: a PESEL with a valid checksum (``python-stdnum``) in any grouping, or with a
  plausible birth date even when the checksum fails (a typo of a real number is still one).

ID cards (3 letters + 6 digits) and passports (2 letters + 7 digits) are refused by shape,
whatever the check digit, when written in capitals, glued together or with a dash, or after a
word like "dowód"; other IBANs by their checksum. Flat-level addresses ("Kolejowa 5/3",
"kolejowej 5 m. 3", "3 Maja 5 lok. 7") are refused everywhere; a street address with a house
number only in texts about people.

Ordinary numbers pass: ages, rooms, times, dates, prices, counts, bus lines, postal codes,
"3 Maja 2026". Every step is linear in the length of the text: no pattern can backtrack over
more than a few characters, and a 100,000-character text is checked in well under a second
(``make bench`` measures it).
"""

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.pl import pesel as stdnum_pesel

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

# --- Checksums (kept public: other modules and tests use them) -----------------------------------

_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def pesel_is_valid(digits: str) -> bool:
    """A PESEL with a valid checksum and birth date (python-stdnum)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    return bool(stdnum_pesel.is_valid(digits))


def pesel_birth_date_is_plausible(digits: str) -> bool:
    """The first six digits are the birth date of someone alive: born 1900 to today."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    year, month, day = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if 1 <= month <= 12:
        year += 1900
    elif 21 <= month <= 32:
        year, month = year + 2000, month - 20
    else:
        return False
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return born <= timezone.localdate()


def _letter_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def _check_digit_valid(code: str, letters: int, weights: tuple[int, ...]) -> bool:
    """Letters, a check digit, digits: the weighted sum (letters A=10…) must end in the check digit."""
    code = code.replace(" ", "").replace("-", "").upper()
    if len(code) != len(weights) or not (code[:letters].isascii() and code[:letters].isalpha()):
        return False
    if not code[letters:].isdigit():
        return False
    total = sum(_letter_value(c) * w for c, w in zip(code, weights, strict=True))
    return total % 10 == int(code[letters])


def id_card_is_valid(code: str) -> bool:
    """Polish ID card: 3 letters, a check digit, 5 digits (weights 7,3,1,(9),7,3,1,7,3).

    python-stdnum has no module for the Polish ID card, so the check digit is computed here.
    """
    return _check_digit_valid(code, 3, (7, 3, 1, 0, 7, 3, 1, 7, 3))


def passport_is_valid(code: str) -> bool:
    """Polish passport: 2 letters, a check digit, 6 digits (weights 7,3,(9),1,7,3,1,7,3)."""
    return _check_digit_valid(code, 2, (7, 3, 0, 1, 7, 3, 1, 7, 3))


def account_is_valid(digits: str) -> bool:
    """A Polish NRB (26 digits) with a valid IBAN checksum (ISO 13616, mod 97; python-stdnum)."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 26:
        return False
    return bool(stdnum_iban.is_valid("PL" + digits))


# --- Normalisation -------------------------------------------------------------------------------

_SEPARATOR_MAP = {
    "\u2212": "-",  # minus sign
    "\u2044": "/",  # fraction slash
    "\u2215": "/",  # division slash
    "\u2024": ".",  # one dot leader
    "\u00b7": ".",  # middle dot
    "\u2027": ".",  # hyphenation point
    "\u02d0": ":",  # modifier letter triangular colon
    "\u2236": ":",  # ratio
}


@dataclass(slots=True)
class _Anchor:
    """A stretch whose normalised form differs in length from the original (e.g. a ligature)."""

    start: int  # in the normalised text
    end: int
    original_start: int
    original_end: int
    starts: list[int]  # for each normalised character, its span relative to original_start
    ends: list[int]


@dataclass
class _Text:
    """Normalised text, with what it takes to map a span back to the original text."""

    text: str
    anchors: list[_Anchor]
    anchor_starts: list[int]

    def _original(self, position: int, *, end: bool) -> int:
        i = bisect.bisect_right(self.anchor_starts, position) - 1
        if i >= 0 and position < self.anchors[i].end:
            anchor = self.anchors[i]
            relative = anchor.ends[position - anchor.start] if end else anchor.starts[position - anchor.start]
            return anchor.original_start + relative
        original = position if i < 0 else position - self.anchors[i].end + self.anchors[i].original_end
        return original + 1 if end else original

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            position = self._original(start, end=False)
            return position, position
        return self._original(start, end=False), self._original(end - 1, end=True)


def _normalise_char(cluster: str) -> str:
    out = []
    for char in unicodedata.normalize("NFKC", cluster):
        category = unicodedata.category(char)
        if category == "Cf" or category == "Cc" and char not in "\t\n\r":
            continue  # zero-width spaces and joiners, soft hyphens, bidi marks, NUL…
        if category == "Zs" or char in "\u2028\u2029":
            out.append(" ")
        elif category == "Pd":
            out.append("-")
        else:
            out.append(_SEPARATOR_MAP.get(char, char))
    return "".join(out)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=2048)
def _normalise_run(run: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """A run of non-ASCII characters normalised, with each output character's span in the run."""
    if len(run) == 1:
        normalised = _normalise_char(run)
        return normalised, (0,) * len(normalised), (1,) * len(normalised)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(run):
        j = i + 1
        while j < len(run) and unicodedata.combining(run[j]):
            j += 1
        normalised = _normalise_char(run[i:j])
        parts.append(normalised)
        starts.extend([i] * len(normalised))
        ends.extend([j] * len(normalised))
        i = j
    return "".join(parts), tuple(starts), tuple(ends)


_CONTROLS = str.maketrans({"\t": " ", "\r": " "})
_NON_ASCII_RUN = re.compile(r"[A-Za-z]?[^\x00-\x7f]+")


def _normalise(text: str) -> _Text:
    """NFKC, format characters out, spaces and dashes unified, keeping where each character came from.

    One pass of a C-level substitution; only stretches whose length changes are remembered.
    """
    text = text.translate(_CONTROLS)
    if text.isascii():
        return _Text(text, [], [])
    anchors: list[_Anchor] = []
    shift = 0  # normalised position minus original position so far

    def replace(m: re.Match[str]) -> str:
        nonlocal shift
        run = m.group(0)
        normalised, starts, ends = _normalise_run(run)
        if len(normalised) != len(run) or starts != tuple(range(len(run))):
            start = m.start() + shift
            last = anchors[-1] if anchors else None
            if last is not None and m.start() - last.original_end <= 16:
                # Close to the previous stretch (zero-width characters between digits): one stretch.
                gap = m.start() - last.original_end
                base = last.original_end - last.original_start
                last.starts.extend(range(base, base + gap))
                last.ends.extend(range(base + 1, base + gap + 1))
                base += gap
                if starts:
                    last.starts.extend([base + k for k in starts])
                    last.ends.extend([base + k for k in ends])
                last.end = start + len(normalised)
                last.original_end = m.end()
            else:
                anchors.append(_Anchor(start, start + len(normalised), m.start(), m.end(), list(starts), list(ends)))
            shift += len(normalised) - len(run)
        return normalised

    normalised = _NON_ASCII_RUN.sub(replace, text)
    return _Text(normalised, anchors, [a.start for a in anchors])


_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_LOOKALIKE_CHARS = frozenset("OoIl|")
_RUN_CHARS = frozenset("0123456789OoIl|")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_TOUCHING = re.compile(r"[OoIl|](?=\d)|\d(?=[OoIl|])")


def _read_lookalikes(text: str) -> str:
    """Letters that look like digits inside a run of digits are read as digits (same length)."""
    out: list[str] = []
    position = 0
    for m in _TOUCHING.finditer(text):
        if m.start() < position:
            continue
        start, end = m.start(), m.end()
        while start > position and text[start - 1] in _RUN_CHARS:
            start -= 1
        while end < len(text) and text[end] in _RUN_CHARS:
            end += 1
        run = text[start:end]
        digits = len(run) - len(run.translate(_NO_DIGITS))
        if digits < 2 and not (digits == 1 and len(run) >= 4):
            continue
        body = run.strip("OoIl|")
        first_digit = len(run) - len(run.lstrip("OoIl|"))
        head, tail = run[:first_digit], run[first_digit + len(body) :]
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        head = head if before.isalpha() else head.translate(_LOOKALIKES)
        tail = tail if after.isalpha() else tail.translate(_LOOKALIKES)
        out.append(text[position:start])
        out.append(head + body.translate(_LOOKALIKES) + tail)
        position = end
    if not out:
        return text
    out.append(text[position:])
    return "".join(out)


# --- Digit groups --------------------------------------------------------------------------------

_CHUNK = re.compile(r"\d+")
# Digits joined by at most three separators: one group ("601 23 45 67", "(32) 422-11-22", "44.05.14.01359").
_GROUP = re.compile(r"\d+(?:[ \-./()+]{1,3}\d+)*")
_DATE_SEPARATORS = frozenset("-./")
# Only a group with something shaped like a date needs to be searched for dates chunk by chunk.
_DATE_SHAPE = re.compile(r"\d{1,2}([-./])\d{1,2}\1\d{4}|\d{4}([-./])\d{1,2}\2\d{1,2}")


@dataclass(slots=True)
class _Chunk:
    digits: str
    start: int
    end: int


def _is_date(chunks: list[_Chunk], i: int, text: str) -> int:
    """How many chunks from ``i`` form a date (d.m.yyyy, yyyy-mm-dd), or 0."""
    if i + 2 >= len(chunks):
        return 0
    a, b, c = chunks[i], chunks[i + 1], chunks[i + 2]
    gap1, gap2 = text[a.end : b.start], text[b.end : c.start]
    if not (len(gap1) == 1 and gap1 == gap2 and gap1 in _DATE_SEPARATORS):
        return 0
    if len(a.digits) <= 2 and len(b.digits) <= 2 and len(c.digits) == 4:
        return 3 if 1 <= int(a.digits) <= 31 and 1 <= int(b.digits) <= 12 else 0
    if len(a.digits) == 4 and len(b.digits) <= 2 and len(c.digits) <= 2:
        return 3 if 1 <= int(b.digits) <= 12 and 1 <= int(c.digits) <= 31 else 0
    return 0


def _groups(text: str) -> Iterator[list[_Chunk]]:
    """Runs of digits joined by short separators; a sentence break (". ") or a date splits them."""
    for m in _GROUP.finditer(text):
        if m.end() - m.start() < 6:
            continue  # fewer than six digits: no identifier here
        if m.group(0).isdigit():
            yield [_Chunk(m.group(0), m.start(), m.end())]
            continue
        chunks = [_Chunk(c.group(0), c.start(), c.end()) for c in _CHUNK.finditer(text, m.start(), m.end())]
        has_dates = _DATE_SHAPE.search(m.group(0)) is not None
        if ". " not in m.group(0):
            yield from _split_dates(chunks, text) if has_dates else (chunks,)
            continue
        group = [chunks[0]]
        for chunk in chunks[1:]:
            if ". " in text[group[-1].end : chunk.start]:
                yield from _split_dates(group, text) if has_dates else (group,)
                group = []
            group.append(chunk)
        yield from _split_dates(group, text) if has_dates else (group,)


def _split_dates(group: list[_Chunk], text: str) -> Iterator[list[_Chunk]]:
    if len(group) < 3:
        yield group
        return
    current: list[_Chunk] = []
    i = 0
    while i < len(group):
        size = _is_date(group, i, text)
        if size:
            if current:
                yield current
                current = []
            yield group[i : i + size]
            i += size
        else:
            current.append(group[i])
            i += 1
    if current:
        yield current


# --- Phones --------------------------------------------------------------------------------------

_PL_METADATA = phonenumbers.PhoneMetadata.metadata_for_region("PL")
_PL_PATTERNS = [
    re.compile(desc.national_number_pattern)
    for desc in ((_PL_METADATA.mobile, _PL_METADATA.fixed_line, _PL_METADATA.voip) if _PL_METADATA is not None else ())
    if desc is not None and desc.national_number_pattern
]


@lru_cache(maxsize=4096)
def _is_polish_phone(national: str) -> bool:
    """A 9-digit number that the Polish numbering plan (phonenumbers' metadata) gives to a line."""
    if len(national) != 9 or national[0] == "0":
        return False
    return any(p.fullmatch(national) for p in _PL_PATTERNS)


def _phone_matcher(snippet: str) -> bool:
    for match in phonenumbers.PhoneNumberMatcher(snippet, "PL", leniency=phonenumbers.Leniency.VALID, max_tries=20):
        if match.number.country_code == 48:
            return True
    return False


# --- Identifiers ---------------------------------------------------------------------------------

_PESEL_CONTEXT = re.compile(r"pesel", re.IGNORECASE)
_DOCUMENT_CONTEXT = re.compile(r"dow[oó]d|paszport|legitymacj|seri[aię]|dokument", re.IGNORECASE)
_DOC_STOPWORDS = frozenset(
    [
        "dla",
        "nie",
        "ale",
        "pod",
        "nad",
        "bez",
        "ich",
        "jej",
        "ten",
        "tam",
        "tak",
        "ona",
        "ono",
        "oni",
        "one",
        "się",
        "już",
        "był",
        "ile",
        "czy",
        "pan",
        "pani",
        "ten",
        "tej",
        "tym",
        "ich",
        "nam",
        "wam",
        "mam",
        "ma",
        "na",
        "za",
        "do",
        "od",
        "po",
        "ok",
        "to",
        "co",
        "go",
        "mu",
        "mi",
        "we",
        "ze",
        "ze",
        "by",
        "no",
        "aż",
    ]
)


def _window_findings(group: list[_Chunk], text: str) -> Iterator[tuple[str, int, int]]:
    total = sum(len(c.digits) for c in group)
    if total < 9:
        return
    prefix = [0]
    for chunk in group:
        prefix.append(prefix[-1] + len(chunk.digits))
    index = {p: i for i, p in enumerate(prefix)}
    taken_until = -1
    for s in range(len(group)):
        if s < taken_until:
            continue
        found = None
        for length in (26, 13, 11, 10, 9):
            e = index.get(prefix[s] + length)
            if e is None:
                continue
            window = group[s:e]
            digits = "".join(c.digits for c in window)
            kind = _classify_window(digits, window, text)
            if kind:
                found = (kind, e)
                break
        if found:
            kind, e = found
            taken_until = e
            yield kind, group[s].start, group[e - 1].end


def _classify_window(digits: str, window: list[_Chunk], text: str) -> str | None:
    length = len(digits)
    if length == 26:
        return "account"
    if length == 13:
        return "phone" if digits.startswith("0048") and _is_polish_phone(digits[4:]) else None
    if length == 10:
        return "phone" if digits[0] == "0" and _is_polish_phone(digits[1:]) else None
    if length == 9:
        sizes = {len(c.digits) for c in window}
        if 1 in sizes and sizes != {1}:
            return None  # "9 10 11 12 13": a list of small numbers, not a grouping
        return "phone" if _is_polish_phone(digits) else None
    if length == 11:
        if digits.startswith("48") and _is_polish_phone(digits[2:]):
            return "phone"
        if pesel_is_valid(digits):
            return "pesel"
        near = text[max(0, window[0].start - 20) : window[0].start]
        if _PESEL_CONTEXT.search(near):
            return "pesel"
        if len(window) <= 5 and all(len(c.digits) >= 2 for c in window) and pesel_birth_date_is_plausible(digits):
            return "pesel"
    return None


_DOC_LETTERS = re.compile(r"([A-Za-z]{2,3})([ \-.:/]{0,2})$")


def _document_finding(group: list[_Chunk], text: str) -> tuple[str, int, int] | None:
    """ID card (AAA999999) or passport (AA9999999) ending in ``group``'s first digits."""
    first = group[0]
    m = _DOC_LETTERS.search(text, max(0, first.start - 5), first.start)
    if not m:
        return None
    letters, gap = m.group(1), m.group(2)
    letter_start = m.start(1)
    if letter_start > 0 and text[letter_start - 1].isalpha():
        return None
    kind = "id_card" if len(letters) == 3 else "passport"
    wanted = 6 if kind == "id_card" else 7
    count, end = 0, -1
    for i, chunk in enumerate(group):
        count += len(chunk.digits)
        if count == wanted:
            end = i
            break
        if count > wanted:
            return None
    if end < 0:
        return None
    digits = "".join(c.digits for c in group[: end + 1])
    code = letters.upper() + digits
    valid = id_card_is_valid(code) if kind == "id_card" else passport_is_valid(code)
    near = text[max(0, letter_start - 30) : letter_start]
    refuse = (
        letters.isupper()
        or gap == ""
        or "-" in gap
        or bool(_DOCUMENT_CONTEXT.search(near))
        or (valid and end == 0 and letters.lower() not in _DOC_STOPWORDS)
    )
    return (kind, letter_start, group[end].end) if refuse else None


_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])")

# --- E-mail --------------------------------------------------------------------------------------

_AT_WORDS = r"(?:at|ma[łl]pk?a)"
_DOT_WORDS = r"(?:dot|kropka|kropeczka)"
_BRACKETED = re.compile(rf"[\[({{<] {{0,3}}(?:(?P<at>{_AT_WORDS})|{_DOT_WORDS}) {{0,3}}[\])}}>]", re.IGNORECASE)
_SPOKEN = re.compile(rf" {{1,3}}(?:(?P<at>{_AT_WORDS})|{_DOT_WORDS}) {{1,3}}(?=\w)", re.IGNORECASE)
_SPELLED_HINTS = ("at", "małp", "malp", "dot", "kropk")
_TLDS = frozenset(
    [
        "pl",
        "com",
        "eu",
        "net",
        "org",
        "info",
        "biz",
        "de",
        "uk",
        "io",
        "me",
        "co",
        "gov",
        "edu",
        "int",
        "mil",
        "cz",
        "sk",
        "ua",
        "fr",
        "nl",
        "it",
        "es",
        "at",
        "ch",
        "be",
        "se",
        "no",
        "dk",
        "fi",
        "us",
        "ru",
        "by",
        "lt",
        "lv",
        "ee",
        "hu",
        "ro",
        "bg",
        "gr",
        "pt",
        "ie",
        "onion",
        "app",
        "dev",
        "xyz",
        "online",
        "email",
        "mail",
    ]
)
# Local part (64 characters at most, starting at a word boundary), @, labels joined by dots; spaces
# around the @ and the dots allowed. Every repetition is bounded, so a scan is linear.
_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]{1,64} {0,3}@ {0,3}[\w-]{1,63}(?: {0,3}\. {0,3}[\w-]{1,63}){1,8}")
_EMAIL_LABEL = re.compile(r"[\w-]+")


def _spell_out(text: str) -> tuple[str, list[int], list[int]]:
    """Spelled-out ``@`` and ``.`` written as symbols; maps each new position to the old span."""
    lowered = text.lower()
    if not any(hint in lowered for hint in _SPELLED_HINTS):
        return text, [], []
    found: list[tuple[int, int, str]] = []
    for m in _BRACKETED.finditer(text):
        found.append((m.start(), m.end(), "@" if m.group("at") else "."))
    for m in _SPOKEN.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            found.append((m.start(), m.end(), "@" if m.group("at") else "."))
    if not found:
        return text, [], []
    found.sort()
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for start, end, symbol in found:
        if start < position:
            continue
        parts.append(text[position:start])
        starts.extend(range(position, start))
        ends.extend(range(position + 1, start + 1))
        parts.append(symbol)
        starts.append(start)
        ends.append(end)
        position = end
    parts.append(text[position:])
    starts.extend(range(position, len(text)))
    ends.extend(range(position + 1, len(text) + 1))
    return "".join(parts), starts, ends


def _emails(text: str) -> Iterator[tuple[int, int]]:
    """E-mail addresses, spaced or spelled out."""
    spelled, starts, ends = _spell_out(text)
    if "@" not in spelled:
        return
    for m in _EMAIL.finditer(spelled):
        at = spelled.index("@", m.start())
        spaced = " " in m.group(0) or (bool(starts) and any(ends[i] - starts[i] > 1 for i in range(m.start(), m.end())))
        best = None
        labels = list(_EMAIL_LABEL.finditer(spelled, at + 1, m.end()))
        for label in labels[1:]:
            tld = label.group(0).lower()
            if not (2 <= len(tld) <= 24 and tld.isascii() and tld.isalpha()):
                continue
            if spaced and tld not in _TLDS:
                continue
            best = label.end()
        if best is None:
            continue
        local_start = m.start()
        while spelled[local_start] in "._-":
            local_start += 1
        if local_start >= at:
            continue
        if starts:
            yield starts[local_start], ends[best - 1]
        else:
            yield local_start, best


# --- Addresses -----------------------------------------------------------------------------------

_STREET_PREFIX = (
    r"(?:[Uu]l\.?|[Uu]lic[ayię]|[Aa]l\.|[Aa]lej[ai]|[Aa]leja|[Oo]s\.|[Oo]siedl[eu]|[Pp]l\.|[Pp]lac[u]?|[Pp]rzy)"
)
_STREET_NAME = rf"(?:{_WORD}|\d{{1,2}} {{1,2}}{_WORD})(?: {{1,2}}{_WORD}){{0,2}}"
_LOWER_STREET = rf"(?:[{_LOWER}]{{3,}}|\d{{1,2}} {{1,2}}[{_LOWER}]{{3,}})"
_HOUSE = r"\d{1,4}[a-zA-Z]?"
_ADDRESS = re.compile(
    rf"\b(?:{_STREET_PREFIX} {{1,3}}(?P<name>{_STREET_NAME})"
    rf"|(?:[Uu]l\.?|[Aa]l\.|[Oo]s\.|[Pp]l\.) {{0,3}}(?P<lname>{_LOWER_STREET}))"
    rf" {{1,3}}(?P<house>{_HOUSE})(?![\w/])",
)
# A house number followed by a flat number: "5/3", "5 m. 3", "5 lok. 3", "5 mieszkanie 3".
_FLAT_TAIL = re.compile(
    r"(?<![\w/.,:-])(?P<house>\d{1,4}[a-zA-Z]?)"
    r"(?:(?P<slash> {0,2}/ {0,2})"
    r"|(?P<marker> {1,2}(?:m\.|mieszk\.|lok\.?|lokal|lokalu|mieszkanie|mieszkania|mieszkaniu|m)) {0,2}(?:nr\.? {0,2})?)"
    r"(?P<flat>\d{1,4}[a-zA-Z]?)(?![\w/])",
    re.IGNORECASE,
)
_MONTHS = frozenset(
    [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ]
)
_STREET_PREFIXES = frozenset(
    [
        "ul",
        "ul.",
        "ulica",
        "ulicy",
        "ulicę",
        "al",
        "al.",
        "aleja",
        "alei",
        "aleje",
        "os",
        "os.",
        "osiedle",
        "osiedlu",
        "osiedla",
        "pl",
        "pl.",
        "plac",
        "placu",
    ]
)
_STREET_ENDINGS = ("owa", "owej", "ową", "ska", "skiej", "ską", "cka", "ckiej", "icza", "ycza", "czej", "nej", "ego")
_NOT_STREETS = {
    "Pokój",
    "Pokoju",
    "Sala",
    "Sali",
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
    "Str",
    "Rozdział",
    "Punkt",
    "Dom",
    "Budynek",
    "Ocena",
    "Wynik",
    "Skala",
    "Klasa",
    "Lekcja",
    "Sprawa",
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
_NOT_STREETS_LOWER = {w.lower() for w in _NOT_STREETS} - _MONTHS


def _words_before(text: str, position: int, count: int) -> list[tuple[str, int]]:
    """Up to ``count`` whitespace-separated words ending before ``position``, nearest first."""
    begin = max(0, position - 80)
    chunk = text[begin:position]
    words: list[tuple[str, int]] = []
    end = len(chunk)
    while len(words) < count:
        stripped = len(chunk[:end].rstrip())
        if stripped == 0:
            break
        start = max(chunk.rfind(" ", 0, stripped), chunk.rfind("\n", 0, stripped)) + 1
        words.append((chunk[start:stripped], begin + start))
        end = start
    return words


def _flat_street_start(text: str, m: re.Match[str]) -> int | None:
    """Where the street of a flat number starts, or None when the number is not a flat's."""
    words = _words_before(text, m.start(), 5)
    if not words:
        return None
    strong = bool(m.group("marker")) and m.group("marker").strip().lower() not in {"m"}
    bare_word = words[0][0].strip(",;")
    if "." in bare_word[:-1]:  # "ul.Kolejowa": a prefix glued to the street
        glued, _dot, bare_word = bare_word.rpartition(".")
        if glued.lower() + "." in _STREET_PREFIXES:
            return words[0][1]
    lowered = bare_word.lower()
    # "3 Maja 5 m. 7", "11 listopada 12/4": a street named after a date.
    if lowered in _MONTHS and len(words) > 1 and words[1][0].isdigit() and len(words[1][0]) <= 2:
        return words[1][1]
    if lowered.rstrip(".") in _NOT_STREETS_LOWER or lowered in _MONTHS:
        return None
    for word, start in words:
        if word.lower() in _STREET_PREFIXES:
            return start
    if not bare_word.isalpha():
        return None
    if bare_word[0].isupper() and bare_word not in _NOT_STREETS:
        return words[0][1]
    if lowered.endswith(_STREET_ENDINGS):
        return words[0][1]
    if strong and len(bare_word) >= 3:
        return words[0][1]
    return None


def _addresses(text: str, *, allow_addresses: bool) -> Iterator[tuple[str, int, int]]:
    flats: list[tuple[int, int]] = []
    for m in _FLAT_TAIL.finditer(text):
        start = _flat_street_start(text, m)
        if start is not None:
            flats.append((start, m.end()))
            yield "flat", start, m.end()
    if allow_addresses:
        return
    for m in _ADDRESS.finditer(text):
        name = m.group("name") or m.group("lname") or ""
        first_word = name.split()[0] if name else ""
        if first_word in _NOT_STREETS or first_word.lower() in _NOT_STREETS_LOWER:
            continue
        if any(s < m.end() and m.start() < e for s, e in flats):
            continue
        yield "address", m.start(), m.end()


# --- The guard -----------------------------------------------------------------------------------


class _Taken:
    """Spans already claimed by a finding: non-overlapping, kept sorted, looked up by bisection."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:
            return False
        return not (i < len(self.starts) and self.starts[i] < end)

    def take(self, start: int, end: int) -> bool:
        if not self.free(start, end):
            return False
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def _identifiers(text: str, taken: _Taken) -> Iterator[tuple[str, int, int]]:
    for start, end in _emails(text):
        if taken.take(start, end):
            yield "email", start, end
    for m in _IBAN.finditer(text):
        compact = m.group(0).replace(" ", "").upper()
        if not compact.startswith("PL") and stdnum_iban.is_valid(compact) and taken.take(*m.span()):
            yield "account", *m.span()
    groups = list(_groups(text))
    for group in groups:
        for kind, start, end in _window_findings(group, text):
            if taken.take(start, end):
                yield kind, start, end
        sizes = [len(c.digits) for c in group]
        small_numbers = 1 in sizes and set(sizes) != {1}  # "9 10 11 12 13"
        short = sum(sizes) >= 9 and group[-1].end - group[0].start <= 40 and not small_numbers
        if short and taken.free(group[0].start, group[-1].end):
            start = max(0, group[0].start - 1)
            end = min(len(text), group[-1].end + 1)
            if _phone_matcher(text[start:end]) and taken.take(group[0].start, group[-1].end):
                yield "phone", group[0].start, group[-1].end
    for group in groups:
        document = _document_finding(group, text)
        if document and taken.take(document[1], document[2]):
            yield document


def find_pii(text: str, *, allow_addresses: bool = False) -> list[Finding]:
    """Every personal identifier in ``text``, in order of appearance (offsets into ``text``)."""
    if not text:
        return []
    normalised = _normalise(text)
    readable = _read_lookalikes(normalised.text)
    taken = _Taken()
    found = list(_identifiers(readable, taken))
    found += [f for f in _addresses(readable, allow_addresses=allow_addresses) if taken.free(f[1], f[2])]
    findings = []
    for kind, start, end in found:
        original_start, original_end = normalised.span(start, end)
        findings.append(Finding(kind, text[original_start:original_end].strip(), original_start, original_end))
    return sorted(findings, key=lambda f: f.start)


def validate_no_pii(text: str, *, allow_addresses: bool = False) -> None:
    """Raise a ValidationError (one Polish message per finding) when ``text`` holds identifiers."""
    findings = find_pii(text or "", allow_addresses=allow_addresses)
    if findings:
        raise ValidationError([ValidationError(f.message(), code=f"pii_{f.kind}") for f in findings])


# --- Names ---------------------------------------------------------------------------------------

_HONORIFIC = re.compile(rf"\b(?:[Pp]an|[Pp]ani|[Pp]ana|[Pp]anu|[Pp]anem|[Pp]anią|[Pp]aństwo|[Pp]aństwa)\s+({_WORD})")
_NAME_PAIR = re.compile(rf"\b({_WORD})\s+({_WORD})")
_SURNAME_ENDING = re.compile(
    rf"^[{_UPPER}][{_LOWER}]+(?:ski|cki|dzki|ska|cka|dzka|skiego|skiej|ckiego|ckiej|wicz|czyk|czak|ak|ek|ik|uk|yk)$"
)
# Words that follow "pan/pani" without being a name: "Pani z Klubu", "Pan Bóg", institutions.
_NOT_NAMES = {"Bóg", "Boga", "Bogu", "Jezus", "Klub", "Klubu", "Miasto", "Miasta", "Urząd", "Urzędu", "Park", "Parku"}


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


# --- Which fields are guarded: declared once, on the model ---------------------------------------


def _refusals(text: str, allow_addresses: bool) -> tuple[tuple[str, str], ...]:
    """(code, message) per finding; cached so a form, the model and the save check the text once."""
    return _cached_refusals(text, allow_addresses, get_language())


@lru_cache(maxsize=512)
def _cached_refusals(text: str, allow_addresses: bool, language: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((f"pii_{f.kind}", f.message()) for f in find_pii(text, allow_addresses=allow_addresses))


@deconstructible
class NoPII:
    """A model-field validator: the field is free text that must carry no personal identifier.

    Putting it on a field is the one declaration of a guarded text: model forms and the admin run
    it, DRF model serializers copy it, the import and API mixins read it (``guarded_fields``), and
    ``refuse_pii_on_save`` refuses a save on any other path. ``addresses=True`` lets a street address
    through (a broken lamp "przy ul. Kolejowej 5"); a flat's address never passes.
    """

    first_name_only = False

    def __init__(self, *, addresses: bool = False) -> None:
        self.addresses = addresses

    def __call__(self, value: object) -> None:
        if not isinstance(value, str) or not value:
            return
        refusals = _refusals(value, self.addresses)
        if refusals:
            raise ValidationError([ValidationError(message, code=code) for code, message in refusals])

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.addresses == self.addresses

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.addresses))


_TITLES = frozenset(["dr", "prof", "mgr", "inż", "ks", "pan", "pani"])


def _looks_like_full_name(value: str) -> bool:
    """“Heniu Nowak” or “dr Nowak”; a trailing initial (“Kasia K.”) or a lower-case word is fine."""
    words = value.split()
    if len(words) != 2:
        return False
    first, second = words
    if first.rstrip(".").lower() in _TITLES:
        return True
    is_initial = len(second.rstrip(".")) == 1
    return first[:1].isupper() and second[:1].isupper() and not is_initial


@deconstructible
class FirstNameOnly(NoPII):
    """A leader's name as published on the schedule: a first name or a nickname, never a full name.

    "Heniu", "Kasia K.", "Złota rączka" pass; "Heniu Nowak", "dr Nowak", "Pani Basia", digits and
    identifiers do not.
    """

    first_name_only = True

    def __init__(self) -> None:
        super().__init__(addresses=False)

    def __call__(self, value: object) -> None:
        super().__call__(value)
        if not isinstance(value, str) or not value.strip():
            return
        value = unicodedata.normalize("NFKC", value).strip()
        if (
            len(value.split()) > 2
            or find_names(value)
            or any(char.isdigit() for char in value)
            or _looks_like_full_name(value)
        ):
            raise ValidationError(
                _("Give only a first name or a nickname (e.g. “Heniu”), without a surname."), code="leader_name"
            )


def guarded_fields(model: type) -> dict[str, NoPII]:
    """The model's fields that carry a ``NoPII`` validator, by name (empty for history tables)."""
    return _guarded_fields(model)


@cache
def _guarded_fields(model: type) -> dict[str, NoPII]:
    if hasattr(model, "instance_type"):  # a history table of django-simple-history copies, never guards
        return {}
    found: dict[str, NoPII] = {}
    for field in model._meta.concrete_fields:  # type: ignore[attr-defined]
        for validator in field.validators:
            if isinstance(validator, NoPII):
                found[field.name] = validator
    return found


def guard_plan(
    declared: tuple[str, ...], declared_addresses: tuple[str, ...], model: type | None, present: object = None
) -> dict[str, NoPII]:
    """What a form, serializer or import guards: the fields its model declares, plus fields of its own
    (``pii_fields``, ``pii_address_fields``) for inputs that are not model fields."""
    plan: dict[str, NoPII] = {}
    if model is not None:
        plan.update(
            (name, v)
            for name, v in _guarded_fields(model).items()
            if present is None or name in present  # type: ignore[operator]
        )
    plan.update((name, NoPII()) for name in declared if name not in plan)
    plan.update((name, NoPII(addresses=True)) for name in declared_addresses if name not in plan)
    return plan


def refuse_pii_on_save(
    sender: type, instance: object, update_fields: object = None, raw: bool = False, **_: object
) -> None:
    """pre_save: whatever path saves a guarded field (a service, a task, a command), the guard runs."""
    if raw:
        return  # loading fixtures
    guarded = _guarded_fields(sender)
    if not guarded:
        return
    errors: dict[str, list[ValidationError]] = {}
    for name, validator in guarded.items():
        if update_fields is not None and name not in update_fields:  # type: ignore[operator]
            continue
        try:
            validator(getattr(instance, name, ""))
        except ValidationError as error:
            errors[name] = error.error_list
    if errors:
        raise ValidationError(errors)
