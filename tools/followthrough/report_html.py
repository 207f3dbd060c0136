"""The follow-through report as one self-contained HTML page: inline CSS and SVG, no network, no script.

Every string that comes from the data (postmortem titles, owners, warnings) is HTML-escaped; a
Content-Security-Policy forbids scripts and remote resources in case anything ever slips through.
"""

from __future__ import annotations

from html import escape
from typing import Final

from postmortem_actions.store.text import visible
from postmortem_actions.tools.followthrough.markdown import window_words
from postmortem_actions.tools.followthrough.models import FollowthroughReport, GroupFigures, MonthFigures, ReviewItem

CATEGORY_COLORS: Final = {"prevent": "#4e79a7", "detect": "#e8833a", "mitigate": "#59a14f", "process": "#a77bb0"}
ON_TIME, LATE, NOT_DONE = "#2e7d32", "#f0b429", "#d5dbe3"
AGING_COLORS: Final = ("#8fbf8f", "#f0c75e", "#e8833a", "#c8453c")
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NO_DATA: Final = "No data yet"
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS: Final = """
*{box-sizing:border-box}body{margin:0;background:#f4f6f9;color:#1f2933;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 28px 32px}h1{font-size:24px;margin:0 0 2px}
h2{font-size:16px;margin:0 0 10px}.sub{color:#52606d;margin:0 0 18px}
.cards{display:grid;grid-template-columns:repeat(7,1fr);gap:10px;margin-bottom:16px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:24px;line-height:1.2}.card span{color:#52606d;font-size:12px}
.card.bad b{color:#c8453c}.card.good b{color:#2e7d32}.card.aside{background:#f9fafb;border-style:dashed}
.grid{display:grid;grid-template-columns:3fr 2fr;gap:16px;margin-bottom:16px}
.panel{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:14px 16px;overflow-x:auto}
.recent{overflow-x:auto;direction:rtl}.recent svg{direction:ltr}
.note{color:#52606d;font-size:12px;margin:6px 0 0}svg text{font-family:inherit}
table{border-collapse:collapse;width:100%}th,td{padding:6px 8px;border-bottom:1px solid #e6eaef;text-align:right}
th{font-size:12px;color:#52606d;font-weight:600}th:first-child,td:first-child{text-align:left}
tfoot td{font-weight:700;border-bottom:none}.bar{display:inline-block;height:8px;border-radius:4px;
background:#2e7d32;vertical-align:middle;margin-left:6px}.track{display:inline-block;width:60px;height:8px;
border-radius:4px;background:#e6eaef;vertical-align:middle}.track .bar{margin:0;display:block}
.warn{background:#fff8e6;border:1px solid #f0c75e}.warn li{margin:4px 0}.ok{color:#2e7d32}
@media (max-width:900px){.cards{grid-template-columns:repeat(3,1fr)}.grid{grid-template-columns:1fr}}
"""


def _e(value: object) -> str:
    """Any value as HTML-escaped text (quotes too, so it is safe in attributes), with nothing hidden: bidi,
    zero-width and control characters are written out as <U+XXXX>."""
    return escape(visible(str(value)), quote=True)


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _month_label(month: str) -> str:
    """'2026-03' as 'Mar 2026'; anything unexpected unchanged."""
    year, _, number = month.partition("-")
    return f"{MONTHS[int(number) - 1]} {year}" if number.isdigit() and 1 <= int(number) <= 12 else month


