"""Quality and speed figures for the typo detector: ``run_bench()`` (wired into ``make bench``).

- Precision/recall on the labelled corpus ``tests/typo_corpus/corpus.tsv`` (format in its README).
- False serious flags per 100,000 characters of real clean text: the visible text of the saved pages in
  ``../shared/real-pages`` and the correct sentences of pycorrector's ``ec_law_test.tsv`` (skipped when
  ``../shared`` is absent, e.g. in a user's clone).
- Throughput in MB of UTF-8 text per second on one core, and dictionary/index build time.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

from govsites.typos.detector import Finding, TypoDetector
from govsites.typos.dictionary import TermDictionary

REPO = Path(__file__).resolve().parents[1]
CORPUS_PATH = REPO / "tests" / "typo_corpus" / "corpus.tsv"
SHARED = REPO.parent / "shared"
BENCH_BYTES = 6_000_000
_MARK = re.compile(r"\[\[([^>\]]+)>([^\]]+)\]\]")
_SERVER_LINE = re.compile(r"^\s*<(%|jsp:)")


@dataclass(frozen=True)
class Label:
    start: int
    wrong: str
    right: str
    severity: str
    kind: str

    @property
    def end(self) -> int:
        return self.start + len(self.wrong)

    @property
    def changed(self) -> tuple[int, int]:
        """The span of the characters that differ from ``right`` (all of them if lengths differ)."""
        if len(self.wrong) != len(self.right):
            return self.start, self.end
        diffs = [i for i, (a, b) in enumerate(zip(self.wrong, self.right, strict=True)) if a != b]
        return self.start + diffs[0], self.start + diffs[-1] + 1


@dataclass(frozen=True)
class CorpusLine:
    text: str
    labels: tuple[Label, ...]


def parse_line(severity: str, kind: str, marked: str) -> CorpusLine:
    """Turn ``...[[wrong>right]]...`` into plain text plus labels at the offsets of the wrong chars."""
    parts: list[str] = []
    labels: list[Label] = []
    pos = 0
    offset = 0
    for match in _MARK.finditer(marked):
        parts.append(marked[pos : match.start()])
        offset += match.start() - pos
        wrong, right = match.group(1), match.group(2)
        labels.append(Label(offset, wrong, right, severity, kind))
        parts.append(wrong)
        offset += len(wrong)
        pos = match.end()
    parts.append(marked[pos:])
    return CorpusLine("".join(parts), tuple(labels))


def load_corpus(path: Path = CORPUS_PATH) -> list[CorpusLine]:
    lines: list[CorpusLine] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{path}:{number}: expected severity<TAB>kind<TAB>text")
        line = parse_line(*fields)
        if bool(line.labels) == (fields[0] == "-"):
            raise ValueError(f"{path}:{number}: marks and severity '-' disagree")
        lines.append(line)
    return lines


def _matches(finding: Finding, label: Label) -> bool:
    """The finding's window covers every changed character of the label."""
    lo, hi = label.changed
    return finding.start <= lo and hi <= finding.end


def evaluate(detector: TypoDetector, corpus: list[CorpusLine]) -> dict[str, float | int]:
    """Serious and overall precision/recall; a finding counts when it covers a label's changed chars."""
    counts = dict.fromkeys(
        ("serious_tp", "serious_fp", "serious_labels", "serious_found", "all_tp", "all_fp", "all_labels",
         "all_found", "kind_agree", "clean_lines_flagged"),
        0,
    )  # fmt: skip
    for line in corpus:
        findings = detector.find(line.text)
        if not line.labels and findings:
            counts["clean_lines_flagged"] += 1
        for finding in findings:
            hit = any(_matches(finding, label) for label in line.labels)
            counts["all_tp" if hit else "all_fp"] += 1
            if finding.severity == "serious":
                counts["serious_tp" if hit else "serious_fp"] += 1
        for label in line.labels:
            covering = [f for f in findings if _matches(f, label)]
            counts["all_labels"] += 1
            counts["all_found"] += bool(covering)
            counts["kind_agree"] += any(f.kind == label.kind for f in covering)
            if label.severity == "serious":
                counts["serious_labels"] += 1
                counts["serious_found"] += any(f.severity == "serious" for f in covering)

    def ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    return {
        **counts,
        "lines": len(corpus),
        "serious_precision": ratio(counts["serious_tp"], counts["serious_tp"] + counts["serious_fp"]),
        "serious_recall": ratio(counts["serious_found"], counts["serious_labels"]),
        "all_precision": ratio(counts["all_tp"], counts["all_tp"] + counts["all_fp"]),
        "all_recall": ratio(counts["all_found"], counts["all_labels"]),
    }


