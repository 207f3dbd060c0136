"""The board in a real browser (headless Chromium): sign in with the printed link, accept an item with an owner
and date, kill one, complete one; the store holds exactly those decisions, through channel `web`, and the chain
verifies. Screenshots of the board, a postmortem and an item go to docs/ when PMA_SCREENSHOTS names that folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from board_fixtures import seed
from browser import launch_options

from postmortem_actions.server.settings import Settings
from postmortem_actions.server.web.launch import serving
from postmortem_actions.store import ActionState, Store

playwright = pytest.importorskip("playwright.sync_api")


def _shots(tmp_path: Path) -> Path:
    wanted = os.environ.get("PMA_SCREENSHOTS")
    return Path(wanted) if wanted else tmp_path


def test_a_person_decides_in_the_browser(settings: Settings, store: Store, tmp_path: Path) -> None:
    seeded = seed(store)
    shots = _shots(tmp_path)
    with serving(settings) as (base, board), playwright.sync_playwright() as p:
        browser = p.chromium.launch(**launch_options())
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        page.goto(f"{base}/login?k={board.keys.login_token}")
        assert page.url == f"{base}/"  # signed in, and the token is gone from the address bar
        assert page.locator("h1").inner_text() == "Review board"

        page.click(f"a[href='/actions/{seeded.candidate}']")
        accept = page.locator("form", has=page.locator("input[name=kind][value=accept]"))
        accept.locator("input[name=owner]").fill("dana")
        accept.locator("input[name=due]").fill("2030-04-30")
        accept.locator("button").click()
        assert "accepted action" in page.locator(".notice.good").inner_text()
        page.screenshot(path=str(shots / "board-item.png"), full_page=True)

        complete = page.locator("form", has=page.locator("input[name=kind][value=complete]"))
        complete.locator("textarea[name=evidence]").fill("PR 41 merged; the alert fired in staging")
        complete.locator("button").click()
        assert "completed action" in page.locator(".notice.good").inner_text()

        page.goto(f"{base}/actions/{seeded.accepted}")
        kill = page.locator("form", has=page.locator("input[name=kind][value=kill]"))
        kill.locator("button").click()  # the reason is required: the browser itself refuses to send the form
        assert page.locator(".notice").count() == 0
        kill.locator("textarea[name=reason]").fill("folded into the gateway rewrite")
        kill.locator("button").click()
        assert "killed action" in page.locator(".notice.good").inner_text()

        page.goto(f"{base}/postmortems/{seeded.postmortem}")
        assert page.locator("mark.gap").count() >= 1
        page.screenshot(path=str(shots / "board-postmortem.png"), full_page=True)
        page.goto(f"{base}/?as_of=2030-03-01")
        page.screenshot(path=str(shots / "board.png"), full_page=True)
        browser.close()

    done, killed = store.get_action(seeded.candidate), store.get_action(seeded.accepted)
    assert (done.state, done.owner, str(done.due)) == (ActionState.DONE, "dana", "2030-04-30")
    assert killed.state is ActionState.KILLED
    web = [d for d in store.decisions() if d.channel == "web"]
    assert [(d.action_id, d.kind) for d in web] == [
        (seeded.candidate, "accept"),
        (seeded.candidate, "complete"),
        (seeded.accepted, "kill"),
    ]
    assert store.verify().ok
    for name in ("board.png", "board-item.png", "board-postmortem.png"):
        assert (shots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
