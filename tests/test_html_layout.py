"""HTML whose structure comes from layout (issue 15): div/p/br runs, bold spans as headings, text bullets as list
items, and Confluence's export markup, with page furniture (navigation, breadcrumbs, footers, metadata, scripts)
never read. Quotes stay exact slices of the HTML; hostile markup stays linear."""

from __future__ import annotations

import time

import pytest

from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.facts import sections
from postmortem_actions.tools.extraction.models import Finding
from postmortem_actions.tools.extraction.readers.html import html_to_text

SOUP = """\
<html><head><title>Incident 42</title><style>.x{color:red}</style></head><body>
<div class="nav">Home &gt; Incidents &gt; 42. TODO: fix the menu</div>
<div><span style="font-size:18pt;font-weight:bold">Database failover incident</span></div>
<div><b>Summary</b></div>
<div>On 3 March the primary database failed over and writes were lost for twelve minutes.</div>
<div><br></div>
<div><span style="font-weight:700">Immediate fixes</span></div>
<div>&bull; Restarted the replication process on the replica.</div>
<div>• Rolled back the configuration change.</div>
<div><br></div>
<div><span style="FONT-WEIGHT: bold">Long-term improvements</span></div>
<div>• Add an alert on replication lag above 30 seconds.</div>
<div>- Automate the failover runbook checks.</div>
<div>1. Add a pre-deploy check for database configuration changes.</div>
<p>We will make the following changes:<br>
&middot; Move the write path behind a circuit breaker.<br>
· Run a failover drill every quarter.</p>
<div>Action point: Bob to document the replica promotion steps.</div>
<div id="footer">Powered by OldCMS. Action item: nothing here is an item.</div>
<script>var TODO = "AI: do not read";</script>
</body></html>
"""


def found(source: str) -> list[Finding]:
    findings = list(extract(source))
    assert all(source[f.start : f.end] == f.quote for f in findings)
    return findings


def test_layout_soup_reads_bold_headings_text_bullets_and_markers() -> None:
    findings = found(SOUP)
    assert [f.text for f in findings] == [
        "Add an alert on replication lag above 30 seconds.",
        "Automate the failover runbook checks.",
        "Add a pre-deploy check for database configuration changes.",
        "Move the write path behind a circuit breaker.",
        "Run a failover drill every quarter.",
        "Bob to document the replica promotion steps.",
    ]
    assert findings[-1].owner == "Bob"
    assert findings[-1].quote == "Action point: Bob to document the replica promotion steps."


def test_layout_soup_sections_come_from_its_bold_lines() -> None:
    titles = [s.heading for s in sections(SOUP)]
    assert titles[1:] == ["Database failover incident", "Summary", "Immediate fixes", "Long-term improvements"]


def test_page_furniture_is_not_rendered() -> None:
    rendered = html_to_text(SOUP)[0]
    assert "Home" not in rendered
    assert "Powered by" not in rendered
    assert "do not read" not in rendered
    assert "**Immediate fixes**" in rendered


CONFLUENCE = """\
<!DOCTYPE html>
<html><head><title>Eng : Postmortem - API outage</title></head>
<body class="theme-default aui-theme-default">
<div id="page"><div id="main" class="aui-page-panel">
<div id="main-header"><div id="breadcrumb-section"><ol id="breadcrumbs">
<li class="first"><span><a href="index.html">Eng</a></span></li>
<li><span><a href="Postmortems_12.html">Action items we will add</a></span></li>
</ol></div>
<h1 id="title-heading" class="pagetitle"><span id="title-text">Eng : Postmortem - API outage</span></h1></div>
<div id="content" class="view"><div class="page-metadata">Created by <span class='author'> Dana</span>, last
modified on Mar 04, 2024</div>
<div id="main-content" class="wiki-content group">
<h2 id="Postmortem-Summary">Summary</h2>
<p>The API returned errors for 25 minutes after a bad deploy.</p>
<h2 id="Postmortem-Actionitems">Action items</h2>
<ul class="inline-task-list" data-inline-tasks-content-id="123">
<li data-inline-task-id="1" data-inline-task-status="complete"><span>Roll back automatically when errors double</span>
</li>
<li data-inline-task-id="2" class="checked"><span>Page the on-call from the canary</span></li>
<li data-inline-task-id="3"><span>Add a canary stage to the API deploy by 2024-04-01</span></li>
</ul>
<div class="table-wrap"><table class="confluenceTable"><tbody>
<tr><th class="confluenceTh">Action</th><th class="confluenceTh">Type</th><th class="confluenceTh">Owner</th></tr>
<tr><td class="confluenceTd">Write the deploy rollback runbook</td><td class="confluenceTd">Mitigation</td>
<td class="confluenceTd">Sam</td></tr>
</tbody></table></div>
</div>
<div class="pageSection group"><div class="pageSectionHeader"><h2 id="attachments" class="pageSectionTitle">
Attachments:</h2></div>
<div class="greybox" align="left"><a href="attachments/1/graph.png">graph.png</a> (image/png)<br/></div></div>
</div></div>
<div id="footer" role="contentinfo"><section class="footer-body"><p>Document generated by Confluence on Mar 05, 2024
10:00</p></section></div>
</div></body></html>
"""


