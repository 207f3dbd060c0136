"""Putting a gated tool's question to the human, on whatever the client can show.

In order: the client's own form (elicitation, both protocol eras), a decision card in hosts that render MCP Apps,
a decision page named through URL elicitation, or (a stdio server on the human's own machine) the decision page
opened in their browser. Only the human's answer is recorded; what the model reads never carries a code that
could answer for them. Without any of these the tool says how the human can decide in a terminal or on the board.

The form is asked by hand rather than through the SDK's `Resolve`, because a URL question on 2026-07-28 is an
`InputRequiredResult` returned by the tool body, which the SDK does not allow beside `Resolve` parameters.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any, Final, Literal

import pydantic_core
from mcp.server.apps import client_supports_apps
from mcp.server.elicitation import (
    AcceptedElicitation,
    CancelledElicitation,
    DeclinedElicitation,
    ElicitationResult,
    render_elicitation_schema,
)
from mcp.server.mcpserver import Context
from mcp.shared.exceptions import UrlElicitationRequiredError
from mcp.types import (
    CallToolResult,
    ElicitRequest,
    ElicitRequestFormParams,
    ElicitRequestURLParams,
    InputRequiredResult,
    TextContent,
)
from mcp_types.version import is_version_at_least

from postmortem_actions.server.keys import state_key
from postmortem_actions.server.mcp.context import App, app, client_label, person
from postmortem_actions.server.mcp.forms import answer_from, can_form_elicit, form_for
from postmortem_actions.store import Channel
from postmortem_actions.store.errors import InvalidInput, NoHumanChannel
from postmortem_actions.tools import decision_links, decisions
from postmortem_actions.tools.decision_models import Decider, DecisionOutcome, Question

FORM: Final = "answer"
PAGE: Final = "decision_page"
CARD_META: Final = "io.github.postmortem-actions/card"
_MODERN: Final = "2026-07-28"
REOPEN_AFTER: Final = timedelta(minutes=10)  # the same question again within this: the page already open will do

Reply = CallToolResult | InputRequiredResult


def reply(outcome: DecisionOutcome, meta: dict[str, Any] | None = None) -> CallToolResult:
    """The tool result for an outcome: its JSON for the model, the same as structured content."""
    text = pydantic_core.to_json(outcome, fallback=str, indent=2).decode()
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=outcome.model_dump(mode="json"),
        _meta=meta,
    )


def decider(ctx: Context[App], channel: Channel = Channel.ELICITATION) -> Decider:
    """Who answers through this client: the authenticated person over HTTP, else the configured local user."""
    return Decider(name=person(ctx) or app(ctx).settings.user, channel=channel, client=client_label(ctx))


def _modern(ctx: Context[App]) -> bool:
    version = ctx.protocol_version
    return version is not None and is_version_at_least(version, _MODERN)


def _can_url_elicit(ctx: Context[App]) -> bool:
    caps = ctx.client_capabilities
    el = caps.elicitation if caps else None
    return el is not None and el.url is not None


def _digest(question: Question) -> str:
    return hashlib.sha256(f"{question.kind}\n{question.version}\n{question.message}".encode()).hexdigest()[:32]


def _state(ctx: Context[App]) -> dict[str, Any]:
    try:
        state = json.loads(ctx.request_state) if ctx.request_state else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


async def ask(ctx: Context[App], question: Question, *, note: str | None = None) -> Reply:
    """Ask the human `question` through the best channel this client offers; the reply says what happened.

    Raises:
        NoHumanChannel: no channel reaches the human from here; nothing was committed.
        InvalidInput / StaleAnswer / IllegalTransition: the human's answer cannot be recorded as given.
    """
    if can_form_elicit(ctx):
        return await _by_form(ctx, question)
    if client_supports_apps(ctx):
        return _by_card(ctx, question, note)
    if _can_url_elicit(ctx):
        return _by_url(ctx, question, note)
    return _by_browser(ctx, question, note)


async def _by_form(ctx: Context[App], question: Question) -> Reply:
    if not _modern(ctx):
        try:
            result: ElicitationResult[Any] = await ctx.elicit(question.message, form_for(question))
        except ValueError:  # the SDK's "accepted elicitation with no content"
            result = AcceptedElicitation[Any].model_construct(data=None)
        return reply(_settle(ctx, question, result))
    digest = _digest(question)
    responses = ctx.input_responses or {}
    if _state(ctx).get("q") == digest and FORM in responses:
        return reply(_settle(ctx, question, _as_result(responses[FORM])))
    schema = render_elicitation_schema(form_for(question))
    request = ElicitRequest(params=ElicitRequestFormParams(message=question.message, requested_schema=schema))
    return InputRequiredResult(input_requests={FORM: request}, request_state=json.dumps({"q": digest}))


def _as_result(response: Any) -> ElicitationResult[Any]:
    # The client's answer to our form, whatever model the SDK parsed it into.
    raw = response.model_dump() if hasattr(response, "model_dump") else response
    action = raw.get("action") if isinstance(raw, dict) else None
    if action == "accept":
        content = raw.get("content")
        return AcceptedElicitation[Any].model_construct(data=content if isinstance(content, dict) else None)
    if action == "decline":
        return DeclinedElicitation()
    if action == "cancel":
        return CancelledElicitation()
    raise InvalidInput(
        "the client answered the question with something other than a form: nothing was committed. Ask again."
    )


def _settle(ctx: Context[App], question: Question, result: ElicitationResult[Any]) -> DecisionOutcome:
    who = decider(ctx)
    store = app(ctx).store
    if isinstance(result, AcceptedElicitation):
        if result.data is None:
            raise InvalidInput("the human's answer came back with no content: nothing was committed. Ask again.")
        return decisions.apply_answer(store, question, answer_from(question, result.data), who)
    how: Literal["declined", "cancelled"] = "declined" if isinstance(result, DeclinedElicitation) else "cancelled"
    return decisions.not_answered(store, question.action_id, how, who)


def _card_meta(ctx: Context[App], question: Question, note: str | None) -> dict[str, Any]:
    state = app(ctx)
    nonce = secrets.token_urlsafe(24)
    code = decision_links.card_code(state_key(state.settings.state_key_path), nonce)
    decision_links.open_link(state.store, question, note=note, via="mcp-app", client=client_label(ctx), code=code)
    return {CARD_META: {"nonce": nonce, "action_id": question.action_id, "kind": question.kind}}


def _by_card(ctx: Context[App], question: Question, note: str | None) -> Reply:
    # The nonce rides in _meta, which the host hands to the card and not to the model; the card trades it for a
    # one-time ticket through an app-only tool (server/mcp/card.py).
    meta = _card_meta(ctx, question, note)
    outcome = decision_links.awaiting(app(ctx).store, question, where="in the decision card your host shows")
    return reply(outcome, meta)


def _page_url(ctx: Context[App], question: Question, note: str | None, via: decision_links.Via) -> str:
    from postmortem_actions.server.web.launch import ensure_board

    state = app(ctx)
    # The team server's board is at the address people reach it by; a local server's codes are in its own
    # database, so its links go to its own board even when the team's address is in the environment.
    settings = state.settings
    base = settings.public_url if not settings.local and settings.public_url else ensure_board(settings)
    code = decision_links.new_code()
    decision_links.open_link(state.store, question, note=note, via=via, client=client_label(ctx), code=code)
    return f"{base}/d/{code}"


def _page_message(question: Question) -> str:
    return (
        f"Decide on action #{question.action_id} in your browser: the page shows the item, its evidence and "
        "the assistant's proposal, which you can change before you answer."
    )


def _by_url(ctx: Context[App], question: Question, note: str | None) -> Reply:
    store = app(ctx).store
    if _modern(ctx) and _state(ctx).get("page") == _digest(question):
        # The client came back from the page; the human may not have answered (yet).
        return reply(decision_links.awaiting(store, question, where="on the decision page"))
    url = _page_url(ctx, question, note, "url")
    params = ElicitRequestURLParams(message=_page_message(question), url=url)
    if _modern(ctx):
        request = ElicitRequest(params=params)
        return InputRequiredResult(
            input_requests={PAGE: request}, request_state=json.dumps({"page": _digest(question)})
        )
    raise UrlElicitationRequiredError([params.model_copy(update={"elicitation_id": secrets.token_urlsafe(12)})])


def _by_browser(ctx: Context[App], question: Question, note: str | None) -> Reply:
    from postmortem_actions.server.web.launch import can_open_browser, open_browser

    settings = app(ctx).settings
    if settings.public_url is not None and not settings.local:
        raise NoHumanChannel(
            "Nothing was committed: this client cannot put a question to the human (no elicitation form, no "
            f"decision card). Tell the user to decide on the team's board: {settings.public_url}/actions/"
            f"{question.action_id}"
        )
    if not settings.local or not can_open_browser():
        raise NoHumanChannel(
            "Nothing was committed: this client cannot put a question to the human (no elicitation form, no "
            f"decision card) and no browser can be opened here. Tell the user to decide in a terminal: "
            f"`postmortem-actions decide {question.action_id}` (or `postmortem-actions triage POSTMORTEM_ID` for "
            "all undecided items), or on the board: `postmortem-actions web`."
        )
    store = app(ctx).store
    if decision_links.still_open(store, question, note=note, via="browser", within=REOPEN_AFTER):
        # Asked a moment ago and not answered yet: another tab would only bury the first.
        return reply(decision_links.awaiting(store, question, where="in their web browser (already open)"))
    if not open_browser(_page_url(ctx, question, note, "browser")):
        raise NoHumanChannel(
            "Nothing was committed: the browser could not be opened. Tell the user to decide with "
            f"`postmortem-actions decide {question.action_id}` or on the board: `postmortem-actions web`."
        )
    return reply(decision_links.awaiting(store, question, where="in their web browser"))
