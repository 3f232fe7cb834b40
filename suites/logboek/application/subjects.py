"""Data subjects and processing activities: one record per subject, each naming one subject
with its type, the activity as a URI, and pseudonyms instead of plain BSNs (Logboek
Dataverwerkingen, "Loggen van Dataverwerkingen met persoonsdata" and "zonder data"; read
extension, privacy)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.application._observe import (
    CORE,
    READ,
    ancestors,
    by_key,
    evidence,
    healthy,
    is_uri,
    misspelt,
    need,
    passes_eleven_test,
    record_lines,
    subject_values,
    traced,
)
from cgconform.suites.logboek.harness.records import ACTIVITY, SUBJECT, SUBJECT_TYPE, Record
from cgconform.suites.logboek.harness.session import Observations, Sent


def _personal(app_run: Observations) -> list[Sent]:
    sents = traced(s for s in healthy(app_run) if s.processing.personal)
    need(
        [s for s in app_run.settings.processings if s.personal],
        "no [[logboek.processings]] states its subjects: nothing tells which processings concern "
        "personal data",
    )
    need(
        sents,
        "no processing with subjects could be tied to its records (see "
        "new-trace-per-processing and accept-trace-context)",
    )
    return sents


def _names_two(record: Record, subjects: tuple[str, ...]) -> bool:
    values = subject_values(record.subject)
    if len(values) > 1:
        return True
    text = values[0] if values else ""
    return sum(1 for s in subjects if s and s in text) > 1


@requirement(CORE, "/logboek/application/one-record-per-subject")
def one_record_per_subject(app_run: Observations) -> None:
    problems: list[str] = []
    sents = _personal(app_run)
    for sent in sents:
        records = app_run.trace_of(sent)
        wanted = len(sent.processing.subjects)
        double = [r for r in records if _names_two(r, sent.processing.subjects)]
        if double:
            problems.append(
                f"{sent.line()}: a record names more than one subject ({SUBJECT} "
                f"{double[0].subject!r}); a record refers to 0 or 1 data subjects"
            )
            continue
        distinct = {v for r in records for v in subject_values(r.subject)}
        if len(distinct) < wanted:
            problems.append(
                f"{sent.line()}: the processing concerns {wanted} data subjects, but its "
                f"{len(records)} records name {len(distinct)} distinct {SUBJECT} value(s)"
            )
    if problems:
        first = next(s for s in sents if any(p.startswith(s.line()) for p in problems))
        raise Failure(
            "The standard: every processing is logged separately for each data subject (one "
            "Logregel per Betrokkene).\n" + "\n".join(problems[:5]),
            evidence=evidence([first], app_run.trace_of(first)),
        )
    raise Passed(
        f"{len(sents)} processings with personal data: each subject in a record of its own"
    )


@requirement(CORE, "/logboek/application/child-action-per-subject")
def child_action_per_subject(app_run: Observations) -> None:
    sents = [s for s in _personal(app_run) if len(s.processing.subjects) > 1]
    need(sents, "no configured processing concerns more than one data subject")
    problems: list[str] = []
    for sent in sents:
        records = app_run.trace_of(sent)
        carrying = [r for r in records if len(subject_values(r.subject)) == 1]
        actions = {r.span_id for r in carrying}
        naming = {r.span_id for r in records if subject_values(r.subject)}
        # A child action has a parent; whether that parent was logged is propagate-parent's.
        children = [r for r in carrying if r.parent_span_id]
        wanted = len(sent.processing.subjects)
        if len(actions) < wanted or len(children) < wanted - 1:
            problems.append(
                f"{sent.line()}: {wanted} subjects, but {len(naming)} action(s) name subjects, "
                f"{len(actions)} of them exactly one, {len(children)} of those child actions:\n"
                + record_lines(records)
            )
    if problems:
        raise Failure(
            "The standard: when a processing concerns several data subjects, a child action is "
            "created for each subject under the existing action.\n" + "\n".join(problems[:3]),
            evidence=evidence(sents[:1], app_run.trace_of(sents[0])),
        )
    raise Passed(f"{len(sents)} processings with several subjects: a child action per subject")


@requirement(CORE, "/logboek/application/data-subject-id")
def subject_id_and_type(app_run: Observations) -> None:
    sents = _personal(app_run)
    problems: list[str] = []
    for sent in sents:
        records = app_run.trace_of(sent)
        named = [r for r in records if subject_values(r.subject)]
        if not named:
            problems.append(
                f"{sent.line()}: none of its {len(records)} records has {SUBJECT}"
                + misspelt(records, SUBJECT)
            )
            continue
        untyped = [r for r in named if not str(r.attributes.get(SUBJECT_TYPE) or "").strip()]
        if untyped:
            problems.append(
                f"{sent.line()}: {len(untyped)} record(s) with {SUBJECT} but no "
                f"{SUBJECT_TYPE}{misspelt(untyped, SUBJECT_TYPE)}:\n{record_lines(untyped, 3)}"
            )
    if problems:
        raise Failure(
            f"The standard: the record carries the data subject's identifier in {SUBJECT} and "
            f"says which kind of identifier it is in {SUBJECT_TYPE}. (Records of a parent "
            "action without a subject are accepted: docs/logboek-notes.md reading 2.)\n"
            + "\n".join(problems[:5]),
            evidence=evidence(sents[:1], app_run.trace_of(sents[0])),
        )
    unstable = _unstable_subject_ids(sents, app_run)
    if unstable:
        runs = unstable[0]
        names = ", ".join(sorted({s.processing.name for s, _ in runs}))
        raise Warning(
            f"{SUBJECT} is not stable: the one configured subject of processing(s) {names} was "
            f"in {len(runs)} processings and never got the same {SUBJECT} twice ("
            + "; ".join(f"{s.line()}: {sorted(v)[:2]}" for s, v in runs[:3])
            + "). A read by dataSubjectId (read extension) cannot find such a subject's "
            "records; a warning, not a fail: the standard does not say the identifier must be "
            "the same in every record (randomised encryption would not be) "
            "(docs/logboek-notes.md reading 20).",
            evidence=evidence([s for s, _ in runs[:2]], app_run.trace_of(runs[0][0])),
        )
    raise Passed(
        f"{len(sents)} processings with personal data: every subject record has id and type"
    )


def _unstable_subject_ids(
    sents: list[Sent], app_run: Observations
) -> list[list[tuple[Sent, set[str]]]]:
    """Per subject that was the only subject of two or more processings whose records never
    share a subject id (a fresh pseudonym per record or per processing): those processings with
    the ids their records gave it."""
    runs: dict[str, list[tuple[Sent, set[str]]]] = {}
    for sent in sents:
        if len(sent.processing.subjects) != 1:
            continue
        values = {v for r in app_run.trace_of(sent) for v in subject_values(r.subject)}
        if values:
            runs.setdefault(sent.processing.subjects[0], []).append((sent, values))
    unstable = []
    for seen in runs.values():
        everything = [v for _, values in seen for v in values]
        if len(seen) > 1 and len(everything) == len(set(everything)):
            unstable.append(seen)
    return unstable


@requirement(CORE, "/logboek/application/processing-activity-id")
def processing_activity_recorded(app_run: Observations) -> None:
    sents = _personal(app_run)
    problems: list[str] = []
    inherited: list[tuple[Sent, Record]] = []
    unchecked = 0
    for sent in sents:
        records = app_run.trace_of(sent)
        keyed = by_key(records)
        named = [r for r in records if subject_values(r.subject)]
        for record in named:
            value = record.activity
            if (value is None or value == "") and any(
                is_uri(a.activity) for a in ancestors(record, keyed)
            ):
                inherited.append((sent, record))
                continue
            if value is None or value == "":
                problems.append(
                    f"{sent.line()}: a record of a subject has no {ACTIVITY}"
                    f"{misspelt([record], ACTIVITY)}: {record.line()}"
                )
            elif not is_uri(value):
                problems.append(
                    f"{sent.line()}: {ACTIVITY} is {value!r}, not a URI (the interface table gives "
                    "type URI; the standard's own resource example uses the number 14, "
                    "docs/logboek-notes.md reading 8)"
                )
            elif sent.processing.activity and value != sent.processing.activity:
                problems.append(
                    f"{sent.line()}: {ACTIVITY} is {value!r}; the target states "
                    f"{sent.processing.activity!r} for this processing"
                )
            elif not sent.processing.activity:
                unchecked += 1
            if problems:
                break
    if problems:
        raise Failure(
            f"The standard: the record references the right processing activity of the Register in "
            f"{ACTIVITY}.\n" + "\n".join(problems[:5]),
            evidence=evidence(sents[:1], app_run.trace_of(sents[0])),
        )
    if inherited:
        sent, record = inherited[0]
        raise Warning(
            f"{len(inherited)} record(s) of a data subject carry no {ACTIVITY} of their own; an "
            "action above them in the trace does. The standard asks for the reference in the "
            "Logregel; whether a child action may inherit it is not said (docs/logboek-notes.md "
            "reading 19): " + record.line(),
            evidence=evidence([sent], app_run.trace_of(sent)),
        )
    note = (
        f"; whether it is the right activity is not stated for {unchecked} record(s) (give "
        "`activity` in [[logboek.processings]] to decide it)"
        if unchecked
        else ""
    )
    raise Passed(
        f"{len(sents)} processings: every subject record names its activity as a URI{note}"
    )


@requirement(CORE, "/logboek/application/processing-activity-id-without-personal-data")
def activity_without_personal_data(app_run: Observations) -> None:
    sents = traced(s for s in healthy(app_run) if not s.processing.personal)
    need(
        sents,
        "no configured processing without subjects (a processing without personal data) "
        "could be tied to its records",
    )
    missing = [s for s in sents if not any(is_uri(r.activity) for r in app_run.trace_of(s))]
    if missing:
        raise Warning(
            f"{len(missing)} processing(s) without personal data have no record with a "
            f"{ACTIVITY} URI. The standard RECOMMENDS it for processings without personal data "
            "too.\n" + "\n".join(s.line() for s in missing[:4]),
            evidence=evidence(missing[:1], app_run.trace_of(missing[0])),
        )
    raise Passed(f"{len(sents)} processings without personal data name their activity")


def _plain(app_run: Observations) -> list[tuple[Record, str]]:
    configured = {s for p in app_run.settings.processings for s in p.subjects}
    found: list[tuple[Record, str]] = []
    for record in app_run.records:
        for value in subject_values(record.subject):
            if value in configured:
                found.append((record, "a data subject the target configured, as it was sent"))
            elif passes_eleven_test(value):
                found.append((record, "a 9-digit number that passes the BSN eleven-test"))
    return found


@requirement(CORE, "/logboek/application/pseudonymise-subject-id")
def subject_id_pseudonymised(app_run: Observations) -> None:
    named = [r for r in app_run.records if subject_values(r.subject)]
    need(named, f"no record carries {SUBJECT}")
    plain = _plain(app_run)
    if plain:
        _, why = plain[0]
        raise Warning(
            f"{len(plain)} record(s) carry a {SUBJECT} that looks like a plain identifier ({why}). "
            "The standard RECOMMENDS pseudonymising the identifier (the interface table even says "
            "encrypted; docs/logboek-notes.md reading 9).",
            evidence=evidence(records=[r for r, _ in plain]),
        )
    raise Passed(
        f"{len(named)} records with a subject: none is a configured BSN or passes the eleven-test"
    )


@requirement(READ, "/logboek/application/avoid-bsn-in-logging")
def no_bsn_in_the_log(app_run: Observations) -> None:
    need(app_run.records, "no records arrived")
    configured = {s for p in app_run.settings.processings for s in p.subjects}
    # A record typed "BSN" whose value is a pseudonym keeps no BSN in the log: only values count.
    plain = _plain(app_run)
    findings: list[str] = [f"{SUBJECT}: {why}" for _, why in plain]
    elsewhere = [
        (r, k)
        for r in app_run.records
        for k, v in r.attributes.items()
        if k != SUBJECT and isinstance(v, str) and any(s and s in v for s in configured)
    ]
    if elsewhere:
        findings.append(
            f"a configured BSN appears in attribute {elsewhere[0][1]!r} ({len(elsewhere)} times)"
        )
    if findings:
        raise Warning(
            "The read extension RECOMMENDS avoiding BSNs and other sensitive personal data in the "
            "log (use a pseudonym): " + "; ".join(findings),
            evidence=evidence(records=[r for r, _ in elsewhere][:5] or [r for r, _ in plain][:5]),
        )
    raise Passed(
        f"{len(app_run.records)} records: no configured BSN, no eleven-test number as subject"
    )