def _fill_months(months: list[MonthFigures]) -> list[MonthFigures]:
    """The months in order with empty months between them filled in, so the axis is a real time axis."""
    try:
        keys = [(int(m.month[:4]), int(m.month[5:7])) for m in months]
    except ValueError:
        return months
    if not keys or len(set(keys)) != len(keys) or not all(1 <= m <= 12 for _, m in keys):
        return months
    known = dict(zip(keys, months, strict=True))
    (year, month), end, filled = min(keys), max(keys), []
    while (year, month) <= end:
        filled.append(
            known.get((year, month)) or MonthFigures(month=f"{year:04d}-{month:02d}", accepted=0, done=0, on_time=0)
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return filled


def _ticks(top: int) -> list[int]:
    """Round tick values from 0 to at least `top` (1, 2 or 5 times a power of ten apart; at most six)."""
    top, magnitude = max(top, 1), 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top <= 5 * step:
                return list(range(0, -(-top // step) * step + 1, step))
        magnitude *= 10


def _svg(chart_id: str, title: str, label: str, width: int, height: int, body: str) -> str:
    return (
        f'<svg id="{chart_id}" role="img" aria-label="{_e(label)}" viewBox="0 0 {width} {height}" '
        f'width="100%" style="min-width:{int(width * 0.8)}px"><title>{_e(title)}</title>{body}</svg>'
    )


def _legend(x: int, items: list[tuple[str, str]]) -> str:
    parts = []
    for name, color in items:
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" rx="2" fill="{color}"/>'
            f'<text x="{x + 17}" y="16" font-size="12">{_e(name)}</text>'
        )
        x += 30 + 7 * len(name)
    return "".join(parts)


def completion_chart(by_month: list[MonthFigures]) -> str:
    """Per month of acceptance, a bar of the items accepted split into done on time, done late and not done."""
    months = _fill_months(by_month)
    left, top, plot_h = 52, 40, 200
    slot = max(72, (600 - left - 16) // max(len(months), 1))
    width, height = left + slot * len(months) + 16, top + plot_h + 62
    title = "Completion over time"
    if not months:
        return _svg(
            "completion-chart",
            title,
            f"{title}: {NO_DATA}",
            600,
            120,
            f'<text x="300" y="64" text-anchor="middle" font-size="16" fill="#52606d">{NO_DATA}</text>',
        )
    ticks = _ticks(max(m.accepted for m in months))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    parts = [_legend(left, [("done on time", ON_TIME), ("done late", LATE), ("not done (yet)", NOT_DONE)])]
    for t in ticks:
        y = base - t * scale
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6eaef"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{t}</text>'
        )
    parts.append(
        f'<text transform="translate(14 {top + plot_h / 2}) rotate(-90)" text-anchor="middle" '
        f'font-size="12" fill="#52606d">items accepted</text>'
    )
    for i, m in enumerate(months):
        cx, bar, y = left + i * slot + slot / 2, min(slot - 28, 56), base
        x = cx - bar / 2
        for value, color, what in (
            (m.on_time, ON_TIME, "done on time"),
            (m.done - m.on_time, LATE, "done late"),
            (m.accepted - m.done, NOT_DONE, "not done"),
        ):
            if value > 0:
                y -= value * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar}" height="{value * scale:.1f}" '
                    f'fill="{color}"><title>{_e(m.month)}: {value} {what}</title></rect>'
                )
        rate = f"{m.on_time / m.accepted:.0%}" if m.accepted else "–"
        parts.append(
            f'<text x="{cx}" y="{y - 6:.1f}" text-anchor="middle" font-size="11">'
            f"{m.on_time}/{m.accepted}</text>"
            f'<text x="{cx}" y="{base + 18}" text-anchor="middle" font-size="12">'
            f"{_e(_month_label(m.month))}</text>"
            f'<text x="{cx}" y="{base + 36}" text-anchor="middle" font-size="12" font-weight="700" '
            f'fill="{ON_TIME}">{rate}</text>'
        )
    parts.append(
        f'<path d="M{left} {base}H{width - 8}" stroke="#9aa5b1"/>'
        f'<text x="{left - 8}" y="{base + 36}" text-anchor="end" font-size="11" fill="#52606d">on time</text>'
    )
    label = f"{title}: " + "; ".join(f"{m.month}: {m.on_time} of {m.accepted} done on time" for m in months)
    return _svg("completion-chart", title, label, width, height, "".join(parts))


def category_chart(categories: dict[str, int]) -> str:
    """One horizontal bar per category (prevent, detect, mitigate, process) with its count and share."""
    title, width, left, row = "Category balance", 400, 80, 42
    total = sum(categories.values())
    if total == 0:
        return _svg(
            "category-chart",
            title,
            f"{title}: {NO_DATA}",
            width,
            120,
            f'<text x="{width // 2}" y="64" text-anchor="middle" font-size="16" fill="#52606d">{NO_DATA}</text>',
        )
    most, span = max(categories.values()), width - left - 90
    parts = []
    for i, (name, count) in enumerate(categories.items()):
        y, length = 10 + i * row, span * count / most
        color = CATEGORY_COLORS.get(name, "#7b8794")
        parts.append(
            f'<text x="{left - 10}" y="{y + 17}" text-anchor="end" font-size="13">{_e(name)}</text>'
            f'<rect x="{left}" y="{y}" width="{span}" height="24" rx="3" fill="#f0f3f6"/>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="24" rx="3" fill="{color}">'
            f"<title>{_e(name)}: {count}</title></rect>"
            f'<text x="{left + length + 8:.1f}" y="{y + 17}" font-size="13">{count} '
            f'<tspan fill="#52606d">({count / total:.0%})</tspan></text>'
        )
    y, x = 28 + row * len(categories), float(left)
    parts.append(f'<text x="{left - 10}" y="{y + 17}" text-anchor="end" font-size="13">all</text>')
    for name, count in categories.items():
        share, color = span * count / total, CATEGORY_COLORS.get(name, "#7b8794")
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{share:.1f}" height="24" fill="{color}">'
            f"<title>{_e(name)}: {count / total:.0%}</title></rect>"
        )
        if share >= 34:
            parts.append(
                f'<text x="{x + share / 2:.1f}" y="{y + 17}" text-anchor="middle" font-size="12" '
                f'fill="#fff">{count / total:.0%}</text>'
            )
        x += share
    response = sum(categories.get(k, 0) for k in ("detect", "mitigate")) / total
    parts.append(
        f'<text x="{left}" y="{y + 46}" font-size="12" fill="#52606d">detect + mitigate: '
        f'<tspan font-weight="700" fill="#1f2933">{response:.0%}</tspan> of items</text>'
    )
    label = f"{title}: " + ", ".join(f"{name} {count}" for name, count in categories.items())
    return _svg("category-chart", title, label, width, y + 56, "".join(parts))


