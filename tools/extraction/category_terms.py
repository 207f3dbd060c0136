"""The words that suggest each category, with their weights (`categories` scores an action with them).

A term is a regular expression matched at a word's start over folded text, each top-level alternative opening with
two literal characters; a heavier term says more surely what the action is for.
"""

from __future__ import annotations

from typing import Final

from postmortem_actions.store.records import Category

_QUANTITY_SEEN: Final = "|".join(
    rf"{verb}\s+(?:the\s+)?(?:number|count|rate|size|depth|age)\s+of"
    for verb in ("see", "view", "show", "surface", "expose")
)
# "end-to-end tests that help validate that a deployment was successful": checking a deploy is detection
_DEPLOY_VALIDATED: Final = "|".join(
    rf"{verb}\w*\s+(?:that\s+)?(?:(?:a|the|each|every)\s+)?(?:production\s+|prod\s+|new\s+)?deploy(?:ments?|s)?"
    for verb in ("validat", "verif", "check")
)
_LOGS_SHIPPED: Final = "|".join(
    rf"{verb}\s+(?:the\s+|our\s+|all\s+)?(?:[\w-]+\s+){{0,4}}?logs?"
    for verb in ("export", "ship", "forward", "centralise", "centralize")
)
# Telling the people affected, once ("Inform affected users", "notify the validators about the release"): not a
# message a system sends whenever a condition holds ("Notify customers automatically when a region fails over"),
# and never "alert", which is how monitoring is written ("Alert operators when lag exceeds 30 s").
_PEOPLE_TOLD: Final = "|".join(
    rf"{verb}\s+(?:the\s+|all\s+|our\s+)?(?:affected\s+|impacted\s+)?(?:users|customers|contributors|validators|"
    r"operators|node\s+operators|stakeholders|partners|community|delegators|merchants|exchanges|integrators)"
    r"(?![^.;!?]*\b(?:when|whenever|if|once|before|automatically)\b)"
    for verb in ("inform", "notify", "warn", "tell")
)
_CHECKS_RUN: Final = "|".join(
    rf"{when}\s+checks?" for when in ("daily", "hourly", "weekly", "nightly", "periodic", "scheduled", "regular")
)
_GUIDES: Final = "|".join(
    [
        r"guides?\s+(?:on|to|for|about)",
        *(rf"{kind}\s+guides?" for kind in ("user", "how-?to", "operator", "admin", "setup")),
    ]
)
_TOOL_WATCHES: Final = "|".join(
    rf"{tool}\s+(?:checks?|alerts?|alerting|notifications?|monitors?|monitoring|probes?|rules?|dashboards?)"
    for tool in ("nagios", "icinga", "zabbix", "pingdom", "prometheus", "grafana", "datadog", r"uptime\s?robot")
)
_MACHINE_PROCESS: Final = "|".join(
    rf"{kind}\s+process(?:es)?"
    for kind in (
        "build",
        "startup",
        "start-up",
        "boot",
        "authentication",
        "generation",
        "compilation",
    )
)
_ON_CALL: Final = "|".join(
    rf"{who}\s+on\s+call"
    for who in ("be", "is", "are", "was", "were", "person", "people", "someone", "engineers?", "staff")
)
TERMS: Final[dict[Category, tuple[tuple[str, int], ...]]] = {
    Category.PROCESS: (
        (r"document(?:s|ed|ing|ation)?", 3),
        (r"docs?(?!\.\w)", 2),
        (r"runbooks?", 3),
        (r"playbooks?", 3),
        (r"wiki", 2),
        # a written guide, not a guide rail: "User guide on how to purge git history"
        (_GUIDES, 3),
        (r"train(?:ings?|ed|s)?", 3),
        (r"drills?", 3),
        (r"rehears(?:e|es|al|als|ing)", 3),
        (r"on-?call", 3),
        # "on call" as two words only where it is a person's duty: not "a metric on call completion"
        (_ON_CALL, 3),
        # the people's rota, not a log's, a key's or a fleet's rotation ("stagger rotation of the gateways")
        (r"on-?call\s+rotations?|pager\s+rotations?|support\s+rotations?|shift\s+rotations?|duty\s+rotations?", 2),
        (r"incident[- ](?:response|management|commander|process|review)", 3),
        (r"post[- ]?mortems?", 2),
        # writing the incident report: "Start writing after action reports"
        (r"after[- ]action\s+(?:reports?|reviews?)", 3),
        (r"working\s+groups?", 3),
        (r"retrospectives?", 2),
        (r"communicat(?:e|ion|ions|ing)", 3),
        (r"customers?", 1),
        (r"announce(?:ments?)?", 2),
        (r"polic(?:y|ies)", 3),
        (r"guidelines?", 3),
        (r"procedures?", 3),
        (r"process(?:es)?", 2),
        (r"prioriti[sz](?:e|ation|ed)", 3),
        (r"onboard(?:ing|ed)?", 3),
        (r"cross-?train(?:ing|ed)?", 3),
        # organisational follow-ups: chasing a vendor's ticket, raising money
        (r"follow(?:ing)?[- ]?up\s+(?:on|with)", 3),
        (
            r"engag(?:e|ing)\s+(?:with\s+)?(?:the\s+|our\s+)?(?:[\w.-]+\s+){0,2}(?:maintainers|vendors?|upstream|developers|providers?)",
            3,
        ),
        (r"reach(?:ing)?\s+out\s+to", 3),
        (r"engag(?:e|ing)\s+with", 3),
        (r"raise\s+(?:an?\s+)?(?:issues?|tickets?|bugs?)\s+with", 3),
        (r"discuss(?:ing|ions?)?\s+(?:\w+\s+){0,6}?with\s+(?:the\s+)?", 2),
        # working with an outside party: "Work with instructors to ...", "working closely with our hosting partners"
        (
            r"work(?:ing)?\s+(?:closely\s+)?with\s+(?:the\s+|our\s+)?(?:[\w.-]+\s+){0,2}"
            # outside parties, not our own teams: "work with the storage team to add checksums" is the checksums
            r"(?:instructors|partners|vendors?|community|maintainers|providers?|foundation|upstream)",
            3,
        ),
        # documentation by another name; acknowledging pages is on-call practice
        (r"write\s+down|written\s+down", 3),
        (r"best\s+practices?", 3),
        (r"educat(?:e|es|ed|ing|ion)", 3),
        (r"provide\s+(?:an?\s+)?updates?|updates?\s+on\s+(?:these|this|the\s+status|progress)", 3),
        (r"release\s+(?:days?|schedules?|windows?|cadence)|day[- ]of[- ](?:the[- ])?week", 2),
        (r"threat\s+models?", 2),
        (r"advance\s+notice|notice\s+(?:to|of|before)|hours?\s+(?:of\s+)?notice|days?\s+(?:of\s+)?notice", 3),
        (r"contact(?:ing)?\s+(?:the|our|all|each|every)\s", 2),
        (r"read\s+(?:up\s+on\s+)?(?:the\s+)?(?:rfcs?|specs?|specifications?|manuals?)", 3),
        (r"acknowledg(?:e|es|ing|ement)", 2),
        (r"funds|fundraising|funding|budget", 2),
        # telling users and the community: an alert sent to users is communication, not detection
        (r"alerts?\s+to\s+(?:users|customers|operators|merchants|the\s+community)", 4),
        (r"urge\s+(?:users|customers|operators)|informed|inform\s+(?:users|customers|the\s+community)", 3),
        # telling the people affected: "inform affected users", "Alert contributors", "notify all validators"
        (_PEOPLE_TOLD, 4),
        (r"web\s?pages?", 2),
        (r"status\s+(?:pages?|reports?)", 3),
        (r"escalat(?:e|ion)", 2),
        (r"checklists?", 2),
        (r"handbook", 3),
        (r"hand-?off", 2),
        (r"status\s+updates?", 2),
        (r"notify\s+the", 2),
        (r"staffing|hiring|headcount", 2),
        (r"declare\s+(?:an\s+)?incidents?", 3),
        (r"aware(?:ness)?", 2),
        (r"liais(?:e|ing|on)", 2),
        (r"support\s+teams?", 2),
        (r"squads?", 1),
        (r"council", 3),
        (r"governance", 3),
        (r"blog(?:\s+posts?)?", 3),
        (r"public\s+(?:post|report)", 3),
        (r"channels?", 2),
        (r"get(?:ting)?\s+hold\s+of", 3),
        (r"team\s+members?", 2),
        (r"owners?\s+files?", 2),
        (r"check\s+ins?", 1),
        (r"meetings?", 2),
        (r"decisions?", 1),
        (r"risks?", 1),
        (r"instruct(?:ions?)?", 2),
        (r"update\s+(?:our\s+|the\s+)?status(?:\.io)?\s+page", 4),
        (r"strike\s+team|team\s+formation", 3),
        (r"deployment\s+(?:strategy|procedures?|process)", 3),
        (r"incident\s+report", 3),
        (r"write[- ]?up", 2),
    ),
    Category.DETECT: (
        (r"monitor(?:s|ed|ing)?", 3),
        (r"alert(?:s|ed|ing)?", 3),
        (r"alarms?", 3),
        (r"dashboards?", 3),
        (r"metrics?", 2),
        (r"instrument(?:ation|ed|ing)?", 3),
        (r"observability", 3),
        (r"paged?|paging", 2),
        (r"detect(?:s|ed|ion|ing)?", 3),
        (r"status\s+page", 3),
        (r"synthetic", 2),
        (r"probes?\s+for", 1),
        (r"consistency\s+checks?", 3),
        # a check that runs on its own and tells someone: "a daily check that every certificate is valid"
        (_CHECKS_RUN, 3),
        (r"early[- ]warnings?", 3),
        # what a monitoring service runs ("Add a Nagios check"), and the paging services ("PagerDuty notifications"):
        # not the tools as things to change ("set limits on prometheus, grafana")
        (_TOOL_WATCHES, 2),
        (r"pagerduty|opsgenie", 2),
        (r"anomal(?:y|ies)", 2),
        (r"visibility", 1),
        (r"telemetry", 2),
        (r"slos?", 1),
        (r"canar(?:y|ies)", 2),
        (r"heartbeats?", 2),
        (r"uptime", 2),
        (r"tracing|traces", 2),
        (r"verif(?:y|ication)\s+(?:of\s+)?(?:the\s+)?deploy", 3),
        (_DEPLOY_VALIDATED, 3),
        (r"notif(?:y|ications?)\s+(?:us\s+)?(?:of|on|about|when)", 2),
        # visibility into a quantity: "the ability to see the number of events in the backlog"
        (_QUANTITY_SEEN, 2),
    ),
    Category.MITIGATE: (
        (r"roll\s?back(?:s)?|rolling\s+back|rolled\s+back", 3),
        # restoring service, as the guide counts it in an action list: "downgraded their binaries", "resume"
        (r"downgrad(?:e|es|ed|ing)|resum(?:e|es|ed|ing)|re-?enabl(?:e|es|ed|ing)|re-?sync(?:s|ed|ing)?", 2),
        (r"reboot(?:s|ed|ing)?", 2),
        # a stopgap until the fix: "apply the pin in the meantime to the other services"
        (r"in\s+the\s+meantime|stop-?gap|workarounds?", 2),
        (r"revert(?:s|ing)?", 2),
        (r"recover(?:y|ies|ing)?", 3),
        (r"restor(?:e|es|ed|ing|ation)", 2),
        # putting back what the incident broke or took: data refilled, a service redeployed, a bad release pulled
        (r"backfill(?:s|ed|ing)?|populat(?:e|ed|ing)\s+(?:the\s+)?missing", 3),
        (r"unpublish(?:es|ed|ing)?|takedowns?", 2),
        # what is kept ready to recover with, not a snapshot test
        (r"snapshots?(?!\s+test)", 2),
        (r"fail\s?over", 3),
        (r"runtime\s+config(?:uration|urable)?", 3),
        (r"configurable", 2),
        (r"kill[- ]switch(?:es)?", 3),
        (r"self[- ]heal(?:ing)?", 3),
        # making the people hit whole again: the guide's "restoring service" for money and data
        (r"compensat(?:e|ed|es|ing|ion)|reimburs(?:e|ed|ement)|refund(?:s|ed)?|redistribut(?:e|ed|ion)", 3),
        (r"distributed?\s+back|made\s+whole", 3),
        (r"restart(?:s|ed|ing)?", 2),
        # logs shipped somewhere they can be read: logging for diagnosis
        (_LOGS_SHIPPED, 3),
        (r"without\s+manual\s+intervention|auto-?restart(?:s|ing|ed)?", 3),
        (r"logging", 2),
        (r"diagnos(?:e|is|tics?|ing)", 3),
        # correlating what the systems wrote down is diagnosis ("Consensus log correlation")
        (r"logs?\s+correlation|events?\s+correlation|traces?\s+correlation(?!\s+ids?\b)", 3),
        (r"correlat(?:e|es|ing)\s+(?:the\s+)?(?:logs?|events|traces)", 3),
        (r"debug(?:ging)?", 2),
        (r"troubleshoot(?:ing)?", 2),
        (r"health[- ]?checks?", 3),
        (r"liveness|readiness", 3),
        (r"rapid(?:ly)?|faster|quick(?:er|ly)", 2),
        (r"terminat(?:e|ion|ing)", 1),
        (r"backups?", 2),
        (r"investigat(?:e|ion)", 1),
        (r"time\s+to\s+recover", 3),
        (r"mttr", 3),
        (r"inventor(?:y|ies)", 2),
        (r"upgrade\s+notifications?", 2),
        (r"hotfix(?:es)?|fix\s+to\s+release", 2),
        (r"during\s+(?:an\s+)?incidents?", 1),
        (r"break[- ]glass", 3),
        (r"manual\s+override", 2),
    ),
    Category.PREVENT: (
        (r"prevent(?:s|ion|ing)?", 2),
        (r"tests?|testing", 2),
        (r"ci\s+(?:coverage|jobs?|checks?|pipelines?|tests?|steps?|runs?)", 3),
        (r"automat(?:e|es|ed|ing|ion)", 2),
        (r"validat(?:e|ion|ing)", 1),
        (r"guards?", 2),
        (r"limits?|quotas?", 2),
        (r"capacity", 2),
        (r"isolat(?:e|ion)", 2),
        (r"separat(?:e|ion)", 1),
        (r"redundan(?:t|cy)", 2),
        (r"circuit\s+breakers?", 3),
        (r"backoff", 2),
        (r"rate[- ]limit(?:s|ing)?", 2),
        (r"enforce(?:ment|d)?", 2),
        (r"2fa|mfa|two-factor", 2),
        (r"branch\s+protection", 3),
        (r"required?\s+reviews?|mandatory\s+reviews?|manual\s+reviews?", 3),
        (r"permissions?", 1),
        (r"fix(?:es|ed)?", 1),
        (r"clean-?\s?up", 1),
        (r"bug\s+bounty", 2),
        (r"code-?owners?", 3),
        (r"staging", 2),
        (r"beta", 1),
        (r"migrat(?:e|ion)", 1),
        (r"phased|staged|gradual(?:ly)?|incremental(?:ly)?", 2),
        (r"release\s+(?:to\s+production|increase)", 2),
        # a program's process, not people's: "strip the startup process of external dependencies"
        (_MACHINE_PROCESS, 3),
    ),
}
