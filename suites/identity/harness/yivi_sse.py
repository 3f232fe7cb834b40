"""Server-sent events (the HTML Living Standard's ``text/event-stream`` format), as
``GET /session/{token}/statusevents`` sends them, read from a captured body."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    data: str
    event: str = "message"  # the event type ("message" unless an `event:` field names one)
    id: str | None = None


@dataclass(frozen=True)
class Stream:
    """What a statusevents request got: the events, and how the stream ended."""

    status: int | None  # HTTP status (None: no response at all)
    content_type: str
    text: str  # the body as received (redacted where it came from evidence)
    complete: bool  # the server closed the stream (else: cut off by the wait)
    events: list[Event] = field(default_factory=list)
    error: str | None = None  # why there was no (complete) response

    @property
    def is_event_stream(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() == "text/event-stream"

    def data(self) -> list[str]:
        """The data of the message events (status updates), in order."""
        return [e.data for e in self.events if e.event == "message"]


def parse_events(text: str) -> list[Event]:
    """Dispatched events of an event stream; an unterminated last event is not dispatched."""
    events: list[Event] = []
    data: list[str] = []
    event_type = ""
    last_id: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:-1]:
        if line == "":
            if data:
                events.append(Event("\n".join(data), event_type or "message", last_id))
            data, event_type = [], ""
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
    return events
