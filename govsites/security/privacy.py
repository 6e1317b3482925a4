"""Personal data in text: resident ID numbers, mobile numbers and bank card numbers.

Pure and strict: an ID number needs a valid GB 11643 check digit, a known region prefix and a possible birth
date; a mobile number a real 13x-19x segment; a bank card number a card prefix and the Luhn check. A number
must stand alone (not inside a longer run of digits, letters or a dotted/hyphenated serial); masked forms
(138****1234) never match. **No finding holds a number in full**: the evidence and the context snippet are
masked with `mask`, and nothing here puts a found number into a repr, a log line or an exception.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from govsites.paths import data_path
from govsites.security.findings import SERIOUS, VETO, Finding

_DATA = data_path()
DEFAULT_CITIES_FILE = _DATA / "terms" / "vendor" / "divisions" / "cities.csv"
DEFAULT_EXTRA_REGIONS_FILE = _DATA / "security" / "id_regions_extra.txt"

ID_NUMBER = "privacy_id_number"
MOBILE = "privacy_mobile"
BANK_CARD = "privacy_bank_card"
#: the kind -> (Chinese label, severity)
KINDS = {ID_NUMBER: ("身份证号码", VETO), MOBILE: ("手机号码", SERIOUS), BANK_CARD: ("银行卡号", VETO)}

#: characters of context kept on each side of a finding (widened so no number is cut in two)
CONTEXT_CHARS = 16
#: A label that publishes a number as the site's own contact (a hotline, a duty phone), read in the
#: :data:`CONTACT_LABEL_CHARS` characters before it.
CONTACT_LABEL = re.compile(r"热线|电话|联系方式|咨询|值班|举报|投诉|监督|传真|服务号")
CONTACT_LABEL_CHARS = 10
#: In raw bytes, whatever the encoding: the ASCII shapes of :data:`_CANDIDATES` (a mobile number, an ID number, a
#: bank card, plain or spaced as people write them), standing alone. Coarser than the detector (no checksum, no
#: serial labels): a 17-digit 索引号 counts too; a landline with its area code (0915-3268888) does not.
NUMBER_BYTES = re.compile(
    rb"(?<![0-9])(?:1[3-9][0-9]{9}|[0-9]{17}[0-9Xx]|[0-9]{16,19}"
    rb"|1[3-9][0-9][ \-][0-9]{4}[ \-][0-9]{4}|[0-9]{6} [0-9]{8} [0-9]{3}[0-9Xx]|[0-9]{4}(?:[ \-][0-9]{4}){3})(?![0-9])"
)


#: A run of digits (with the spaces and hyphens people write numbers with) long enough to hold any shape of
#: :data:`NUMBER_BYTES` (11 characters at least, an ID number's X at its end): every match of it lies in one.
_DIGIT_RUN = re.compile(rb"[0-9][0-9 \-]{9,}[0-9Xx]")


def may_hold_number(body: bytes) -> bool:
    """Whether raw bytes may hold a personal number in full (a cheap pre-check; see :data:`NUMBER_BYTES`).

    Only the long digit runs are tried against the shapes, each with the byte on either side (the shapes' own
    "standing alone" bounds): the same answer as searching the whole body, about ten times faster on a page
    (scanning every body for the revalidation store was 3 % of a crawl's busy time)."""
    for run in _DIGIT_RUN.finditer(body):
        if NUMBER_BYTES.search(body, max(0, run.start() - 1), run.end() + 1) is not None:
            return True
    return False


#: a digit sequence of the context with at least this many digits is masked
CONTEXT_MASK_DIGITS = 9

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# 3-digit mobile segments in use (工信部 numbering plan): 13x, 14x data/voice, 15x but 154, 16x, 17x, 18x, 19x
_MOBILE_PREFIXES = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "146", "147", "148", "149"]
    + [f"15{d}" for d in range(10) if d != 4]
    + ["162", "165", "166", "167"]
    + ["170", "171", "172", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in range(10)]
)