def _cards(t: GroupFigures) -> str:
    cards = [
        ("Accepted", str(t.accepted), ""),
        ("Done on time", str(t.done_on_time), "good"),
        ("Completion rate", _rate(t.completion_rate), "good"),
        ("Open", str(t.open), ""),
        ("Overdue", str(t.overdue), "bad" if t.overdue else ""),
        ("Median days to done", _days(t.median_days_to_done), ""),
        ("Killed · not in the denominator", str(t.killed), "aside"),
    ]
    return (
        '<section class="cards">'
        + "".join(
            f'<div class="card {cls}"><b>{_e(value)}</b><span>{_e(name)}</span></div>' for name, value, cls in cards
        )
        + "</section>"
    )


def _row(g: GroupFigures, cell: str = "td") -> str:
    bar = (
        f'<span class="track"><span class="bar" style="width:{g.completion_rate:.0%}"></span></span>'
        if g.completion_rate is not None
        else ""
    )
    values = [g.key, g.accepted, g.done_on_time, g.done, g.open, g.overdue, g.killed]
    return (
        "<tr>"
        + "".join(f"<{cell}>{_e(v)}</{cell}>" for v in values)
        + f"<{cell}>{_rate(g.completion_rate)} {bar}</{cell}><{cell}>{_days(g.median_days_to_done)}</{cell}></tr>"
    )


def _group_table(r: FollowthroughReport) -> str:
    heads = [
        r.group_by.capitalize(),
        "accepted",
        "done on time",
        "done",
        "open",
        "overdue",
        "killed*",
        "rate",
        "median days",
    ]
    return (
        '<section class="panel"><h2>By '
        + _e(r.group_by)
        + "</h2><table><thead><tr>"
        + "".join(f"<th>{_e(h)}</th>" for h in heads)
        + "</tr></thead><tbody>"
        + "".join(_row(g) for g in r.groups)
        + "</tbody><tfoot>"
        + _row(r.total.model_copy(update={"key": "Total"}))
        + '</tfoot></table><p class="note">Rate = done on time ÷ accepted. *Killed items are counted here '
        "but never in the denominator.</p></section>"
    )


