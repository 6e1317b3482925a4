"""Serious-typo detection: one Aho-Corasick pass over the text, then local checks on the few hits.

Index (once per dictionary): every one-character variant of every checked term (3+ characters, or a
leader name of 2+), where the replacing character has the same toneless primary pinyin (computed once
per character), looks alike (pycorrector's 形近字 groups plus ``lookalikes_extra.txt``) or is a
non-GB2312 variant glyph of it, plus the exact known wrong forms. A variant that is itself a term, a
place, a whitelisted word, or a jieba word (except for 3-character leader names) is not indexed.

Scan (per text): only runs of characters that occur in some indexed string go through the automaton;
each hit is then checked locally:
- known pairs with context words need one of them within ``PAIR_CONTEXT_CHARS`` characters;
- leader-name variants need a title (``LEADER_TITLES``) within ``LEADER_TITLE_GAP`` characters before or
  after; 2-character names need one of ``TOP_TITLES`` directly adjacent. No other check applies to them;
- a correct word near the window suppresses the hit when it contains the whole window, or covers a
  differing character — unless it is a serious-kind term lying inside the window (纪律检察委员会 holds
  the correct 检察委员会; places, titles and whitelisted words such as 常委 still protect there);
- jieba (one local segmentation of ±``JIEBA_MARGIN`` characters, only for hits) suppresses a hit when a
  dictionary word crossing the window's edge takes a differing character (高县 in 岚高县);
- overlapping findings keep a known pair, else the longest, then the serious one.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick
import jieba
from pypinyin import Style, lazy_pinyin

from govsites.typos.dictionary import SERIOUS_KINDS, TermDictionary, severity_of

MIN_CHECKED_LEN = 3
MIN_LEADER_LEN = 2
CONTEXT_CHARS = 15
PAIR_CONTEXT_CHARS = 12
LEADER_TITLE_GAP = 3
JIEBA_MARGIN = 6
# A variant that jieba knows at least this often is an ordinary word, not a typo (non-leader terms).
JIEBA_WORD_MIN_FREQ = 1
LEADER_TITLES = (
    "总书记", "国家主席", "副主席", "主席", "总理", "委员长", "书记", "省长", "市长", "县长",
    "部长", "常委", "委员", "同志", "主任", "讲话", "指出", "强调", "批示", "指示",
)  # fmt: skip
# Two-character leader names (汪洋, 韩正 ...) are only checked right next to a title only top leaders hold.
TOP_TITLES = (
    "总书记", "国家主席", "国家副主席", "政协主席", "委员长", "总理", "副总理", "政治局常委", "政治局委员",
)  # fmt: skip
_KIND_PRIORITY = ("variant", "homophone", "lookalike")


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002fa1f"


@dataclass(frozen=True)
class Finding:
    wrong: str  # the text as found
    right: str  # the dictionary term it should be
    start: int  # offset in the scanned text
    context: str  # ±15 characters around it
    severity: str  # "serious" | "general"
    kind: str  # "homophone" | "lookalike" | "known_pair" | "variant"

    @property
    def end(self) -> int:
        return self.start + len(self.wrong)


@dataclass(frozen=True)
class _Entry:
    wrong: str
    right: str
    term_kind: str  # the dictionary kind of ``right`` ("known" for known pairs)
    kind: str
    diffs: tuple[int, ...]  # indexes of the differing characters in the window
    severity: str
    context: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _jieba() -> jieba.Tokenizer:
    """One jieba tokenizer per process (its own instance, so the global one is left alone)."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _readings(chars: Iterable[str]) -> dict[str, set[str]]:
    """Toneless primary reading -> characters, computed once per index. Rare readings of polyphones
    (强 jiang, 长 zhang alone) are left out: an input method offers a character under its usual one."""
    by_reading: dict[str, set[str]] = {}
    for ch in chars:
        reading = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
        if reading:
            by_reading.setdefault(reading[0], set()).add(ch)
    return by_reading


def _term_readings(term: str) -> list[str | None]:
    """The contextual toneless reading of each character of ``term`` (None when not Han)."""
    if all(map(_is_han, term)):
        readings = lazy_pinyin(term, style=Style.NORMAL)
        if len(readings) == len(term):
            return list(readings)
    out: list[str | None] = []
    for ch in term:
        reading = lazy_pinyin(ch, style=Style.NORMAL) if _is_han(ch) else []
        out.append(reading[0] if reading else None)
    return out