# A number standing alone: not glued to digits, Latin letters or mask stars, and not one part of a
# dotted / hyphenated serial or a URL (2015-13812345678, 0915.13812345678, Content-13812345678.html, id=…);
# "/" may separate two numbers (13812345678/13912345678).
_BEFORE = r"(?<![0-9A-Za-z*＊])(?<![0-9A-Za-z][\-_.=])"
_AFTER = r"(?![0-9A-Za-z*＊])(?![\-_.][0-9A-Za-z])"
_CANDIDATES = re.compile(
    _BEFORE
    + r"(?:"
    + r"\d{6} \d{8} \d{3}[\dXx]"  # 610902 19900101 123X
    + r"|1[3-9]\d[ \-]\d{4}[ \-]\d{4}"  # 138 1234 5678, 138-1234-5678
    + r"|\d{4}(?: \d{4}){3}(?: \d{1,3})?"  # 6222 0212 3456 7890 123
    + r"|\d{17}[\dXx]"
    + r"|\d{11,19}"
    + r")"
    + _AFTER
)
#: labels that, just before a number, say it is a registration or serial number, not personal data
SERIAL_LABELS = ("ICP备", "公网安备", "备案号", "标识码", "许可证", "订单号", "流水号", "索引号", "文号")
#: how many characters before a number are searched for a serial label
SERIAL_LABEL_WINDOW = 8
_CONTEXT_NUMBER = re.compile(r"\d(?:[ \-]?[\dXx])+")
_SEPARATORS = re.compile(r"[ \-]")
#: full-width digits, X and separators read as ASCII (one character for one, so positions stay)
_HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ－\u3000", "0123456789Xx- ")


def mask(number: str) -> str:
    """Keep at most the first 2 and last 3 digits (``61*************123``); separators stay as they are.

    Numbers of 5 digits or fewer are masked whole. Characters other than digits and X are kept.
    """
    positions = [i for i, ch in enumerate(number) if ch.isdigit() or ch in "Xx"]
    hidden = set(positions[2:-3]) if len(positions) > 5 else set(positions)
    return "".join("*" if i in hidden else ch for i, ch in enumerate(number))


def _labelled_serial(text: str, start: int) -> bool:
    before = text[max(0, start - SERIAL_LABEL_WINDOW) : start].upper()
    return any(label.upper() in before for label in SERIAL_LABELS)


def _in_number(ch: str) -> bool:
    return ch in " -" or (ch.isascii() and ch.isalnum())


