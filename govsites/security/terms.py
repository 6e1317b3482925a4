"""The gambling / pornography / spam term table shared by the dark-link, target and tampering detectors.

Read from ``data/security/spam_terms.txt`` (format in its header). Matching is pure and case-insensitive;
official lottery text is removed first and an occurrence next to a word against it (打击, 严禁 …) does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from govsites.paths import data_path

DEFAULT_TERMS_FILE = data_path("security", "spam_terms.txt")

#: categories that make a finding, in the order a tie is decided
BAD_CATEGORIES = ("gambling", "porn", "spam")
CATEGORIES = (*BAD_CATEGORIES, "legit", "negation")
FIELDS = ("text", "url")
#: how far (characters) a negation word may be from a term to cancel it
NEGATION_WINDOW = 8

#: Chinese names of the categories for evidence text
CATEGORY_NAMES = {"gambling": "赌博", "porn": "色情", "spam": "垃圾广告", "parked": "域名停放或出售"}


@dataclass(frozen=True)
class TermMatch:
    """A category and the phrase or pattern that matched."""

    category: str
    term: str


@dataclass(frozen=True)
class SpamTerms:
    """The loaded table: text phrases and URL patterns per category, legitimate text/URLs and negations."""

    text_terms: tuple[TermMatch, ...]
    url_patterns: tuple[tuple[TermMatch, re.Pattern[str]], ...]
    legit_text: tuple[str, ...]
    legit_urls: tuple[re.Pattern[str], ...]
    negations: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = DEFAULT_TERMS_FILE) -> SpamTerms:
        """Read the table; a malformed line raises ValueError naming file, line and field."""
        text_terms: list[TermMatch] = []
        url_patterns: list[tuple[TermMatch, re.Pattern[str]]] = []
        legit_text: list[str] = []
        legit_urls: list[re.Pattern[str]] = []
        negations: list[str] = []
        with path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip("\r\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                fields = line.split("\t")
                if len(fields) != 3:
                    raise ValueError(f"{path}:{number}: expected 'category<TAB>field<TAB>pattern', got {line!r}")
                category, field, pattern = (f.strip() for f in fields)
                if category not in CATEGORIES:
                    raise ValueError(f"{path}:{number}: field 'category': unknown {category!r}")
                if field not in FIELDS or (category == "negation" and field != "text"):
                    raise ValueError(f"{path}:{number}: field 'field': {field!r} is not allowed for {category}")
                if not pattern:
                    raise ValueError(f"{path}:{number}: field 'pattern' is empty")
                if field == "url":
                    try:
                        compiled = re.compile(pattern, re.IGNORECASE)
                    except re.error as exc:
                        raise ValueError(f"{path}:{number}: field 'pattern': bad regular expression: {exc}") from exc
                    if category == "legit":
                        legit_urls.append(compiled)
                    else:
                        url_patterns.append((TermMatch(category, pattern), compiled))
                elif category == "legit":
                    legit_text.append(pattern.lower())
                elif category == "negation":
                    negations.append(pattern.lower())
                else:
                    text_terms.append(TermMatch(category, pattern.lower()))
        # longest legit phrases first, so 中国福利彩票 is removed whole before 福利彩票
        legit_text.sort(key=len, reverse=True)
        return cls(tuple(text_terms), tuple(url_patterns), tuple(legit_text), tuple(legit_urls), tuple(negations))

    def _negated(self, text: str, start: int, end: int) -> bool:
        window = text[max(0, start - NEGATION_WINDOW) : end + NEGATION_WINDOW]
        return any(word in window for word in self.negations)

    def text_matches(self, text: str) -> list[TermMatch]:
        """The distinct terms found in ``text``, in table order; legit text removed, negated occurrences skipped."""
        lowered = text.lower()
        for phrase in self.legit_text:
            lowered = lowered.replace(phrase, " ")
        found: list[TermMatch] = []
        for match in self.text_terms:
            start = lowered.find(match.term)
            while start >= 0:
                if not self._negated(lowered, start, start + len(match.term)):
                    found.append(match)
                    break
                start = lowered.find(match.term, start + 1)
        return found

    def is_legit_url(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.legit_urls)

    def url_matches(self, url: str) -> list[TermMatch]:
        """The URL patterns found in ``url`` (none for an official lottery URL)."""
        if not url or self.is_legit_url(url):
            return []
        return [match for match, pattern in self.url_patterns if pattern.search(url)]


def worst_category(matches: list[TermMatch]) -> str:
    """The first of gambling, porn, spam that occurs in ``matches`` ("" for none)."""
    categories = {m.category for m in matches}
    return next((c for c in BAD_CATEGORIES if c in categories), "")
