"""Benchmarks, outside the product: ``python -m bench`` (``make bench``) prints speed and accuracy figures.

``bench.web`` is the synthetic government web the figures are measured on, ``bench.typos`` the typo detector's
corpus figures. Times and sizes are measured here, never asserted in the tests.
"""
