"""Starting the board: in the foreground (`postmortem-actions web`) or, for a stdio server whose client cannot show a
form, in a background thread of that server, unless this database's board already answers somewhere.

The board listens on loopback only. A running board writes its port beside the database (`<db>.web.json`); a
server that needs one reads it, checks on `/healthz` that the board there belongs to this database, and starts its
own otherwise. Nothing here writes to stdout (a stdio server's stdout is the protocol), and uvicorn's access log is
off, so a URL carrying a code or token is never logged.
"""

from __future__ import annotations

import http.client
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Final

from postmortem_actions.server.keys import state_key
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.web.app import Board, create_app
from postmortem_actions.server.web.security import BoardKeys
from postmortem_actions.store.errors import ConfigError

if TYPE_CHECKING:
    import uvicorn

HOST: Final = "127.0.0.1"
_started: dict[Path, str] = {}  # boards this process started: database -> base URL
_lock = threading.Lock()


def board_for(settings: Settings) -> Board:
    """The board object for this database (its secret is created on first use, mode 0600).

    Raises:
        ConfigError: the secret cannot be created or read.
    """
    return Board(settings, BoardKeys(state_key(settings.board_key_path)))


def listening_socket(port: int) -> socket.socket:
    """A socket bound on loopback and listening: connections queue from now on, before the server runs.

    Raises:
        ConfigError: the port is taken or cannot be bound.
    """
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it Nagle's
    # algorithm holds each response's body for the browser's delayed ACK (40 ms per keep-alive request).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {HOST}:{port} ({exc.strerror}); pass another --port or set POSTMORTEM_ACTIONS_WEB_PORT"
        ) from exc
    sock.listen(64)
    return sock


def server_for(board: Board, sock: socket.socket) -> uvicorn.Server:
    """A uvicorn server for the board on `sock` (quiet: no access log, nothing on stdout)."""
    import uvicorn

    board.port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(board), log_config=None, access_log=False, lifespan="off", log_level="warning")
    return uvicorn.Server(config)


def write_state(settings: Settings, port: int) -> None:
    """Say beside the database which port its board answers on (best effort: a server can always start its own)."""
    path = settings.board_state_path
    with suppress(OSError):
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(json.dumps({"port": port, "pid": os.getpid()}))
        os.replace(draft, path)


def running_board(settings: Settings, board: Board) -> str | None:
    """The base URL of this database's board if one answers on the recorded port, else None."""
    try:
        port = int(json.loads(settings.board_state_path.read_text())["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    connection = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        connection.request("GET", "/healthz")
        reply = connection.getresponse()
        found = json.loads(reply.read()).get("board") if reply.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError, AttributeError):
        return None
    finally:
        connection.close()
    return f"http://{HOST}:{port}" if found == board.fingerprint else None


def ensure_board(settings: Settings) -> str:
    """The base URL of this database's board, starting one in a background thread if none answers.

    Raises:
        ConfigError: the secret cannot be read, or no port can be bound.
    """
    key = Path(os.path.realpath(settings.db_path))
    with _lock:
        if key in _started:
            return _started[key]
        board = board_for(settings)
        found = running_board(settings, board)
        if found is not None:
            return found
        try:
            sock = listening_socket(settings.web_port)
        except ConfigError:
            sock = listening_socket(0)  # the usual port is someone else's: any free one will do for a link
        server = server_for(board, sock)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="board", daemon=True)
        thread.start()
        base = f"http://{HOST}:{board.port}"
        write_state(settings, board.port)
        _started[key] = base
        return base


@contextmanager
def serving(settings: Settings, port: int = 0) -> Iterator[tuple[str, Board]]:
    """Serve this database's board in a background thread for the duration; yields its base URL and the board.

    Raises:
        ConfigError: the port cannot be bound or the secret cannot be read.
    """
    board = board_for(settings)
    sock = listening_socket(port)
    server = server_for(board, sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="board", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{board.port}", board
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def can_open_browser(env: dict[str, str] | None = None) -> bool:
    """Whether a browser can be opened for the person at this machine (not over SSH, not headless)."""
    env = dict(os.environ) if env is None else env
    if env.get("POSTMORTEM_ACTIONS_OPEN_BROWSER", "1") == "0":
        return False
    if env.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return not env.get("SSH_CONNECTION")
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _command(url: str) -> list[str] | None:
    chosen = os.environ.get("BROWSER", "").split(os.pathsep)[0].strip()
    if chosen:
        parts = shlex.split(chosen)
        return [p.replace("%s", url) for p in parts] if "%s" in chosen else [*parts, url]
    for opener in ("xdg-open", "open"):
        if (found := shutil.which(opener)) is not None:
            return [found, url]
    return None


def open_browser(url: str) -> bool:
    """Open `url` in the person's browser, its output kept off our stdout; False when nothing could open it."""
    command = _command(url)
    if command is None:
        return False
    try:
        opener = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    threading.Thread(target=opener.wait, name="browser-opener", daemon=True).start()  # reaped, never waited on
    return True
