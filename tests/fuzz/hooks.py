"""Schemathesis hooks for scripts/fuzz: the two rules of the OpenAPI document that JSON
Schema cannot state, taught to the generator so that its *positive* cases really are
valid. Negative cases are left alone, and each rule has its own regression test
(apps/api/tests/api/contract.rs) that sends the refused value and expects the documented
422.

- GET /stats/sku: `to` must be after `from` and at most 7 days later.
- GET /orders, GET /admin/orders, GET /admin/dead-letters: a `cursor` is only valid when
  this server issued it (for the same listing); a generated one never was, so positive
  cases go without one.
"""

from datetime import datetime, timedelta

import schemathesis

MAX_RANGE = timedelta(days=7)


def _positive(case) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _parse(text):
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        return None
    return at if at.tzinfo is not None else None


@schemathesis.hook
def map_case(ctx, case):
    if not _positive(case) or not isinstance(case.query, dict):
        return case
    method, path = case.method.upper(), case.path
    if method == "GET" and path == "/stats/sku":
        start, end = _parse(case.query.get("from")), _parse(case.query.get("to"))
        if start is not None and end is not None and not (start < end <= start + MAX_RANGE):
            # Keep the generated length when it fits, else a length derived from it.
            seconds = int(abs((end - start).total_seconds())) % int(MAX_RANGE.total_seconds())
            span = timedelta(seconds=max(seconds, 1))
            try:
                case.query["to"] = (start + span).isoformat()
            except OverflowError:
                case.query["from"] = (start - span).isoformat()
                case.query["to"] = start.isoformat()
    elif method == "GET" and path in ("/orders", "/admin/orders", "/admin/dead-letters"):
        case.query.pop("cursor", None)
    return case