def visible_text(html_bytes: bytes) -> str:
    """Text of a saved page without script/style (JSP header lines removed); enough for a benchmark."""
    head = html_bytes[:4096].lower()
    encoding = "gb18030" if b"charset=gb" in head or b'charset="gb' in head else "utf-8"
    source = html_bytes.decode(encoding, errors="replace")
    source = "\n".join(line for line in source.splitlines() if not _SERVER_LINE.match(line))
    doc = lxml_html.document_fromstring(source)
    for node in doc.xpath("//script|//style"):
        node.drop_tree()
    return doc.text_content()


def real_clean_texts(shared: Path = SHARED) -> list[str]:
    """Visible text of every saved real page and the correct sentences of ec_law_test.tsv ([] if absent)."""
    texts: list[str] = []
    pages = shared / "real-pages"
    if pages.is_dir():
        texts.extend(visible_text(path.read_bytes()) for path in sorted(pages.rglob("*.html")))
    law = shared / "lexicon" / "shibing624__pycorrector" / "ec_law_test.tsv"
    if law.is_file():
        rows = [line.split("\t") for line in law.read_text(encoding="utf-8").splitlines()]
        texts.append("\n".join(row[1] for row in rows if len(row) > 1))
    return texts


def false_alarms(detector: TypoDetector, texts: list[str]) -> dict[str, float | int]:
    chars = sum(len(t) for t in texts)
    serious = sum(f.severity == "serious" for t in texts for f in detector.find(t))
    general = sum(f.severity == "general" for t in texts for f in detector.find(t))
    per_100k = serious * 100_000 / chars if chars else 0.0
    return {"chars": chars, "serious_flags": serious, "general_flags": general, "serious_per_100k": per_100k}


def throughput(detector: TypoDetector, texts: list[str], target_bytes: int = BENCH_BYTES) -> dict[str, float]:
    """Scan ``texts`` repeatedly (one ``find`` call per text) until ``target_bytes`` of UTF-8 are read."""
    sample = [t for t in texts if t.strip()]
    if not sample:
        return {"mb": 0.0, "seconds": 0.0, "mb_per_s": 0.0}
    scanned = 0
    started = time.perf_counter()
    while scanned < target_bytes:
        for text in sample:
            detector.find(text)
            scanned += len(text.encode("utf-8"))
    seconds = time.perf_counter() - started
    return {"mb": scanned / 1e6, "seconds": seconds, "mb_per_s": scanned / 1e6 / seconds}


def run_bench() -> dict[str, object]:
    """Build the default dictionary and detector, then measure quality and speed."""
    started = time.perf_counter()
    dictionary = TermDictionary.load()
    load_s = time.perf_counter() - started
    detector = TypoDetector(dictionary)
    corpus = load_corpus() if CORPUS_PATH.is_file() else []
    real = real_clean_texts()
    speed_texts = real or [line.text for line in corpus]
    return {
        "dictionary_load_s": round(load_s, 3),
        "index_build_s": round(detector.build_seconds, 3),
        "terms": len(dictionary.terms),
        "indexed_variants": detector.variant_count,
        "corpus": evaluate(detector, corpus) if corpus else None,
        "real_text": false_alarms(detector, real) if real else None,
        "speed": throughput(detector, speed_texts),
        "speed_source": "shared real pages + ec_law" if real else "labelled corpus",
    }


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    sys.stdout.write(json.dumps(run_bench(), ensure_ascii=False, indent=2) + "\n")
