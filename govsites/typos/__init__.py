"""Serious-typo (严重错别字) detection: pure, no Scrapy and no store imports."""

from govsites.typos.detector import Finding, TypoDetector, default_detector
from govsites.typos.dictionary import KnownPair, TermDictionary

__all__ = ["Finding", "KnownPair", "TermDictionary", "TypoDetector", "default_detector"]