def mask_numbers(text: str, min_digits: int = CONTEXT_MASK_DIGITS) -> str:
    """``text`` with every digit sequence (single spaces or hyphens allowed) of ``min_digits`` or more masked."""

    def one(match: re.Match[str]) -> str:
        value = match.group(0)
        digits = sum(ch.isdigit() or ch in "Xx" for ch in value)
        return mask(value) if digits >= min_digits else value

    return _CONTEXT_NUMBER.sub(one, text)


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("expected the 17 leading digits of an ID number")  # the value itself is never shown
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def luhn_ok(digits: str) -> bool:
    """True when a string of digits passes the Luhn (mod 10) check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        value = int(ch)
        if i % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def is_bank_card(digits: str) -> bool:
    """16-19 digits with a card scheme prefix valid for that length and a correct Luhn digit."""
    n = len(digits)
    if not digits.isdigit() or not 16 <= n <= 19 or not luhn_ok(digits):
        return False
    if digits.startswith("62"):  # China UnionPay, 16-19
        return True
    if digits.startswith(("9558", "9559")):  # old ICBC / ABC domestic cards, 19
        return n == 19
    if digits.startswith("4"):  # Visa
        return n in (16, 19)
    if 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720:  # Mastercard
        return n == 16
    if 3528 <= int(digits[:4]) <= 3589:  # JCB
        return n in (16, 19)
    return False


def is_mobile(digits: str) -> bool:
    """11 digits in a mobile segment of mainland China."""
    return len(digits) == 11 and digits.isdigit() and digits[:3] in _MOBILE_PREFIXES


@dataclass(frozen=True)
class PrivacyDetector:
    """Finds personal numbers in text; holds the valid 4-digit region prefixes of ID numbers."""

    region_prefixes: frozenset[str] = field(repr=False)

    @classmethod
    def load(
        cls, cities_file: Path = DEFAULT_CITIES_FILE, extra_file: Path = DEFAULT_EXTRA_REGIONS_FILE
    ) -> PrivacyDetector:
        """Region prefixes from the vendored divisions' cities.csv plus the extra (former) prefixes."""
        prefixes: set[str] = set()
        with cities_file.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                code = (row.get("code") or "").strip()
                if len(code) != 4 or not code.isdigit():
                    raise ValueError(f"{cities_file}:{number}: field 'code': expected 4 digits, got {code!r}")
                prefixes.add(code)
        with extra_file.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                code = line.split("\t")[0].strip()
                if len(code) != 4 or not code.isdigit():
                    raise ValueError(f"{extra_file}:{number}: field 'code': expected 4 digits, got {code!r}")
                prefixes.add(code)
        return cls(frozenset(prefixes))

    def id_structure_ok(self, number: str, as_of: date) -> bool:
        """A known region prefix and a birth date from 1900 up to ``as_of`` (the check digit aside)."""
        if len(number) != 18 or not number[:17].isdigit():
            return False
        birth = _birth_date(number[6:14])
        return number[:4] in self.region_prefixes and birth is not None and date(1900, 1, 1) <= birth <= as_of

    def is_id_number(self, number: str, as_of: date) -> bool:
        """A resident ID number: valid structure and the GB 11643 check character."""
        return self.id_structure_ok(number, as_of) and id_check_digit(number[:17]) == number[17].upper()

    def classify(self, digits: str, as_of: date) -> str:
        """The kind of a separator-free candidate, or "" when it is no personal number."""
        n = len(digits)
        if n == 18:
            if self.is_id_number(digits, as_of):
                return ID_NUMBER
            if self.id_structure_ok(digits, as_of):
                return ""  # an ID number with a wrong check digit: a typo or a made-up example, not a card
        if is_mobile(digits) or (n == 13 and digits.startswith("86") and is_mobile(digits[2:])):
            return MOBILE
        return BANK_CARD if is_bank_card(digits) else ""

    def find(self, text: str, as_of: date, exclude: Iterable[str] = ()) -> list[Finding]:
        """Personal numbers in ``text``, in order; ``exclude`` holds numbers of the site itself (its phones …)."""
        skip = {_SEPARATORS.sub("", value) for value in exclude}
        findings: list[Finding] = []
        text = text.translate(_HALF_WIDTH)
        for match in _CANDIDATES.finditer(text):
            digits = _SEPARATORS.sub("", match.group(0)).upper()
            if digits in skip or _labelled_serial(text, match.start()):
                continue
            kind = self.classify(digits, as_of)
            if not kind:
                continue
            label, severity = KINDS[kind]
            findings.append(
                Finding(
                    kind=kind,
                    evidence=f"{label} {mask(digits)}",
                    severity=severity,
                    context=self._context(text, match.start(), match.end()),
                )
            )
        return findings

    def contact_numbers(self, text: str, as_of: date) -> set[str]:
        """Mobile numbers ``text`` publishes as contacts (举报电话：139…, 值班手机…): on a site's home page these
        are the site's own hotlines, never a leak (pass them to :meth:`find` as ``exclude``)."""
        text = text.translate(_HALF_WIDTH)
        found: set[str] = set()
        for match in _CANDIDATES.finditer(text):
            digits = _SEPARATORS.sub("", match.group(0)).upper()
            before = text[max(0, match.start() - CONTACT_LABEL_CHARS) : match.start()]
            if self.classify(digits, as_of) == MOBILE and CONTACT_LABEL.search(before):
                found.add(digits)
        return found

    @staticmethod
    def _context(text: str, start: int, end: int) -> str:
        left, right = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        while left > 0 and _in_number(text[left - 1]):
            left -= 1  # never cut a number in two
        while right < len(text) and _in_number(text[right]):
            right += 1
        snippet = " ".join(text[left:right].split())
        return mask_numbers(snippet)
