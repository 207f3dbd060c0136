"""The decision card and the review board in a real browser: headless Chromium (Playwright) loads a small host page
that embeds the server's own `ui://` HTML in a `sandbox="allow-scripts"` iframe under the spec's default CSP, speaks
the host side of the MCP Apps postMessage protocol, and bridges the app's `tools/call` to the real server through the
SDK's real `Client` (refusing, as a host must, any tool that is not visible to apps). The human clicks; the store says
what was recorded. Every wait is bounded.

Regenerate the docs screenshot with `python tests/test_apps_browser.py docs` (writes docs/apps-card.png).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import anyio
import pytest
from apps_host import HOST_LABEL, apps_client, card_meta
from browser import launch_options
from conftest import SAMPLE_CANDIDATES, SAMPLE_POSTMORTEM
from gate_setting import decide_directly
from mcp import Client
from mcp.types import CallToolResult
from mcp_results import ok, refusal
from playwright.async_api import Page, async_playwright

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Channel, DecisionKind, Store

pytestmark = pytest.mark.anyio

HOST_URL: Final = "http://apps-host.test/"
WAIT_MS: Final = 15_000
# What a host applies when a ui:// resource declares no CSP domains (SEP-1865, "Restrictive Default").
DEFAULT_CSP: Final = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self' data:; connect-src 'none';"
)

HOST_PAGE: Final = """<!doctype html>
<html><head><meta charset="utf-8"><title>test host</title>
<style>body { margin: 16px; font: 14px sans-serif; background: #eef0f3; }
iframe { width: 680px; height: 240px; border: 1px solid #c9ccd2; border-radius: 10px; background: #fff; }</style>
</head><body><iframe id="app" sandbox="allow-scripts" title="app"></iframe>
<script>
const frame = document.getElementById("app");
window.fromApp = [];
window.messages = [];
window.ready = false;
const send = (message) => frame.contentWindow.postMessage(message, "*");
window.addEventListener("message", async (event) => {
  if (event.source !== frame.contentWindow) return;
  const m = event.data;
  window.fromApp.push(m);
  if (m.method === "ui/initialize") {
    send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: "2026-01-26",
      hostInfo: { name: "test-host", version: "1.0" }, hostCapabilities: { serverTools: {}, openLinks: {} },
      hostContext: { theme: "light", displayMode: "inline", platform: "web" } } });
  } else if (m.method === "ui/notifications/initialized") {
    window.ready = true;
  } else if (m.method === "ui/notifications/size-changed") {
    frame.style.height = `${m.params.height + 2}px`;
  } else if (m.method === "tools/call") {
    const reply = await window.serverToolCall(m.params.name, m.params.arguments || {});
    send({ jsonrpc: "2.0", id: m.id, ...reply });
  } else if (m.method === "ui/message") {
    window.messages.push(m.params);
    send({ jsonrpc: "2.0", id: m.id, result: {} });
  } else if (m.id !== undefined) {
    send({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: `${m.method} is not offered by this host` } });
  }
});
window.load = (html) => { frame.srcdoc = html; };
window.deliver = (args, result) => {
  send({ jsonrpc: "2.0", method: "ui/notifications/tool-input", params: { arguments: args } });
  send({ jsonrpc: "2.0", method: "ui/notifications/tool-result", params: result });
};
</script></body></html>"""


def wire(result: CallToolResult) -> dict[str, Any]:
    """A tool result as it travels (camelCase, `_meta`)."""
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass
class Host:
    """The host: a browser page with the app in its iframe, and the server behind its real `Client`."""

    page: Page
    client: Client
    console: list[str] = field(default_factory=list)

    async def show(self, uri: str, arguments: dict[str, Any], result: CallToolResult) -> None:
        """Render `uri` as the host does for a tool call: load it sandboxed, wait for initialized, send the call."""
        [content] = (await self.client.read_resource(uri)).contents
        html = getattr(content, "text", "")
        sandboxed = html.replace("<head>", f'<head><meta http-equiv="Content-Security-Policy" content="{DEFAULT_CSP}">')
        await self.page.evaluate("html => window.load(html)", sandboxed)
        await self.page.wait_for_function("window.ready === true", timeout=WAIT_MS)
        await self.page.evaluate("([a, r]) => window.deliver(a, r)", [arguments, wire(result)])

    async def app_calls(self) -> list[dict[str, Any]]:
        """Every tools/call the app sent (the host sees them all)."""
        sent: list[dict[str, Any]] = await self.page.evaluate("window.fromApp")
        return [m["params"] for m in sent if m.get("method") == "tools/call"]


@asynccontextmanager
async def host_for(settings: Settings) -> AsyncIterator[Host]:
    async with apps_client(build_server(settings)) as client, async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options())  # type: ignore[arg-type]
        try:
            page = await browser.new_page(viewport={"width": 760, "height": 900})
            host = Host(page, client)
            page.on("console", lambda message: host.console.append(f"{message.type}: {message.text}"))
            visible = {
                t.name: (t.meta or {}).get("ui", {}).get("visibility") for t in (await client.list_tools()).tools
            }

            async def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
                # A host must refuse an app's call to a tool not visible to apps (SEP-1865, "Visibility").
                if "app" not in (visible.get(name) or ["model", "app"]):
                    return {"error": {"code": -32600, "message": f"{name} is not available to apps"}}
                return {"result": wire(await client.call_tool(name, arguments))}

            await page.expose_function("serverToolCall", call)
            await page.route(HOST_URL, lambda route: route.fulfill(body=HOST_PAGE, content_type="text/html"))
            await page.goto(HOST_URL, timeout=WAIT_MS)
            yield host
        finally:
            await browser.close()


async def recorded_candidates(client: Client) -> list[int]:
    parsed = ok(await client.call_tool("parse_postmortem", {"text": SAMPLE_POSTMORTEM}))
    recorded = ok(
        await client.call_tool(
            "record_candidates", {"postmortem_id": parsed["postmortem_id"], "candidates": list(SAMPLE_CANDIDATES)}
        )
    )
    return [int(r["action_id"]) for r in recorded["recorded"]]


CARD_URI: Final = "ui://postmortem-actions/decision-card.html"
BOARD_URI: Final = "ui://postmortem-actions/review-board.html"


async def test_the_human_accepts_through_the_card_and_the_store_records_it(settings: Settings, tmp_path: Path) -> None:
    async with host_for(settings) as host:
        ids = await recorded_candidates(host.client)
        arguments = {"action_id": ids[0], "proposed_owner": "alice", "note": "Alice owns billing alerts"}
        asked = await host.client.call_tool("decide_action", arguments)
        await host.show(CARD_URI, arguments, asked)
        card = host.page.frame_locator("#app")
        await card.get_by_role("button", name="Accept").wait_for(timeout=WAIT_MS)
        assert await card.locator("h1").inner_text() == SAMPLE_CANDIDATES[0]["text"]
        assert SAMPLE_CANDIDATES[0]["quote"] in await card.locator("blockquote").inner_text()
        assert await card.locator("#field-owner").input_value() == "alice"
        await card.locator("#field-owner").fill("bob")
        await card.locator("#field-due_date").fill("2027-02-14")
        png = await host.page.locator("#app").screenshot(path=str(tmp_path / "apps-card.png"), timeout=WAIT_MS)
        assert png.startswith(b"\x89PNG")
        await card.get_by_role("button", name="Accept").click(timeout=WAIT_MS)
        await card.locator("#recorded").wait_for(timeout=WAIT_MS)
        shown = await card.locator("#recorded").inner_text()
        assert "Recorded" in shown
        assert "bob" in shown
        assert "2027-02-14" in shown
        assert "mcp-app" in shown

        store = Store(settings.db_path)
        action = store.get_action(ids[0])
        assert (action.state, action.owner, action.due) == (ActionState.ACCEPTED, "bob", date(2027, 2, 14))
        [decision] = store.decisions(ids[0])
        assert (decision.channel, decision.client, decision.decided_by) == (Channel.MCP_APP, HOST_LABEL, "tester")
        assert store.verify().ok
        calls = await host.app_calls()
        assert [c["name"] for c in calls] == ["open_decision_card", "answer_decision_card"]
        assert calls[0]["arguments"]["nonce"] == card_meta(asked)["nonce"]

        # Then the model's side: the ticket the card used (which the host saw) is spent; no ticket gets nothing.
        used = calls[1]["arguments"]
        replay = await host.client.call_tool("answer_decision_card", {**used, "form": {**used["form"], "owner": "eve"}})
        assert "answered already" in refusal(replay, "answer_decision_card")
        forged = await host.client.call_tool("answer_decision_card", {**used, "ticket": "pat1.e30.AAAA"})
        assert "not a ticket" in refusal(forged, "answer_decision_card")
        assert store.decisions(ids[0]) == [decision]
        assert store.verify().ok
        again = ok(await host.client.call_tool("decide_action", {"action_id": ids[0]}))
        assert again["message"].startswith("The human answered in the decision card")
    assert not [line for line in host.console if "Refused" in line or line.startswith("error")], host.console


async def test_the_card_shows_a_refusal_and_lets_the_human_answer_again(settings: Settings) -> None:
    async with host_for(settings) as host:
        ids = await recorded_candidates(host.client)
        arguments = {"action_id": ids[1]}
        await host.show(CARD_URI, arguments, await host.client.call_tool("decide_action", arguments))
        card = host.page.frame_locator("#app")
        await card.get_by_role("button", name="Kill").click(timeout=WAIT_MS)
        problem = card.get_by_role("alert")
        await problem.wait_for(timeout=WAIT_MS)
        assert "needs a reason" in await problem.inner_text()
        await card.locator("#field-reason").fill("Covered by the paging work")
        await card.get_by_role("button", name="Kill").click(timeout=WAIT_MS)
        await card.locator("#recorded").wait_for(timeout=WAIT_MS)
        assert Store(settings.db_path).get_action(ids[1]).state is ActionState.KILLED


async def test_the_review_board_renders_the_agenda_and_asks_in_chat(settings: Settings) -> None:
    async with host_for(settings) as host:
        ids = await recorded_candidates(host.client)
        arguments: dict[str, Any] = {}
        await host.show(BOARD_URI, arguments, await host.client.call_tool("review_agenda", arguments))
        board = host.page.frame_locator("#app")
        row = board.locator(f'li[data-action="{ids[0]}"]')
        await row.wait_for(timeout=WAIT_MS)
        assert f"postmortem-actions decide {ids[0]}" in await row.inner_text()
        await row.get_by_role("button", name="Ask in chat").click(timeout=WAIT_MS)
        await row.get_by_role("button", name="Asked in chat").wait_for(timeout=WAIT_MS)
        messages = await host.page.evaluate("window.messages")
        assert messages == [
            {
                "role": "user",
                "content": [
                    {
                        "type": "text",
                        "text": f"Ask me to decide on action #{ids[0]} (accept with an owner and due date, kill or "
                        "defer).",
                    }
                ],
            }
        ]
        assert Store(settings.db_path).decisions() == []  # the board decides nothing


async def test_the_review_board_lists_what_is_overdue_with_the_way_to_decide(settings: Settings) -> None:
    async with host_for(settings) as host:
        ids = await recorded_candidates(host.client)
        due = date.today() - timedelta(days=3)
        decide_directly(Store(settings.db_path), ids[2], DecisionKind.ACCEPT, owner="dana", due=due)
        arguments: dict[str, Any] = {}
        await host.show(BOARD_URI, arguments, await host.client.call_tool("list_overdue", arguments))
        board = host.page.frame_locator("#app")
        row = board.locator(f'li[data-action="{ids[2]}"]')
        await row.wait_for(timeout=WAIT_MS)
        text = await row.inner_text()
        assert "owner dana" in text
        assert "3 days overdue" in text
        assert f"postmortem-actions decide {ids[2]}" in text
        assert "(1)" in await board.locator("h2").inner_text()
        await row.get_by_role("button", name="Ask in chat").click(timeout=WAIT_MS)
        await row.get_by_role("button", name="Asked in chat").wait_for(timeout=WAIT_MS)
        [message] = await host.page.evaluate("window.messages")
        assert message["content"][0]["text"].startswith(f"Action #{ids[2]} is accepted: ask me whether to re-plan")


async def _docs(out: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        settings = Settings(db_path=folder / "actions.db", allowed_dirs=(folder,), max_bytes=64_000, user="dana")
        async with host_for(settings) as host:
            ids = await recorded_candidates(host.client)
            arguments = {"action_id": ids[0], "proposed_owner": "alice", "note": "Alice owns billing alerts"}
            await host.show(CARD_URI, arguments, await host.client.call_tool("decide_action", arguments))
            card = host.page.frame_locator("#app")
            await card.get_by_role("button", name="Accept").wait_for(timeout=WAIT_MS)
            await host.page.locator("#app").screenshot(path=str(out / "apps-card.png"))
    print(json.dumps({"written": str(out / "apps-card.png")}))


if __name__ == "__main__":
    anyio.run(_docs, Path(sys.argv[1] if len(sys.argv) > 1 else "docs").resolve())