def test_a_confluence_export_reads_its_tasks_and_table_without_its_page_furniture() -> None:
    findings = found(CONFLUENCE)
    assert [(f.text, f.done) for f in findings] == [
        ("Roll back automatically when errors double", True),
        ("Page the on-call from the canary", True),
        ("Add a canary stage to the API deploy by 2024-04-01", False),
        ("Write the deploy rollback runbook", False),
    ]
    assert findings[2].due == "2024-04-01"
    assert (findings[3].owner, findings[3].category) == ("Sam", "mitigate")
    rendered = html_to_text(CONFLUENCE)[0]
    for furniture in ("Created by", "Attachments", "graph.png", "Document generated", "Postmortems_12"):
        assert furniture not in rendered


def test_nested_furniture_of_the_same_name_is_dropped_whole() -> None:
    source = '<div class="sidebar"><div>Menu</div><div>TODO: more</div></div><p>Kept.</p><nav><nav>x</nav>y</nav>End'
    assert html_to_text(source)[0] == "Kept.\n\nEnd"


def test_an_unclosed_footer_drops_the_rest_and_a_word_like_navy_is_kept() -> None:
    assert html_to_text('<p>Kept.</p><div id="footer"><p>gone')[0] == "Kept."
    assert html_to_text('<div class="navy-blue">Kept.</div>')[0] == "Kept."


def test_a_bold_sentence_is_not_a_heading() -> None:
    source = (
        "<html><body><h2>Summary</h2><p><b>The database was down for an hour.</b></p><p><b>Next steps</b></p>"
        "<p>Add alerts.</p></body></html>"
    )
    assert [s.heading for s in sections(source)][1:] == ["Summary", "Next steps"]
    assert [f.text for f in found(source)] == ["Add alerts."]


@pytest.mark.parametrize(
    "hostile",
    [
        '<span style="font-weight:bold">' * 20_000,
        '<div class="footer">' * 30_000,
        "<nav>" * 50_000 + "</nav>" * 50_000,
        '<div class="nav"' * 30_000,
        "<p><b>x</b></p>" * 10_000,
        "• " * 100_000,
    ],
    ids=["bold-spans", "unclosed-footers", "nested-navs", "unclosed-tags", "bold-lines", "bullets"],
)
def test_hostile_layout_markup_stays_linear(hostile: str) -> None:
    source = "<html><body>" + hostile
    started = time.perf_counter()
    extract(source)
    assert time.perf_counter() - started < 10.0


MAIL = """\
<html><head><title>[ops] Postmortem: queue outage</title></head><body>
<h1>[ops] Postmortem: queue outage</h1>
<b>Dana Smith</b> dana at example.org<br><i>Tue Mar 5 10:00:00 UTC 2024</i>
<!--beginarticle-->
<pre>Hi all,

Here is the postmortem for Monday's queue outage.

Summary: the billing queue backed up for forty minutes because a consumer
deploy removed the retry limit.

Action items:
- Add an alert on billing queue depth above 10,000 messages (Dana)
- Restore the retry limit and add a test for it
- Write the replay runbook for stuck invoices

&gt; Bob wrote:
&gt; TODO: should we also page earlier?

Thanks,
Dana
</pre>
<pre>
$ kubectl rollout undo deploy/consumer
deployment.apps/consumer rolled back
if (retries &gt; 5) { park(msg); }
</pre>
<!--endarticle-->
</body></html>
"""


def test_a_mail_archive_message_in_pre_is_read_as_text_and_code_in_pre_stays_code() -> None:
    findings = found(MAIL)
    assert [f.text for f in findings] == [
        "Add an alert on billing queue depth above 10,000 messages (Dana)",
        "Restore the retry limit and add a test for it",
        "Write the replay runbook for stuck invoices",
    ]
    rendered = html_to_text(MAIL)[0]
    assert "\nAction items:\n- Add an alert" in rendered
    assert "```\n$ kubectl rollout undo deploy/consumer\n" in rendered


@pytest.mark.parametrize(
    "block",
    [
        "2024-03-05 10:00:01 ERROR consumer retry limit reached\n2024-03-05 10:00:02 ERROR queue full\n"
        "2024-03-05 10:00:03 WARN paging on-call now\n",
        "TODO: add the alert\nresult = run(job)\nif result == None: retry(job)\nlog.info(result)\n",
        "Add an alert.\nTwo lines only.\n",
    ],
    ids=["log", "code", "short"],
)
def test_a_log_code_or_short_pre_stays_a_code_block(block: str) -> None:
    source = f"<html><body><h2>Action items</h2><pre>{block}</pre></body></html>"
    assert html_to_text(source)[0].startswith("## Action items\n\n```\n")
    assert found(source) == []


def test_unclosed_pres_are_sampled_once() -> None:
    source = "<html><body>" + "<pre>We will add an alert on the queue depth now.\n" * 5_000
    started = time.perf_counter()
    extract(source)
    assert time.perf_counter() - started < 10.0


def test_an_item_ending_in_an_entity_is_quoted_with_the_whole_entity_and_no_tags() -> None:
    source = "<html><body><h2>Action items</h2><ul><li>Investigate the cache&hellip;</li>\n</ul></body></html>"
    [finding] = found(source)
    assert finding.quote == "Investigate the cache&hellip;"
