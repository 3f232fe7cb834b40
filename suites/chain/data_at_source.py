"""Data at the source, at the time of use: every answer about a person or a vehicle is backed
by a fetch through the FSC gateway in the same processing, also a while later (no copy)."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, Passed
from cgconform.run.marks import requirement
from cgconform.suites.chain.harness import hops
from cgconform.suites.chain.harness.judge import (
    STANDARD,
    fsc_line,
    incoming_at,
    outgoing_to,
)
from cgconform.suites.chain.harness.scenario import Observations, Sent

_EXPECT = (
    "Common Ground, data at the source: the application fetches what it needs from the source, "
    "through the gateway, when it processes; each fetch is a transaction in both organisations' "
    "FSC transaction logs"
)


def _judge(seen: Observations, sents: list[Sent], copy_wording: bool) -> None:
    consumer = seen.settings.consumer
    unreadable = seen.fsc(consumer)
    if unreadable is not None:
        raise Inconclusive(
            f"the FSC transaction log of {consumer.name} cannot be read ({unreadable.line()}): "
            "state [chain.organisations.transaction_log] with a certificate its Manager accepts",
            evidence=unreadable.evidence(),
        )
    findings: list[str] = []
    notes: list[dict[str, Any]] = []
    lines: list[str] = []
    for sent in sents:
        if not sent.served:
            raise Inconclusive(
                f"the application did not serve the processing: {sent.line()}",
                evidence=sent.evidence(),
            )
        for org in seen.settings.sources:
            out = outgoing_to(seen, sent, org)
            lines.append(f"{sent.line()}: Outway → {org.name}: {fsc_line(out)}")
            hop = (consumer.name + ": Outway", org.name + ": Inway")
            if not out:
                what = (
                    f"{sent.who} was answered HTTP {sent.status} "
                    + (
                        f"{seen.settings.refetch_after:g} s after the first request "
                        if copy_wording
                        else ""
                    )
                    + f"without any transaction to {org.name} through the Outway of "
                    f"{consumer.name}: the answer came from "
                    + ("a copy kept since the first request" if copy_wording else "elsewhere")
                )
                findings.append(what)
                notes.append(hops.note("fail", *hop, what))
                continue
            if seen.fsc(org) is None:
                ids = {r.get("transaction_id") for r in out}
                reached = [r for r in incoming_at(sent, org) if r.get("transaction_id") in ids]
                if not reached:
                    what = (
                        f"Transaction(s) {fsc_line(out)} left the Outway of {consumer.name} but "
                        f"{org.name}'s transaction log has no incoming record of them"
                    )
                    findings.append(what)
                    notes.append(hops.note("fail", *hop, what))
                    continue
            notes.append(hops.note("pass", *hop, f"fetched in this processing ({fsc_line(out)})"))
    app = (hops.application(consumer), consumer.name + ": Outway")
    notes.append(hops.note("fail" if findings else "pass", *app, "the application's fetches"))
    shown = [s.evidence()[0] for s in sents] + notes + [{"note": "\n".join(lines)}]
    if findings:
        raise Failure("; ".join(findings) + f". {_EXPECT}.", evidence=shown)
    raise Passed(
        "every answer was backed by fetches through the gateway:\n" + "\n".join(lines),
        evidence=shown,
    )


@requirement(STANDARD, "/chain/data-at-source/fetch-per-processing")
def answer_is_backed_by_a_fetch_in_the_same_processing(chain_run: Observations) -> None:
    _judge(chain_run, chain_run.need("A", "B"), copy_wording=False)


@requirement(STANDARD, "/chain/data-at-source/no-copy")
def later_request_fetches_again(chain_run: Observations) -> None:
    _judge(chain_run, chain_run.need("again"), copy_wording=True)
