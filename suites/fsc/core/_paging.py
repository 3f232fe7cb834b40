"""Walking the Manager's listings as Peer A: one page at a time (cursor, limit) and in both
sort orders, for the pagination checks of manager.yaml and logging.yaml."""

from __future__ import annotations

from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure
from cgconform.suites.fsc.harness.codes import evidence
from cgconform.suites.fsc.harness.expect import body, line, listing
from cgconform.suites.fsc.harness.peers import Harness

ASCENDING, DESCENDING = "SORT_ORDER_ASCENDING", "SORT_ORDER_DESCENDING"


def get(fsc: Harness, path: str, **params: Any) -> Exchange:
    return fsc.a.http.get(fsc.manager_url(path), params=params or None)


def ok(exchange: Exchange, what: str) -> None:
    if exchange.status != 200:
        raise Failure(
            f"{what} answered {line(exchange)}, not 200 with the listing",
            evidence=evidence(exchange),
        )


def next_cursor(exchange: Exchange) -> str | None:
    data = body(exchange)
    pagination = data.get("pagination") if isinstance(data, dict) else None
    cursor = pagination.get("next_cursor") if isinstance(pagination, dict) else None
    return cursor if isinstance(cursor, str) else None


def paging_problems(
    fsc: Harness, path: str, key: str, ident: Any, params: dict[str, Any]
) -> tuple[list[str], list[Exchange]]:
    """Walk a listing one item per page (limit=1): each page holds one item, the cursor moves
    on, no item comes twice. Needs at least two items."""
    exchanges: list[Exchange] = []
    seen: list[Any] = []
    cursor = ""
    for _ in range(3):
        exchange = get(fsc, path, limit=1, **params, **({"cursor": cursor} if cursor else {}))
        exchanges.append(exchange)
        ok(exchange, f"GET /v1{path}?limit=1")
        items = listing(exchange, key)
        if len(items) > 1:
            return [f"limit=1 gave {len(items)} items"], exchanges
        seen.extend(ident(i) for i in items)
        cursor = next_cursor(exchange) or ""
        if not cursor:
            break
    problems = []
    if len(seen) < 2:
        problems.append(
            f"with more than one item to list, the first page of limit=1 has next_cursor "
            f"{next_cursor(exchanges[0])!r} and the walk found {len(seen)} item(s)"
        )
    if len(set(map(repr, seen))) != len(seen):
        problems.append(f"the pages repeat items ({seen}): the cursor does not move on")
    return problems, exchanges


def distinct_times(fsc: Harness, path: str, key: str, when: Any) -> int:
    exchange = get(fsc, path, limit=1000)
    return len({when(i) for i in listing(exchange, key) if isinstance(when(i), int)})


def order_problems(
    fsc: Harness, path: str, key: str, when: Any, params: dict[str, Any]
) -> tuple[list[str], list[Exchange]]:
    problems = []
    exchanges = []
    for order in (ASCENDING, DESCENDING):
        exchange = get(fsc, path, sort_order=order, limit=1000, **params)
        exchanges.append(exchange)
        ok(exchange, f"GET /v1{path}?sort_order={order}")
        moments = [when(i) for i in listing(exchange, key)]
        moments = [m for m in moments if isinstance(m, int)]
        wanted = sorted(moments, reverse=order == DESCENDING)
        if moments != wanted:
            problems.append(f"sort_order={order} gives creation times {moments[:8]}…")
    return problems, exchanges
