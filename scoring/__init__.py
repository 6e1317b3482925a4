"""The scoring stage: store (one run) + registry → metrics → rubric → CSVs, ``scores.xlsx`` and the notice.

Reads only :mod:`govsites.store` and :mod:`govsites.registry`; never Scrapy or the spiders.
Python API: :func:`scoring.evaluation.evaluate` computes an :class:`~scoring.evaluation.Evaluation` (writes
nothing); :func:`scoring.outputs.score_run` evaluates and writes the files. CLI: ``python -m scoring``
(:mod:`scoring.cli`, which nothing else imports).

Layers, each importing only those below it: ``vocabulary`` (column names, codes, labels) → ``rubric``,
``load``, ``noticecfg``, ``baseline``, ``csvout`` → ``interaction``, ``expert``, ``problems`` → ``metrics`` →
``history`` → ``evaluation`` → ``report``, ``notice`` → ``outputs`` → ``cli``.
"""

from __future__ import annotations

from scoring.evaluation import Evaluation, EvaluationOptions, evaluate
from scoring.outputs import ScoringResult, score_run

__all__ = ["Evaluation", "EvaluationOptions", "ScoringResult", "evaluate", "score_run"]