def _diff_positions(wrong: str, right: str) -> tuple[int, ...]:
    """Indexes of ``wrong`` outside its common prefix and suffix with ``right``; for a dropped
    character (齐齐哈市 for 齐齐哈尔市) the character before the gap."""
    shortest = min(len(wrong), len(right))
    prefix = 0
    while prefix < shortest and wrong[prefix] == right[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and wrong[-1 - suffix] == right[-1 - suffix]:
        suffix += 1
    return tuple(range(prefix, len(wrong) - suffix)) or (max(prefix - 1, 0),)


class TypoDetector:
    """Find one-character misspellings of dictionary terms and known wrong forms in text."""

    def __init__(self, dictionary: TermDictionary) -> None:
        started = time.perf_counter()
        self.dictionary = dictionary
        self._tokenizer = _jieba()
        freq: dict[str, int] = self._tokenizer.FREQ
        for term in dictionary.terms:
            if freq.get(term, 0) == 0:
                self._tokenizer.add_word(term, freq=100)
        self._entries: dict[str, _Entry] = {}
        self._index_terms(freq)
        for pair in dictionary.known_pairs.values():
            diffs = _diff_positions(pair.wrong, pair.right)
            self._entries[pair.wrong] = _Entry(
                pair.wrong, pair.right, "known", "known_pair", diffs, pair.severity, pair.context
            )
        self._hits = _automaton(self._entries.items())
        # pyahocorasick pays for every character that leaves the root (it searches the root's children),
        # so only runs of characters that occur in some indexed string are fed to it; every match lies
        # inside one such run.
        alphabet = "".join(re.escape(ch) for ch in sorted({ch for wrong in self._entries for ch in wrong}))
        self._runs = re.compile(f"[{alphabet}]{{2,}}" if alphabet else r"(?!)")
        # Value: (length, whether the word still protects when it lies inside a longer variant window).
        # A correct organ/political/leader term inside a window does not vouch for the longer window
        # (纪律检察委员会 holds 检察委员会); places, titles and whitelisted words do (市委常委).
        self._protect = _automaton(
            (word, (len(word), dictionary.terms.get(word, "place") not in SERIOUS_KINDS))
            for word in set(dictionary.terms) | set(dictionary.known_words)
        )
        longest = max(map(len, dictionary.terms), default=1)
        self._protect_margin = max(longest, max(map(len, dictionary.known_words), default=1))
        self.build_seconds = time.perf_counter() - started

    @property
    def variant_count(self) -> int:
        return len(self._entries)

    # -- index ---------------------------------------------------------------------------------------
    def _index_terms(self, freq: dict[str, int]) -> None:
        d = self.dictionary
        checked = {
            t: k
            for t, k in d.terms.items()
            if len(t) >= MIN_CHECKED_LEN or (k == "leader" and len(t) >= MIN_LEADER_LEN)
        }
        universe = set(d.common_chars) | {ch for t in checked for ch in t if _is_han(ch)}
        by_reading = _readings(universe)
        for term, term_kind in checked.items():
            severity = severity_of(term_kind)
            is_leader = term_kind == "leader"
            short_leader = is_leader and len(term) < MIN_CHECKED_LEN
            for i, (ch, reading) in enumerate(zip(term, _term_readings(term), strict=True)):
                if not _is_han(ch):
                    continue
                candidates: dict[str, set[str]] = {
                    "variant": set(d.variants.get(ch, ())),
                    "homophone": by_reading.get(reading, set()) if reading else set(),
                    "lookalike": set() if short_leader else set(d.lookalikes.get(ch, ())),
                }
                for kind in _KIND_PRIORITY:
                    for other in candidates[kind] - {ch}:
                        wrong = term[:i] + other + term[i + 1 :]
                        if d.is_correct_word(wrong) or wrong in d.known_pairs:
                            continue
                        # A leader-name variant outranks jieba's word list (王歧山 is a jieba word),
                        # except for two-character names, where jieba words are ordinary names.
                        if (not is_leader or short_leader) and freq.get(wrong, 0) >= JIEBA_WORD_MIN_FREQ:
                            continue
                        previous = self._entries.get(wrong)
                        if previous is None or (previous.severity == "general" and severity == "serious"):
                            self._entries[wrong] = _Entry(wrong, term, term_kind, kind, (i,), severity)

    # -- scan ----------------------------------------------------------------------------------------
    def find(self, text: str) -> list[Finding]:
        """All findings in ``text``, ordered by offset; overlapping hits keep the longest."""
        if not text or self._hits.kind != ahocorasick.AHOCORASICK:
            return []
        found: list[Finding] = []
        for run in self._runs.finditer(text):
            for last, entry in self._hits.iter(text, run.start(), run.end()):
                start = last - len(entry.wrong) + 1
                if self._accept(text, start, entry):
                    lo = max(0, start - CONTEXT_CHARS)
                    context = text[lo : start + len(entry.wrong) + CONTEXT_CHARS]
                    found.append(Finding(entry.wrong, entry.right, start, context, entry.severity, entry.kind))
        return _drop_overlaps(found)

    def _accept(self, text: str, start: int, entry: _Entry) -> bool:
        end = start + len(entry.wrong)
        if entry.context:
            around = text[max(0, start - PAIR_CONTEXT_CHARS) : start] + text[end : end + PAIR_CONTEXT_CHARS]
            if not any(word in around for word in entry.context):
                return False
        if entry.term_kind == "leader":
            if len(entry.wrong) < MIN_CHECKED_LEN:
                return _has_title(text, start, end, TOP_TITLES, gap=0)
            return _has_title(text, start, end, LEADER_TITLES, gap=LEADER_TITLE_GAP)
        if self._protected(text, start, end, entry):
            return False
        return not self._cut_by_jieba(text, start, end, entry)

    def _protected(self, text: str, start: int, end: int, entry: _Entry) -> bool:
        """A correct word covers a differing character (and is not merely a shorter term inside the
        window), or contains the whole window."""
        if self._protect.kind != ahocorasick.AHOCORASICK:
            return False
        lo = max(0, start - self._protect_margin + 1)
        local = text[lo : end + self._protect_margin - 1]
        diffs = [start + i for i in entry.diffs]
        for last, (length, protects_inside) in self._protect.iter(local):
            p_end = lo + last + 1
            p_start = p_end - length
            if p_end <= start or p_start >= end:
                continue
            if p_start <= start and end <= p_end and length > end - start:
                return True
            inside = start <= p_start and p_end <= end
            if any(p_start <= at < p_end for at in diffs) and (protects_inside or not inside):
                return True
        return False

    def _cut_by_jieba(self, text: str, start: int, end: int, entry: _Entry) -> bool:
        """A jieba dictionary word crossing the window's edge takes one of its differing characters."""
        lo = max(0, start - JIEBA_MARGIN)
        local = text[lo : end + JIEBA_MARGIN]
        w_start, w_end = start - lo, end - lo
        diffs = [w_start + i for i in entry.diffs]
        freq: dict[str, int] = self._tokenizer.FREQ
        for word, t_start, t_end in self._tokenizer.tokenize(local, HMM=False):
            if len(word) < 2 or t_end <= w_start or t_start >= w_end:
                continue
            crosses = t_start < w_start or t_end > w_end
            if crosses and any(t_start <= at < t_end for at in diffs) and freq.get(word, 0) > 0:
                return True
        return False


def _automaton(items: Iterable[tuple[str, object]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, value in items:
        automaton.add_word(key, value)
    if len(automaton):
        automaton.make_automaton()
    return automaton


def _has_title(text: str, start: int, end: int, titles: tuple[str, ...], gap: int) -> bool:
    """One of ``titles`` ends at most ``gap`` characters before ``start`` or begins at most ``gap``
    characters after ``end``."""
    reach = gap + max(map(len, titles))
    before = text[max(0, start - reach) : start]
    after = text[end : end + reach]
    return any((at := before.rfind(title)) >= 0 and len(before) - (at + len(title)) <= gap for title in titles) or any(
        0 <= after.find(title) <= gap for title in titles
    )


def _drop_overlaps(findings: list[Finding]) -> list[Finding]:
    """Of overlapping findings keep a known pair first, then the longest, serious, earliest one."""
    ranked = sorted(findings, key=lambda f: (f.kind != "known_pair", -len(f.wrong), f.severity != "serious", f.start))
    taken: set[int] = set()
    kept: list[Finding] = []
    for finding in ranked:
        span = range(finding.start, finding.start + len(finding.wrong))
        if taken.isdisjoint(span):
            taken.update(span)
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


@lru_cache(maxsize=8)
def _cached_detector(extra_terms: tuple[tuple[str, str], ...]) -> TypoDetector:
    return TypoDetector(TermDictionary.load(extra_terms=extra_terms))


def default_detector(extra_terms: Iterable[tuple[str, str]] = ()) -> TypoDetector:
    """The detector for ``data/terms`` (plus ``extra_terms``), built once per process per term set."""
    return _cached_detector(tuple(sorted(set(extra_terms))))
