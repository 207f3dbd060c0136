"""The HTML follow-through report: structure, escaping, empty data, and the charts as headless Chromium draws them.

The Chromium tests fail (never skip) when no browser is installed: CI installs one first (`.ci/run`).
Regenerate the docs example with `python tests/test_report_html.py docs` (writes report-example.html, report.png).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from postmortem_actions.store import Actor, HumanDecision, NewAction, NewPostmortem, Store, WorkStatus
from postmortem_actions.tools.followthrough import (
    FollowthroughReport,
    GroupFigures,
    MonthFigures,
    followthrough_report,
)
from postmortem_actions.tools.followthrough.report_html import render_html

AS_OF = date(2026, 6, 15)
BY = Actor(actor="seed", via="test")
EVIL = "<script>alert(1)</script>"
CHART_IDS = ("completion-chart", "category-chart")
BROWSER_TIMEOUT = 90
# (title, severity, incident date, categories of its action items); the fourth has no detect/mitigate item.
POSTMORTEMS = (
    ("Billing queue backlog", "SEV2", date(2026, 1, 8), "ddmpppr"),
    ("Expired TLS certificate on the API gateway", "SEV1", date(2026, 2, 3), "dmpprr"),
    ("Checkout latency after a cache eviction change", "SEV3", date(2026, 3, 10), "dpppmr"),
    ("Search index corruption during failover", "SEV2", date(2026, 4, 6), "ppprp"),
    ("DNS misconfiguration in eu-west", "SEV2", date(2026, 5, 4), "ddmppr"),
    ("Pager storm from flapping health checks", "SEV3", date(2026, 5, 27), "dmpr"),
)
CATEGORY = {"p": "prevent", "d": "detect", "m": "mitigate", "r": "process"}
OWNERS = ("alice", "bob", "chen", "dana", "emeka")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def seed(store: Store, set_clock: Callable[[datetime], None], *, evil: bool = False) -> None:
    """Postmortems over six months and their items, decided on the dates a real team would have decided them."""
    rng = random.Random(4)
    events: list[tuple[datetime, int, HumanDecision | str]] = []
    for n, (title, severity, incident, cats) in enumerate(POSTMORTEMS):
        title = EVIL if evil and n == 0 else title
        lines = [f"Action item {i + 1} of {title}: {CATEGORY[c]} work." for i, c in enumerate(cats)]
        text = f"# {title}\n\nSeverity: {severity}\n\n## Action items\n\n" + "\n".join(f"- {q}" for q in lines) + "\n"
        set_clock(datetime.combine(incident, time(9), UTC))
        pm, _ = store.add_postmortem(
            NewPostmortem(
                title=title,
                source=f"pm-{n}.md",
                text=text,
                severity=severity,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
            ),
            BY,
        )
        actions = store.add_actions(
            pm.id,
            [
                NewAction(
                    text=f"{q} ({n})",
                    done_when="verified",
                    problem="the incident",
                    category=CATEGORY[c],
                    quote=q,
                    quote_start=text.index(q),
                    quote_end=text.index(q) + len(q),
                )
                for q, c in zip(lines, cats, strict=True)
            ],
            BY,
        )
        for action, _ in actions:
            owner = '"><img src=x onerror=alert(1)>' if evil else rng.choice(OWNERS)
            accepted = datetime.combine(incident + timedelta(days=rng.randint(2, 9)), time(15), UTC)
            if rng.random() < 0.1:
                events.append(
                    (
                        accepted,
                        action.id,
                        HumanDecision(kind="kill", reason="duplicate", decided_by="lead", channel="terminal"),
                    )
                )
                continue
            due = accepted.date() + timedelta(days=rng.choice((21, 30, 45, 60)))
            events.append(
                (
                    accepted,
                    action.id,
                    HumanDecision(kind="accept", owner=owner, due=due, decided_by="lead", channel="terminal"),
                )
            )
            finished = accepted + timedelta(days=rng.randint(5, 90), hours=2)
            if finished.date() < AS_OF and rng.random() < 0.85:
                events.append(
                    (
                        finished,
                        action.id,
                        HumanDecision(kind="complete", evidence="PR merged", decided_by=owner, channel="terminal"),
                    )
                )
            elif rng.random() < 0.3:
                events.append((accepted + timedelta(days=3), action.id, "blocked"))
    for moment, action_id, decision in sorted(events, key=lambda e: (e[0], e[1])):
        set_clock(moment)
        if isinstance(decision, str):
            store.set_work_status(action_id, WorkStatus.BLOCKED, "waiting on the platform team", BY)
        else:
            store.record_decision(action_id, decision)


def realistic_report(db: Path, monkeypatch: pytest.MonkeyPatch, *, evil: bool = False) -> FollowthroughReport:
    """A report from a real store whose clock is set to each event's date while seeding."""
    clock = {"now": datetime(2026, 1, 1, tzinfo=UTC)}
    for module in ("store", "deciding"):  # where actions are written, and where decisions are
        monkeypatch.setattr(f"postmortem_actions.store.{module}.now", lambda: _stamp(clock["now"]))
    seed(Store(db), lambda moment: clock.__setitem__("now", moment), evil=evil)
    return followthrough_report(Store(db), as_of=AS_OF, group_by="postmortem")


