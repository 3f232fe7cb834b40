"""`cgconform report merge` of campaign outputs: the campaign.json files of a campaign's
shards (`campaign --shard i/n`) joined into the overview of one campaign.

The shards must be of one campaign (the same campaign digest: its name and its targets, the
same cgconform version and shard count), each shard exactly once, and together hold every
target once. Their target entries are taken as they are and handed to the same assembly as an
unsharded campaign (:func:`cgconform.report.campaign.assemble_campaign`), so the merged
overview is the unsharded one apart from times. One unsharded output also "merges": into a
copy of itself (rendered again, e.g. in another language).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cgconform.report.campaign import CAMPAIGN_VERSION, assemble_campaign

Output = tuple[str, Mapping[str, Any]]  # where it was read, its campaign.json


class CampaignMergeError(ValueError):
    """The outputs do not make one campaign: one line that says why."""


def _shard(output: Output) -> tuple[int, int]:
    shard = output[1]["campaign"].get("shard")
    if shard is None:
        return 1, 1
    return int(shard["index"]), int(shard["count"])


def check_outputs(outputs: Sequence[Output]) -> None:
    """Refuse outputs that are not every shard of one campaign, each once."""
    if not outputs:
        raise CampaignMergeError("no campaign outputs to merge")
    for name, data in outputs:
        if data.get("campaign_version") != CAMPAIGN_VERSION:
            raise CampaignMergeError(f"{name}: not a cgconform campaign.json (campaign_version 1)")
    first_name, first = outputs[0]
    same = (
        (("campaign", "digest"), "campaign (its name and targets)"),
        (("tool", "version"), "cgconform version"),
        (("campaign", "targets_total"), "number of targets"),
    )
    for name, data in outputs[1:]:
        for (part, key), what in same:
            if data[part].get(key) != first[part].get(key):
                raise CampaignMergeError(
                    f"{name} is not a shard of the same campaign as {first_name}: {what}"
                )
    counts = {_shard(o)[1] for o in outputs}
    if len(counts) > 1:
        raise CampaignMergeError(
            f"the outputs were made with different shard counts: {sorted(counts)}"
        )
    (count,) = counts
    seen: dict[int, str] = {}
    for output in outputs:
        index = _shard(output)[0]
        if index in seen:
            raise CampaignMergeError(
                f"shard {index}/{count} is given twice: {seen[index]} and {output[0]}"
            )
        seen[index] = output[0]
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise CampaignMergeError(f"incomplete: shard {', '.join(missing)} missing")
    _check_targets(outputs, int(first["campaign"]["targets_total"]))


def _check_targets(outputs: Sequence[Output], total: int) -> None:
    owner: dict[int, str] = {}
    for name, data in outputs:
        for entry in data["targets"]:
            index = int(entry["index"])
            if index in owner:
                raise CampaignMergeError(f"target {entry['id']} is in {owner[index]} and in {name}")
            owner[index] = name
    missing = sorted(set(range(total)) - set(owner))
    if missing:
        raise CampaignMergeError(
            f"incomplete: {len(missing)} of {total} targets are in none of the outputs "
            "(a shard was stopped before it wrote its overview?)"
        )


def merge_campaigns(
    outputs: Sequence[Output],
    *,
    changes: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One campaign.json from the outputs of every shard. `changes`: given an entry, what
    changed since a previous campaign (`report merge --previous`); without it each entry
    keeps the changes its shard computed."""
    check_outputs(outputs)
    first = outputs[0][1]["campaign"]
    entries: list[dict[str, Any]] = []
    for _, data in outputs:
        for entry in data["targets"]:
            row = dict(entry)
            if changes is not None:
                row["changes"] = dict(changes(row))
            entries.append(row)
    if previous is None and changes is None:
        kept = [o[1]["campaign"].get("previous") for o in outputs]
        previous = next((p for p in kept if p), None)
    interrupted = next(
        (o[1]["campaign"]["interrupted"] for o in outputs if o[1]["campaign"].get("interrupted")),
        None,
    )
    times = [o[1]["campaign"] for o in outputs]
    return assemble_campaign(
        name=first["name"],
        file=first["file"],
        digest=first["digest"],
        targets_total=int(first["targets_total"]),
        entries=entries,
        started_at=min(datetime.fromisoformat(t["started_at"]) for t in times),
        finished_at=max(datetime.fromisoformat(t["finished_at"]) for t in times),
        interrupted=interrupted,
        previous=previous,
    )
