"""The term dictionary behind the serious-typo detector.

Everything is read from plain files under ``data/terms/`` (see ``data/terms/README.md`` for every
source and licence). Loading is pure: no jieba, no pinyin here; the detector builds its index from this.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from govsites.paths import data_path

DEFAULT_TERMS_DIR = data_path("terms")

# Kinds whose misspelling is a 严重错误 (veto item); every other kind is "general".
SERIOUS_KINDS = frozenset({"leader", "organ", "political"})
SEVERITIES = frozenset({"serious", "general"})

KNOWN_PAIRS_FILE = "known_pairs.txt"
WHITELIST_FILE = "whitelist.txt"
VARIANTS_FILE = "variants.txt"
LOOKALIKES_FILE = "lookalikes_extra.txt"
_SPECIAL_FILES = frozenset({KNOWN_PAIRS_FILE, WHITELIST_FILE, VARIANTS_FILE, LOOKALIKES_FILE})
_PYCORRECTOR_DIR = Path("vendor") / "pycorrector"
_DIVISIONS_DIR = Path("vendor") / "divisions"

SHAANXI_CODE = "61"
# Division rows that are not names of a place (statistical placeholders).
_NOT_PLACE_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class KnownPair:
    """A known wrong form and its correction; ``context`` words gate pairs that are ordinary words."""

    wrong: str
    right: str
    severity: str
    context: tuple[str, ...] = ()


def severity_of(kind: str) -> str:
    return "serious" if kind in SERIOUS_KINDS else "general"


def _data_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, tab-separated fields) of non-blank, non-comment lines."""
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip("\r\n").strip()
            if line and not line.startswith("#"):
                yield number, [field.strip() for field in line.split("\t")]


def _read_terms(path: Path) -> dict[str, str]:
    terms: dict[str, str] = {}
    for number, fields in _data_lines(path):
        if len(fields) != 2 or not fields[0] or not fields[1]:
            raise ValueError(f"{path}:{number}: expected 'term<TAB>kind', got {fields!r}")
        terms.setdefault(fields[0], fields[1])
    return terms


def _read_known_pairs(path: Path) -> dict[str, KnownPair]:
    pairs: dict[str, KnownPair] = {}
    for number, fields in _data_lines(path):
        if len(fields) not in (3, 4) or fields[2] not in SEVERITIES:
            raise ValueError(f"{path}:{number}: expected 'wrong<TAB>right<TAB>serious|general[<TAB>ctx]'")
        context = tuple(w for w in fields[3].split(",") if w) if len(fields) == 4 else ()
        pairs[fields[0]] = KnownPair(fields[0], fields[1], fields[2], context)
    return pairs


def _read_variants(path: Path) -> dict[str, frozenset[str]]:
    """variant<TAB>standard lines → standard char -> its variant glyphs."""
    out: dict[str, set[str]] = {}
    for number, fields in _data_lines(path):
        if len(fields) != 2 or len(fields[0]) != 1 or len(fields[1]) != 1:
            raise ValueError(f"{path}:{number}: expected 'variant<TAB>standard' (one character each)")
        out.setdefault(fields[1], set()).add(fields[0])
    return {std: frozenset(glyphs) for std, glyphs in out.items()}


def _read_lookalikes(paths: Iterable[Path]) -> dict[str, frozenset[str]]:
    """same_stroke.txt format: each line a group of 形近字 → char -> the others of all its groups."""
    out: dict[str, set[str]] = {}
    for path in paths:
        for _number, fields in _data_lines(path):
            group = {ch for field in fields for ch in field.split() if len(ch) == 1}
            for ch in group:
                out.setdefault(ch, set()).update(group - {ch})
    return {ch: frozenset(others) for ch, others in out.items()}


def _read_chars(path: Path) -> frozenset[str]:
    return frozenset(fields[0] for _n, fields in _data_lines(path) if len(fields[0]) == 1)


def _division_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _read_divisions(directory: Path) -> tuple[dict[str, str], set[str]]:
    """Shaanxi names (all levels in the extract) as checked places; all names nationally as known words."""
    shaanxi: dict[str, str] = {}
    national: set[str] = set()
    for file_name in ("provinces.csv", "cities.csv", "areas.csv", "streets_ankang_6109.csv"):
        path = directory / file_name
        if not path.is_file():
            continue
        for row in _division_rows(path):
            name = row["name"].strip()
            if not name or name in _NOT_PLACE_NAMES:
                continue
            national.add(name)
            province = row.get("provinceCode") or row["code"][:2]
            if province == SHAANXI_CODE:
                shaanxi.setdefault(name, "place")
    return shaanxi, national


@dataclass(frozen=True, eq=False)
class TermDictionary:
    """Correct terms (checked and protected), protected-only words, known pairs and confusion sets."""

    terms: dict[str, str]
    known_words: frozenset[str]
    known_pairs: dict[str, KnownPair]
    lookalikes: dict[str, frozenset[str]]
    variants: dict[str, frozenset[str]]
    common_chars: frozenset[str]
    source: Path

    @classmethod
    def load(cls, terms_dir: Path | None = None, extra_terms: Iterable[tuple[str, str]] = ()) -> TermDictionary:
        """Read ``terms_dir`` (default ``<repo>/data/terms``) plus ``(term, kind)`` pairs from the caller."""
        directory = Path(terms_dir) if terms_dir is not None else DEFAULT_TERMS_DIR
        if not directory.is_dir():
            raise FileNotFoundError(f"term directory not found: {directory}")
        terms: dict[str, str] = {}
        for path in sorted(directory.glob("*.txt")):
            if path.name not in _SPECIAL_FILES:
                for term, kind in _read_terms(path).items():
                    terms.setdefault(term, kind)
        shaanxi, national = _read_divisions(directory / _DIVISIONS_DIR)
        for name, kind in shaanxi.items():
            terms.setdefault(name, kind)
        for raw_term, kind in extra_terms:
            if raw_term.strip() and kind:
                terms.setdefault(raw_term.strip(), kind)

        def optional(path: Path) -> Path | None:
            return path if path.is_file() else None

        whitelist_path = optional(directory / WHITELIST_FILE)
        whitelist = {f[0] for _n, f in _data_lines(whitelist_path)} if whitelist_path else set()
        pairs_path = optional(directory / KNOWN_PAIRS_FILE)
        variants_path = optional(directory / VARIANTS_FILE)
        lookalike_paths = [directory / _PYCORRECTOR_DIR / "same_stroke.txt", directory / LOOKALIKES_FILE]
        chars_path = optional(directory / _PYCORRECTOR_DIR / "common_char_set.txt")
        return cls(
            terms=terms,
            known_words=frozenset((national | whitelist) - terms.keys()),
            known_pairs=_read_known_pairs(pairs_path) if pairs_path else {},
            lookalikes=_read_lookalikes(p for p in lookalike_paths if p.is_file()),
            variants=_read_variants(variants_path) if variants_path else {},
            common_chars=_read_chars(chars_path) if chars_path else frozenset(),
            source=directory,
        )

    def is_correct_word(self, word: str) -> bool:
        return word in self.terms or word in self.known_words
