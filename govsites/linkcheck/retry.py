"""Retries of transient failures with backoff, honouring ``Retry-After``, bounded."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

from govsites.config import GovsitesConfig


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteRetryMiddleware(RetryMiddleware):
    """Retry 429/503/… and connection failures after a pause: ``Retry-After`` when the server gives one
    (capped by ``GOVSITES_RETRY_MAX_DELAY``), else ``GOVSITES_RETRY_BACKOFF`` × 2^attempt.

    A link that recovers within the retries is therefore judged by its final answer, not broken.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        config = GovsitesConfig.from_settings(settings)
        self.backoff = config.retry_backoff
        self.max_delay = config.retry_max_delay

    def _delay(self, request: Request, response: Response | None = None) -> float:
        attempt = request.meta.get("retry_times", 0)
        header = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
        delay = header if header is not None else self.backoff * (2**attempt)
        return min(delay, self.max_delay)

    def _can_retry(self, request: Request) -> bool:
        return request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retry_times)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if not self._can_retry(request):
            return self._retry(request, response_status_message(response.status)) or response
        await asyncio.sleep(self._delay(request, response))
        return self._retry(request, response_status_message(response.status)) or response

    async def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        if self._can_retry(request):
            await asyncio.sleep(self._delay(request))
        return self._retry(request, exception)
