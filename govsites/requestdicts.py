"""Requests as Scrapy's dicts for Redis (the shared queue, the pages the caps hold), their callbacks named quickly.

``Request.to_dict(spider=…)`` names a callback by listing every member of the spider (``inspect.getmembers``) and
comparing each with it: about 140 µs a request with a callback and an errback on the site spider (10 µs here), and
in py-spy about 4 % of a distributed worker's busy time (a page's requests are encoded when the caps hold them and
again when they are pushed). A
bound method of the spider is named here by its own name, checked to be the spider's method of that name; the
dict is otherwise Scrapy's own (``to_dict`` of a shallow copy without the callbacks). A callback that is not so
(another object's method, Scrapy's ``NO_CALLBACK``) goes to Scrapy's search, which names it or raises as before.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from scrapy import Request


def method_name(spider: Any, func: Callable[..., Any] | None) -> str | None:
    """The name under which ``spider`` has the bound method ``func``; None when ``func`` is not one of its own."""
    name = getattr(func, "__name__", None)
    if not name or getattr(func, "__self__", None) is not spider:
        return None
    bound = getattr(spider, name, None)
    return name if getattr(bound, "__func__", None) is getattr(func, "__func__", None) is not None else None


def request_dict(request: Request, spider: Any) -> dict[str, Any]:
    """``request.to_dict(spider=spider)``, without its search of the spider's members (see the module docstring)."""
    callbacks = (request.callback, request.errback)
    names = [method_name(spider, func) for func in callbacks]
    if any(func is not None and name is None for func, name in zip(callbacks, names, strict=True)):
        return request.to_dict(spider=spider)
    plain = copy.copy(request)
    plain.callback = plain.errback = None
    found = plain.to_dict()
    found["callback"], found["errback"] = names
    return found