def _aging(t: GroupFigures) -> str:
    most = max(t.aging.values(), default=0) or 1
    rows = "".join(
        f'<tr><td>{_e(k)} days</td><td style="text-align:left"><span class="bar" style="width:'
        f'{180 * v / most:.0f}px;background:{c}"></span></td><td>{v}</td></tr>'
        for (k, v), c in zip(t.aging.items(), AGING_COLORS, strict=False)
    )
    return (
        f'<section class="panel"><h2>Open items by age</h2><table><tbody>{rows}</tbody></table>'
        '<p class="note">Days since the item was accepted.</p></section>'
    )


def _warnings(warnings: list[str]) -> str:
    if not warnings:
        return '<section class="panel"><h2>Warnings</h2><p class="ok">None.</p></section>'
    items = "".join(f"<li>{_e(w)}</li>" for w in warnings)
    return f'<section class="panel warn"><h2>Warnings ({len(warnings)})</h2><ul>{items}</ul></section>'


def _items(title: str, total: int, items: list[ReviewItem], columns: list[tuple[str, str]]) -> str:
    """A panel listing items (id, text and `columns`: (heading, attribute)), or nothing when there are none."""
    if not total:
        return ""
    heads = "".join(f"<th>{_e(h)}</th>" for h in ["#", "Item", *(h for h, _ in columns)])
    rows = "".join(
        f'<tr><td>{i.action_id}</td><td style="text-align:left">{_e(i.text)}</td>'
        + "".join(f'<td style="text-align:left">{_e(_value(i, name))}</td>' for _, name in columns)
        + "</tr>"
        for i in items
    )
    more = f'<p class="note">… and {total - len(items)} more.</p>' if total > len(items) else ""
    return (
        f'<section class="panel" style="margin-top:16px"><h2>{_e(title)} ({total})</h2>'
        f"<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>{more}</section>"
    )


def _value(item: ReviewItem, name: str) -> str:
    value = getattr(item, name)
    if name == "owner":
        return str(value or "no owner")
    if name == "days_overdue":
        return f"{value} day{'' if value == 1 else 's'}"
    return "" if value is None else str(value)


def _follow_ups(report: FollowthroughReport) -> str:
    """Who is overdue, what is blocked, and the candidates still waiting for a decision."""
    return (
        _items(
            "Overdue",
            report.overdue_total,
            report.overdue_items,
            [("Owner", "owner"), ("Due", "due"), ("Late", "days_overdue")],
        )
        + _items("Blocked", report.blocked_total, report.blocked_items, [("Owner", "owner"), ("Note", "status_note")])
        + _items(
            "Undecided candidates",
            report.undecided_total,
            report.undecided_items,
            [("Postmortem", "postmortem_title"), ("What to do", "prompt")],
        )
    )


def render_html(report: FollowthroughReport, title: str = "Action-item follow-through") -> str:
    """The whole report as one self-contained HTML page (figures, two SVG charts, table, aging, warnings)."""
    window = window_words(report.since, report.until)
    t = report.total
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{CSS}</style></head>
<body><main>
<h1>{_e(title)}</h1>
<p class="sub">As of {_e(report.as_of)} · {_e(window)} · grouped by {_e(report.group_by)}</p>
{_cards(t)}
<div class="grid">
<section class="panel"><h2>Completion over time</h2><div class="recent">{completion_chart(report.by_month)}</div>
<p class="note">Per month of acceptance: items done on time / accepted; the green figure is that month's
completion rate. Recent months are naturally lower: their items may not be due yet.</p></section>
<section class="panel"><h2>Category balance</h2>{category_chart(t.categories)}
<p class="note">Committed items (accepted or done) per category, killed excluded. Teams tend to over-invest in
"prevent"; detect and mitigate shorten the next incident.</p></section>
</div>
{_group_table(report)}
<div class="grid" style="margin-top:16px;align-items:start">{_warnings(report.warnings)}{_aging(t)}</div>
{_follow_ups(report)}
</main></body></html>
"""
