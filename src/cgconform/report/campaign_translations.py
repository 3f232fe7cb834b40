"""The words of the campaign overview page (campaign.html) in each of its languages."""

from __future__ import annotations

TARGET_VERDICT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "conformant": "Conformant",
        "not_conformant": "Not conformant",
        "inconclusive": "Inconclusive",
        "error": "Error",
    },
    "nl": {
        "conformant": "Conform",
        "not_conformant": "Niet conform",
        "inconclusive": "Onbeslist",
        "error": "Fout",
    },
}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "document_title": "Campaign overview",
        "brand": "cgconform campaign overview",
        "campaign_verdict": "Campaign verdict",
        "explain": "{conformant} of {targets} targets conformant.",
        "explain.none": "This output holds no targets.",
        "explain.error": (
            "At least one target could not be tested (misconfigured, unreachable, or its run "
            "failed): see its row for the reason."
        ),
        "targets_total": "targets",
        "since": "Since the previous campaign ({name}, {date}):",
        "improved_n": "{n} improved",
        "regressed_n": "{n} regressed",
        "new_n": "{n} new",
        "interrupted": (
            "This campaign was stopped ({signal}): targets not yet started are inconclusive, "
            "not run."
        ),
        "shard": (
            "This is shard {index} of {count} of the campaign, with {targets} of its {total} "
            "targets: `cgconform report merge` joins the shards into the whole overview."
        ),
        "campaign": "Campaign",
        "file": "Campaign file",
        "date": "Date",
        "duration": "Duration",
        "tool": "Tool",
        "previous": "Compared with",
        "profiles": "Profiles",
        "at_a_glance": "Targets by verdict",
        "matrix": "Targets and profiles",
        "matrix_caption": (
            "One row per target, one column per profile: each cell holds the profile's verdict "
            "and its results by verdict, worst first."
        ),
        "target": "Target",
        "verdict": "Verdict",
        "change": "Since previous",
        "report": "Report",
        "open_report": "report",
        "no_report": "no report",
        "json": "JSON",
        "not_in_campaign": "not tested",
        "most_failed": "Requirements failed most often",
        "most_failed_none": "No requirement failed in any target.",
        "most_warned": "Warnings most often",
        "most_warned_none": "No warnings.",
        "requirement": "Requirement",
        "level": "Level",
        "profile": "Profile",
        "targets": "Targets",
        "of_targets": "{n} of {total} targets",
        "more_targets": "and {n} more",
        "show_more": "{n} more requirements",
        "changes": "What changed since the previous campaign",
        "changes_none": "No target changed since the previous campaign.",
        "trend.better": "verdict better",
        "trend.worse": "verdict worse",
        "trend.same": "same verdict",
        "trend.new": "new target",
        "improved": "Improved",
        "regressed": "Regressed",
        "was": "was {verdict}",
        "absent": "absent",
        "reason": "Reason",
        "requests": "{n} requests",
        "footer": (
            "Made from campaign.json by {tool} {version}. campaign.json and each target's "
            "report.json are the authoritative records; long values are shortened on this page."
        ),
    },
    "nl": {
        "document_title": "Campagne-overzicht",
        "brand": "cgconform campagne-overzicht",
        "campaign_verdict": "Oordeel over de campagne",
        "explain": "{conformant} van de {targets} geteste systemen zijn conform.",
        "explain.none": "Deze uitvoer bevat geen geteste systemen.",
        "explain.error": (
            "Minstens één systeem kon niet getest worden (verkeerd ingesteld, onbereikbaar, of "
            "de run mislukte): de reden staat in de rij ervan."
        ),
        "targets_total": "systemen",
        "since": "Sinds de vorige campagne ({name}, {date}):",
        "improved_n": "{n} verbeterd",
        "regressed_n": "{n} verslechterd",
        "new_n": "{n} nieuw",
        "interrupted": (
            "Deze campagne is gestopt ({signal}): systemen die nog niet aan de beurt waren, "
            "zijn onbeslist, niet getest."
        ),
        "shard": (
            "Dit is deel {index} van {count} van de campagne, met {targets} van de {total} "
            "systemen: `cgconform report merge` voegt de delen samen tot het hele overzicht."
        ),
        "campaign": "Campagne",
        "file": "Campagnebestand",
        "date": "Datum",
        "duration": "Duur",
        "tool": "Tool",
        "previous": "Vergeleken met",
        "profiles": "Profielen",
        "at_a_glance": "Systemen per oordeel",
        "matrix": "Systemen en profielen",
        "matrix_caption": (
            "Eén rij per getest systeem, één kolom per profiel: elke cel toont het oordeel over "
            "het profiel en de resultaten per oordeel, de slechtste eerst."
        ),
        "target": "Getest systeem",
        "verdict": "Oordeel",
        "change": "Sinds vorige",
        "report": "Rapport",
        "open_report": "rapport",
        "no_report": "geen rapport",
        "json": "JSON",
        "not_in_campaign": "niet getest",
        "most_failed": "Eisen waaraan het vaakst niet voldaan is",
        "most_failed_none": "Geen enkel systeem voldoet ergens niet aan.",
        "most_warned": "Vaakste waarschuwingen",
        "most_warned_none": "Geen waarschuwingen.",
        "requirement": "Eis",
        "level": "Niveau",
        "profile": "Profiel",
        "targets": "Systemen",
        "of_targets": "{n} van {total} systemen",
        "more_targets": "en nog {n}",
        "show_more": "nog {n} eisen",
        "changes": "Wat veranderde sinds de vorige campagne",
        "changes_none": "Geen enkel systeem veranderde sinds de vorige campagne.",
        "trend.better": "oordeel beter",
        "trend.worse": "oordeel slechter",
        "trend.same": "zelfde oordeel",
        "trend.new": "nieuw systeem",
        "improved": "Verbeterd",
        "regressed": "Verslechterd",
        "was": "was {verdict}",
        "absent": "afwezig",
        "reason": "Reden",
        "requests": "{n} verzoeken",
        "footer": (
            "Gemaakt uit campaign.json door {tool} {version}. campaign.json en de report.json "
            "van elk systeem zijn het gezaghebbende verslag; lange waarden zijn op deze pagina "
            "ingekort."
        ),
    },
}
