"""The web board: a Starlette app over the store, for the humans who decide, own and review action items.

Pages are drawn on the server; every decision is a form that goes through the same store operation and triggers as
the elicitation form and the terminal, recorded with channel `web`. A form names the item version it was drawn for;
if the item changed meanwhile, the form is refused and the current state shown. See `security.py` for who may use it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any, Final

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from postmortem_actions.server.settings import Settings
from postmortem_actions.server.version import VERSION
from postmortem_actions.server.web import forms, pages
from postmortem_actions.server.web.item_pages import item_page
from postmortem_actions.server.web.question_pages import postmortem_page, question_page
from postmortem_actions.server.web.security import COOKIE, BoardKeys, Guard
from postmortem_actions.server.web.sessions import TeamSessions, safe_next, session_of, sign_in
from postmortem_actions.server.web.style import CSS
from postmortem_actions.store import Channel, Store
from postmortem_actions.store.errors import (
    InvalidInput,
    LinkNotValid,
    NotFound,
    PostmortemActionsError,
    StaleAnswer,
)
from postmortem_actions.tools import board, decision_links
from postmortem_actions.tools.decision_models import Decider
from postmortem_actions.tools.people import Directory

PEOPLE_OFFERED: Final = 500  # names in an owner field's suggestions


class Board:
    """The board for one database: its settings, store and keys, and the port it answers on."""

    def __init__(
        self, settings: Settings, keys: BoardKeys, store: Store | None = None, team: TeamSessions | None = None
    ) -> None:
        self.settings = settings
        self.keys = keys
        self.store = store or Store(settings.db_path, lazy=True)
        self.port = 0
        self.team = team  # on the team server: each person signs in with their token

    @property
    def fingerprint(self) -> str:
        """Names this database's board on /healthz without telling anything that signs in."""
        return hmac.new(self.keys.secret, b"health:v1", hashlib.sha256).hexdigest()[:32]

    def user(self, request: Request) -> str:
        """Who is using the board: the signed-in person on the team server, else the local user."""
        session = session_of(request)
        return session.person if session is not None else self.settings.user

    def decider(self, request: Request) -> Decider:
        """Who decides on this board: the signed-in person on the team server, else the local user."""
        return Decider(name=self.user(request), channel=Channel.WEB, client=f"postmortem-actions-web/{VERSION}")

    def csrf(self, request: Request, scope: str = "board") -> str:
        """The CSRF token of this request's forms (on the team server, bound to the person's session)."""
        if self.team is not None:
            return self.team.csrf(session_of(request), scope)
        return self.keys.csrf(scope)

    def good_csrf(self, request: Request, token: str, scope: str = "board") -> bool:
        """Whether a posted form's CSRF token is this session's."""
        return hmac.compare_digest(token, self.csrf(request, scope))

    def html(self, text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code=status)

    def problem(self, exc: PostmortemActionsError, title: str = "Nothing was recorded") -> HTMLResponse:
        """A domain error as a page: what went wrong, that nothing changed, what to do."""
        status = 404 if isinstance(exc, NotFound) else 410 if isinstance(exc, LinkNotValid) else 409
        if isinstance(exc, InvalidInput):
            status = 400
        return self.html(pages.message_page(title, str(exc), good=False, links=_home()), status)

    # -- pages -------------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "board": self.fingerprint})

    async def css(self, request: Request) -> Response:
        return Response(CSS, media_type="text/css")

    async def icon(self, request: Request) -> Response:
        return Response(status_code=204)

    async def login(self, request: Request) -> Response:
        if self.team is not None:
            return await self._team_login(request)
        # The token leaves the address bar at once: the redirect goes to a URL without it.
        if not self.keys.good_login(request.query_params.get("k", "")):
            page = pages.message_page(
                "This sign-in link is not valid", "Run `postmortem-actions web` for a fresh one.", good=False
            )
            return self.html(page, 403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, self.keys.cookie, httponly=True, samesite="strict", path="/")
        return response

    async def _team_login(self, request: Request) -> Response:
        assert self.team is not None
        if request.method == "POST":
            signed_in = await sign_in(request, self.team)
            if signed_in is not None:
                return signed_in
        form = login_form(self.keys.csrf("login"), safe_next(request.query_params.get("next", "/")))
        if request.method == "POST":
            text = "That token is not valid here (unknown, revoked or expired); you are not signed in."
            return self.html(pages.message_page("Not signed in", text, good=False, links=form), 401)
        return self.html(pages.message_page("Sign in", "Paste the token you were given.", good=True, links=form))

    async def home(self, request: Request) -> Response:
        def build() -> str:
            filters, as_of = forms.filters(request.query_params)
            return pages.board_page(board.board(self.store, as_of=as_of, filters=filters), user=self.user(request))

        return await self._page(build)

    async def section(self, request: Request) -> Response:
        def build() -> str:
            key = forms.section_key(request.path_params["key"])
            filters, as_of = forms.filters(request.query_params)
            offset = forms.offset(request.query_params)
            part = board.section(self.store, key, as_of=as_of, filters=filters, limit=50, offset=offset)
            return pages.section_page(part, filters, as_of, offset=offset, limit=50, user=self.user(request))

        return await self._page(build)

    async def item(self, request: Request) -> Response:
        return await self._page(lambda: self._item_html(request, forms.number(request.path_params["id"])))

    def _item_html(self, request: Request, action_id: int, notice: str = "") -> str:
        view = board.item(self.store, action_id, table=self.settings.due_table, today=date.today())
        page = item_page(view, csrf=self.csrf(request), user=self.user(request), notice=notice)
        return self.people_list(page)

    def people_list(self, page: str) -> str:
        """`page` with the people table's names offered to its owner fields (a suggestion: any name may be typed)."""
        names = Directory.load(self.store).names()[:PEOPLE_OFFERED]
        options = "".join(f'<option value="{pages.e(name)}">' for name in names)
        return page.replace("</body>", f'<datalist id="people">{options}</datalist></body>', 1)

    async def postmortem(self, request: Request) -> Response:
        def build() -> str:
            view = board.postmortem(self.store, forms.number(request.path_params["id"]))
            return postmortem_page(view, user=self.user(request))

        return await self._page(build)

    async def report(self, request: Request) -> Response:
        from postmortem_actions.tools.followthrough.report_html import CSP, render_html
        from postmortem_actions.tools.followthrough.review import followthrough_report

        def build() -> str:
            _filters, as_of = forms.filters(request.query_params)
            return render_html(followthrough_report(self.store, as_of=as_of))

        response = await self._page(build)
        response.headers["content-security-policy"] = CSP  # the report's own: inline styles, no script
        return response

    async def _page(self, build: Any) -> Response:
        try:
            return self.html(await run_in_threadpool(build))
        except PostmortemActionsError as exc:
            return self.problem(exc, "Cannot show this page")

    # -- decisions ---------------------------------------------------------------------------------

    async def decide(self, request: Request) -> Response:
        form = await request.form()
        if not self.good_csrf(request, str(form.get("csrf", ""))):
            return _forged()
        action_id = forms.number(request.path_params["id"])

        def apply() -> Response:
            try:
                outcome = forms.apply_board_decision(self, action_id, form, self.decider(request))
            except StaleAnswer as exc:
                notice = f'<div class="notice bad">{pages.e(exc)} This is the item as it is now.</div>'
                return self.html(self._item_html(request, action_id, notice), 409)
            notice = f'<div class="notice good">{pages.e(outcome.message)}</div>'
            return self.html(self._item_html(request, action_id, notice))

        return await self._decision(apply)

    async def status(self, request: Request) -> Response:
        form = await request.form()
        if not self.good_csrf(request, str(form.get("csrf", ""))):
            return _forged()
        action_id = forms.number(request.path_params["id"])

        def apply() -> Response:
            forms.apply_status(self, action_id, form, self.user(request))
            notice = '<div class="notice good">Status saved. Owner, due date and state are unchanged.</div>'
            return self.html(self._item_html(request, action_id, notice))

        return await self._decision(apply)

    async def question(self, request: Request) -> Response:
        code = request.path_params["code"]

        def show() -> Response:
            request_row, question = forms.open_question(self, code)
            csrf = self.csrf(request, decision_links.code_hash(code))
            expires = request_row.expires_at.strftime("%Y-%m-%d %H:%M")
            action = self.store.get_action(question.action_id)
            page = question_page(question, code=code, csrf=csrf, expires=expires, evidence=action.quote)
            return self.html(self.people_list(page))

        return await self._decision(show, "This link cannot be used")

    async def answer(self, request: Request) -> Response:
        code = request.path_params["code"]
        form = await request.form()
        if not self.good_csrf(request, str(form.get("csrf", "")), decision_links.code_hash(code)):
            return _forged()

        def apply() -> Response:
            outcome = forms.apply_link_answer(self, code, form, self.decider(request))
            text = outcome.message + " You can close this page; the assistant will see your answer when it asks."
            links = f'<p><a href="/actions/{outcome.action_id}">Open the item on the board</a></p>'
            return self.html(
                pages.message_page(
                    "Recorded" if outcome.committed else "Not confirmed", text, good=outcome.committed, links=links
                )
            )

        return await self._decision(apply)

    async def _decision(self, work: Any, title: str = "Nothing was recorded") -> Response:
        try:
            response: Response = await run_in_threadpool(work)
        except PostmortemActionsError as exc:
            return self.problem(exc, title)
        return response