def figures(key: str, accepted: int = 0, done_on_time: int = 0) -> GroupFigures:
    return GroupFigures(
        key=key,
        accepted=accepted,
        done=done_on_time,
        done_on_time=done_on_time,
        killed=1,
        open=accepted - done_on_time,
        overdue=0,
        completion_rate=done_on_time / accepted if accepted else None,
        median_days_to_done=None,
        aging={"0-30": 0, "31-60": 0, "61-90": 0, "90+": 0},
        categories={"prevent": accepted, "detect": 0, "mitigate": 0, "process": 0},
    )


def made_report(groups: list[GroupFigures], months: list[MonthFigures], warnings: list[str]) -> FollowthroughReport:
    total = figures("total", sum(g.accepted for g in groups), sum(g.done_on_time for g in groups))
    return FollowthroughReport(
        as_of=AS_OF,
        since=None,
        until=None,
        group_by="owner",
        groups=groups,
        total=total,
        by_month=months,
        warnings=warnings,
        markdown="",
    )


def svg(page: str, chart_id: str) -> str:
    found = re.search(rf'<svg id="{chart_id}"[^>]*>.*?</svg>', page, re.DOTALL)
    assert found, f"no <svg id={chart_id}>"
    return found.group(0)


# -- the HTML itself --------------------------------------------------------------------------------


def test_page_is_self_contained_with_both_charts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = realistic_report(tmp_path / "a.db", monkeypatch)
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "<script" not in page.lower()
    assert "http://" not in page
    assert "https://" not in page
    assert not re.search(r"""(src|href)\s*=|url\(|@import""", page)
    for chart_id in CHART_IDS:
        chart = svg(page, chart_id)
        assert 'role="img"' in chart
        assert 'aria-label="' in chart
        assert "<title>" in chart
        assert chart.count("<rect") >= 4
    completion = svg(page, "completion-chart")
    assert [m.month for m in report.by_month] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    for month in report.by_month:
        assert f">{month.on_time}/{month.accepted}</text>" in completion
    category = svg(page, "category-chart")
    for name, count in report.total.categories.items():
        assert f">{name}</text>" in category
        assert f">{count} <tspan" in category
    for group in report.groups:
        assert f"<td>{group.key}</td>" in page
    assert report.warnings
    assert report.warnings[0] in page
    assert f"<b>{report.total.killed}</b><span>Killed · not in the denominator</span>" in page


def test_strings_from_the_data_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = realistic_report(tmp_path / "a.db", monkeypatch, evil=True)
    page = render_html(report, title=EVIL)
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    made = render_html(
        made_report(
            [figures(EVIL, 3, 1)],
            [MonthFigures(month=EVIL, accepted=3, done=1, on_time=1)],
            [f"{EVIL}: no detect item"],
        )
    )
    assert "<script" not in made
    assert made.count("&lt;script&gt;") >= 3


def test_empty_report_says_no_data_yet() -> None:
    page = render_html(made_report([], [], []))
    for chart_id in CHART_IDS:
        chart = svg(page, chart_id)
        assert "No data yet" in chart
        assert "<rect" not in chart
    assert "<b>–</b><span>Completion rate</span>" in page
    assert "None." in page


