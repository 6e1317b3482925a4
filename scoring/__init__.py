"""The scoring stage: store (one run) + registry → metrics → rubric → CSVs and ``scores.xlsx``.

Reads only :mod:`govsites.store` and :mod:`govsites.registry`; never Scrapy or the spiders.
Python API: :func:`scoring.cli.score_run`; CLI: ``python -m scoring``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.cli import ScoringResult

__all__ = ["ScoringResult", "score_run"]


def score_run(*args: Any, **kwargs: Any) -> ScoringResult:
    """See :func:`scoring.cli.score_run` (imported lazily so ``import scoring`` stays light)."""
    from scoring.cli import score_run as run

    return run(*args, **kwargs)