def _home() -> str:
    return '<p><a href="/">Back to the board</a></p>'


def login_form(csrf: str, target: str) -> str:
    """The team board's sign-in form: a token, posted once (never in a URL, so never in a log or history)."""
    return (
        '<form method="post" action="/login">'
        f'<input type="hidden" name="csrf" value="{pages.e(csrf)}"><input type="hidden" name="next" '
        f'value="{pages.e(target)}"><label>Token <input type="password" name="token" autocomplete="off" required>'
        '</label> <button type="submit">Sign in</button></form>'
    )


def _forged() -> Response:
    text = "This form did not come from this board's own page (its token is missing or wrong); nothing was recorded."
    return HTMLResponse(pages.message_page("Refused", text, good=False), status_code=403)


def routes(b: Board) -> list[Route]:
    """The board's routes (without its guard)."""
    return [
        Route("/healthz", b.health),
        Route("/static/board.css", b.css),
        Route("/favicon.ico", b.icon),
        Route("/login", b.login, methods=["GET", "POST"] if b.team is not None else ["GET"]),
        Route("/", b.home),
        Route("/section/{key}", b.section),
        Route("/actions/{id}", b.item),
        Route("/actions/{id}/decide", b.decide, methods=["POST"]),
        Route("/actions/{id}/status", b.status, methods=["POST"]),
        Route("/postmortems/{id}", b.postmortem),
        Route("/report", b.report),
        Route("/d/{code}", b.question),
        Route("/d/{code}", b.answer, methods=["POST"]),
    ]


def create_app(b: Board) -> Any:
    """The ASGI app on loopback: the routes behind the guard (Host, Origin, cookie, headers)."""
    return Guard(Starlette(routes=routes(b)), b.keys, lambda: b.port)
