"""What the browser loads when a JavaScript-filled list is rendered.

A rendered list needs the page's HTML, its scripts and the data they fetch (XHR/fetch, JSONP scripts); it does
not need pictures, fonts, media or style sheets. Skipping them saves the browser most of its work (measured in
docs/benchmarks.md) and changes nothing the extractors read: they read the DOM, not the layout.
"""

from __future__ import annotations

from typing import Any

#: Playwright resource types a rendered list never needs.
SKIPPED_RESOURCES = frozenset({"image", "media", "font", "stylesheet", "imageset", "texttrack"})


def skip_resource(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: abort loads of resource types a list never needs (a Playwright request)."""
    return str(getattr(request, "resource_type", "")) in SKIPPED_RESOURCES
