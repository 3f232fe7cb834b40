"""GET /session/{requestorToken}/statusevents: a server-sent event stream that sends the new
session status, as a JSON string, whenever it changes.

cgconform subscribes to a new session's events, cancels the session a second later, and reads
the stream until the server ends it or [yivi] statusevents_wait seconds pass (a stream cut off
then still counts with the events it carried)."""

from __future__ import annotations

import json

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.yivi_harness import YiviHarness
from cgconform.suites.identity.harness.yivi_sse import Stream

STD = "Yivi-Requestor"
ASKS = (
    'api-irma-server.md, GET /session/{requestorToken}/statusevents: "Subscribe to a '
    "server-sent event stream of status updates. Whenever the session status changes, an event "
    'is sent with the new session status as a JSON string."'
)


def _statuses(stream: Stream) -> list[str]:
    found = []
    for data in stream.data():
        try:
            value = json.loads(data)
        except ValueError:
            continue
        if isinstance(value, str):
            found.append(value)
    return found


def _shown(stream: Stream) -> str:
    text = stream.text.strip().replace("\n", "\\n")
    return text[:200] + ("…" if len(text) > 200 else "")


@requirement(STD, "/yivi/requestor/session-statusevents")
def statusevents_stream_status_changes(yivi: YiviHarness) -> None:
    started = yivi.new_session()
    seconds = yivi.settings.statusevents_wait_s
    cancelled: list[int] = []

    def cancel() -> None:
        cancelled.append(yivi.api.delete(started.token).status)

    stream = yivi.api.listen(started.token, cancel, seconds)
    evidence = [started.exchange.to_evidence()]
    if stream.status is None:
        raise Inconclusive(
            f"the statusevents request got no response: {stream.error}", evidence=evidence
        )
    if stream.status == 500 and "SSE_DISABLED" in stream.text:
        raise NotTested(
            "the server says server-sent events are disabled (SSE_DISABLED: the irma server "
            "runs without --sse); enable them to test statusevents, or state [statement] "
            "server_sent_events = false if the deployment does without"
        )
    how = "the server ended the stream" if stream.complete else f"cut off after {seconds:g} s"
    if not 200 <= stream.status < 300 or not stream.is_event_stream:
        raise Failure(
            f"statusevents answered {stream.status} with Content-Type "
            f"{stream.content_type or '(none)'}, not a text/event-stream ({how}): "
            f"{_shown(stream)}. {ASKS}",
            evidence=evidence,
        )
    statuses = _statuses(stream)
    if "CANCELLED" not in statuses:
        raise Failure(
            f"the session was cancelled (DELETE → {cancelled[0] if cancelled else '-'}) while "
            f'cgconform listened, and the event stream carried no "CANCELLED" status event '
            f"({how}; events: {[(e.event, e.data) for e in stream.events][:6]}). {ASKS}",
            evidence=evidence,
        )
    raise Passed(
        f'text/event-stream carried the status change to "CANCELLED" (status events: '
        f"{statuses}; {how})",
        evidence=evidence,
    )
