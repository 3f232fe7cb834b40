"""The independent Logboek's store: one SQLite database in memory, one row per record."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

ACTIVITY = "dpl.core.processing_activity_id"
SUBJECT = "dpl.core.data_subject_id"


@dataclass(frozen=True)
class Record:
    """One logregel as stored (ids as lowercase hex, times in nanoseconds since the epoch)."""

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    status: str  # "Unset", "Ok" or "Error"
    status_message: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: dict[str, Any]

    @property
    def activity(self) -> str | None:
        value = self.attributes.get(ACTIVITY)
        return None if value is None else str(value)

    @property
    def subject(self) -> str | None:
        value = self.attributes.get(SUBJECT)
        return None if value is None else str(value)


@dataclass(frozen=True)
class Query:
    """A read: every given condition must hold (`None`: not asked)."""

    trace_id: str | None = None
    activity: str | None = None
    subject: str | None = None
    start_from_ns: int | None = None
    end_until_ns: int | None = None


_SCHEMA = """
create table records (
    seq integer primary key autoincrement,
    trace_id text not null,
    span_id text not null,
    parent_span_id text not null,
    name text not null,
    status text not null,
    status_message text not null,
    start_ns integer not null,
    end_ns integer not null,
    attributes text not null,
    resource text not null,
    scope text not null,
    activity text,
    subject text,
    unique (trace_id, span_id)
);
create index records_activity on records (activity);
create index records_subject on records (subject);
"""

_COLUMNS = (
    "trace_id, span_id, parent_span_id, name, status, status_message, start_ns, end_ns, "
    "attributes, resource, scope"
)


class Store:
    """Thread-safe: the HTTP server answers each connection in its own thread."""

    def __init__(self, *, subject_prefix_match: bool = False) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._subject_prefix_match = subject_prefix_match

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, records: Sequence[Record]) -> None:
        """Store all of `records` or none of them (a later write of the same ids replaces)."""
        rows = [
            (
                r.trace_id,
                r.span_id,
                r.parent_span_id,
                r.name,
                r.status,
                r.status_message,
                r.start_ns,
                r.end_ns,
                json.dumps(r.attributes),
                json.dumps(r.resource),
                json.dumps(r.scope),
                r.activity,
                r.subject,
            )
            for r in records
        ]
        with self._lock, self._db:
            self._db.executemany(
                f"insert or replace into records ({_COLUMNS}, activity, subject) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def find(self, query: Query) -> list[Record]:
        """The records meeting every condition of `query`, by start time."""
        where: list[str] = []
        args: list[object] = []
        if query.trace_id is not None:
            where.append("trace_id = ?")
            args.append(query.trace_id)
        if query.activity is not None:
            where.append("activity = ?")
            args.append(query.activity)
        if query.subject is not None:
            if self._subject_prefix_match:  # seeded defect: a LIKE with a trailing wildcard
                where.append("subject like ?")
                args.append(query.subject + "%")
            else:
                where.append("subject = ?")
                args.append(query.subject)
        if query.start_from_ns is not None:
            where.append("start_ns >= ?")
            args.append(query.start_from_ns)
        if query.end_until_ns is not None:
            where.append("end_ns <= ?")
            args.append(query.end_until_ns)
        return self._select(" and ".join(where) or "1 = 1", args)

    def traces(self, trace_ids: Iterable[str]) -> list[Record]:
        """Every record of the given traces, by start time."""
        ids = sorted(set(trace_ids))
        if not ids:
            return []
        return self._select(f"trace_id in ({', '.join('?' for _ in ids)})", list(ids))

    def all(self) -> list[Record]:
        return self._select("1 = 1", [])

    def _select(self, where: str, args: list[object]) -> list[Record]:
        with self._lock:
            rows = self._db.execute(
                f"select {_COLUMNS} from records where {where} order by start_ns, seq", args
            ).fetchall()
        return [
            Record(
                trace_id=row[0],
                span_id=row[1],
                parent_span_id=row[2],
                name=row[3],
                status=row[4],
                status_message=row[5],
                start_ns=row[6],
                end_ns=row[7],
                attributes=json.loads(row[8]),
                resource=json.loads(row[9]),
                scope=json.loads(row[10]),
            )
            for row in rows
        ]
