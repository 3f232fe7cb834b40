"""An independent Logboek Dataverwerkingen, written from the standard's text alone, used to find
out whether cgconform's profile `logboek-dataverwerkingen` judges an implementation with its own
shapes fairly.

Its choices (where the standard is vague), in one place:

* Transport: OTLP/HTTP only (`POST /v1/traces`, binary protobuf and JSON, gzip accepted), no
  gRPC. TLS on the one port it listens on; a connection whose first byte is no TLS handshake is
  closed (or, in the `plain_refused_400` style, answered `400` in plain text, nothing stored).
* Confirmation: a request is stored atomically or not at all. `200` with an empty
  `ExportTraceServiceResponse` confirms every record in it; any invalid record (trace id not 16
  bytes, span id not 8 bytes, parent span id not 0 or 8 bytes, all-zero ids, empty name, no start
  or end time, end before start) rejects the whole request with `400` and a `google.rpc.Status`
  naming the record. Resending the same (trace id, span id) replaces the record (OTLP retries
  are idempotent).
* Store: SQLite in memory; attribute values keep their OTLP type (string, int, double, bool,
  array, map, bytes as base64); times kept in nanoseconds as received.
* Read API (the read extension's *text* shape, not its OpenAPI's POST):
  `GET {read_api}/processing-activities?traceID=..&dpl.core.processingActivityID=..`
  `&dataSubjectId=..`
  with optional `startTime` (records starting at or after) and `endTime` (records ending at or
  before) as RFC 3339 strings; answers `{"processingActivities": [...], "traceIds": [...]}` with
  times as RFC 3339 strings in UTC (ADR). `POST` on that path is `405` (`Allow: GET`).
* Which records a filter returns (`read_shape`): by default **whole traces** for an
  activity/subject filter: every record (the reader may see) of each trace that has a matching
  record. Why: the text says such a query is meant to find "alle traceIDs ... die voor deze
  verwerkingsactiviteit/betrokkene bekend zijn", and the chain to the next organisation
  (`dpl.read.externalReadAPI_id`) often sits on a parent action without the subject; whole traces
  give both the ids and what is needed to follow them. `records` returns only matching records,
  `trace_ids` only `{"traceIds": [...]}` (the text read literally).
* No filter (or only times, or only empty values) is `400 application/problem+json` with
  `invalidParams`; a malformed trace id or time is `400` too. Trace ids are accepted as 32 hex
  digits or in the OpenAPI's UUID spelling.
* Readers: `Authorization: Bearer <token>`; each token is entitled to a list of processing
  activities and sees only records of those (others silently left out; a filter on an activity it
  is not entitled to is `403`). No or unknown token: `401` with `WWW-Authenticate: Bearer`.
* A cap on the number of records returned (`max_results`); beyond it the answer holds the first
  records by start time and `"truncated": true`.
"""