def test_months_without_acceptances_still_get_a_place_on_the_axis() -> None:
    months = [
        MonthFigures(month="2025-11", accepted=4, done=2, on_time=1),
        MonthFigures(month="2026-02", accepted=2, done=0, on_time=0),
    ]
    chart = svg(render_html(made_report([figures("dana", 6, 1)], months, [])), "completion-chart")
    labels = re.findall(r">(\w{3} \d{4})</text>", chart)
    assert labels == ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]


# -- in a real browser --------------------------------------------------------------------------------


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        # CI installs Chromium (.ci/run) and must render the page; a developer's machine without it skips.
        if os.environ.get("CI"):
            pytest.fail("no chromium on PATH in CI: .ci/run should have installed it")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI renders the page")
    return found


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with no network side channels, bounded in time."""
    command = [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def screenshot(page: Path, png: Path, profile: Path) -> bytes:
    chromium(profile, f"--screenshot={png}", "--window-size=1200,1400", page.as_uri())
    return png.read_bytes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, FollowthroughReport]:
    folder = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as monkeypatch:
        report = realistic_report(folder / "a.db", monkeypatch)
    page = folder / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    return page, report


PROBE = """<pre id="probe"></pre><script>
const out = {};
for (const id of %s) {
  const svg = document.getElementById(id), box = svg.getBoundingClientRect();
  const drawn = [...svg.querySelectorAll("rect,path")].filter(e => {
    const b = e.getBoundingClientRect(); return b.width > 0 && (b.height > 0 || e.tagName === "path"); });
  const texts = [...svg.querySelectorAll("text")].map(e => {
    const b = e.getBoundingClientRect(); return [e.textContent, b.left, b.top, b.right, b.bottom]; });
  out[id] = {box: [box.left, box.top, box.width, box.height], drawn: drawn.length, texts};
}
document.getElementById("probe").textContent = JSON.stringify(out);
</script>"""


def test_chromium_draws_both_charts(rendered: tuple[Path, FollowthroughReport], tmp_path: Path) -> None:
    page, report = rendered
    dom = chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    completion, category = svg(dom, "completion-chart"), svg(dom, "category-chart")
    assert completion.count("<rect") >= len(report.by_month) + 3
    assert "<path" in completion
    assert category.count("<rect") >= 8


def test_charts_have_size_and_labels_do_not_overlap(rendered: tuple[Path, FollowthroughReport], tmp_path: Path) -> None:
    """Layout as Chromium computes it: a copy of the page with a measuring script (the CSP that forbids scripts
    in the report itself is dropped from the copy)."""
    page, report = rendered
    probe = tmp_path / "probe.html"
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text(encoding="utf-8"))
    probe.write_text(html.replace("</body>", PROBE % json.dumps(CHART_IDS) + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path / "profile", "--window-size=1200,1400", "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found, "no probe element"
    assert found.group(1), "the measuring script did not run"
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    for chart_id in CHART_IDS:
        left, top, width, height = measured[chart_id]["box"]
        assert (width > 300, height > 100, left >= 0, top + height <= 1400) == (True,) * 4, measured[chart_id]
        texts = [t for t in measured[chart_id]["texts"] if t[3] > t[1]]
        assert len(texts) == len(measured[chart_id]["texts"]), "an empty or invisible label"
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                overlap = min(a[3], b[3]) - max(a[1], b[1]), min(a[4], b[4]) - max(a[2], b[2])
                assert overlap[0] <= 1 or overlap[1] <= 1, f"{chart_id}: {a[0]!r} overlaps {b[0]!r}"
    assert measured["completion-chart"]["drawn"] >= len(report.by_month) * 2
    assert measured["category-chart"]["drawn"] >= 8


def test_chromium_screenshot_is_a_real_png(rendered: tuple[Path, FollowthroughReport], tmp_path: Path) -> None:
    png = screenshot(rendered[0], tmp_path / "shot.png", tmp_path / "profile")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1200, 1400)
    assert 30_000 < len(png) < 5_000_000, len(png)


if __name__ == "__main__":  # regenerate the example in docs/
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as scratch:
        example = render_html(realistic_report(Path(scratch) / "a.db", patch))
        (out / "report-example.html").write_text(example, encoding="utf-8")
        screenshot((out / "report-example.html").resolve(), (out / "report.png").resolve(), Path(scratch) / "p")
