"""The payer simulator: a loopback HTTP clearinghouse for the demo and tests.

Run it with::

    python -m claimflow.clearinghouse.simulator --port 8765 --data-dir DIR \
        [--roster FILE]

It listens on 127.0.0.1 only and prints its URL on stdout once it accepts
connections. The HTTP contract:

| request | answer |
| --- | --- |
| ``POST /v1/submissions`` (837P, Idempotency-Key) | 202 ``{receipt_id,duplicate}`` |
| ``POST /v1/eligibility`` (270) | 200, the 271 |
| ``POST /v1/claim-status`` (276) | 200, the 277 |
| ``GET /v1/inbox`` | 200 ``[{"name", "kind"}]``, oldest first |
| ``GET /v1/inbox/<name>`` / ``DELETE /v1/inbox/<name>`` | 200 bytes / 204 |
| ``GET /v1/health``, ``GET /v1/stats`` | 200 JSON |
| ``GET`` / ``PUT /v1/roster`` (JSON members) | 200 JSON |
| ``GET`` / ``PUT /v1/scenarios`` (``{"<pcn>": "<behaviour>"}``) | 200 JSON |

Errors are JSON ``{"error": <code>, "message": <text>}``: 400 for a request that
cannot be read (no idempotency key, no ISA/GS envelope, bad JSON), 404 for an
unknown path or inbox file, 500 for a fault in the simulator. Messages name X12
positions and codes, never member ids or names.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from claimflow.clearinghouse import x12io
from claimflow.clearinghouse.engine import SimulatorEngine
from claimflow.clearinghouse.roster import load_roster

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
MAX_BODY = 64 * 1024 * 1024


class RequestError(Exception):
    """A request the simulator answers with a 4xx."""

    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        # Paths hold receipt ids and file names only, never PHI.
        logger.debug("simulator %s", format % args)

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        try:
            body = self._body()
            route = _route(method, path)
            route(self, self.server.engine, body, path)
        except RequestError as error:
            self._json(error.status, {"error": error.code, "message": error.message})
        except x12io.X12Error as error:
            message = f"unreadable X12: {error}"
            self._json(HTTPStatus.BAD_REQUEST, {"error": "x12", "message": message})
        except Exception:  # pragma: no cover - a simulator fault, reported as 500
            logger.exception("simulator fault on %s %s", method, path)
            self._json(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                {"error": "internal", "message": "simulator fault"},
            )

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "size", "too large")
        return self.rfile.read(length) if length else b""

    def _send(self, status: HTTPStatus, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _json(self, status: HTTPStatus, value: Any) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _x12(self, text: str | bytes) -> None:
        data = text.encode() if isinstance(text, str) else text
        self._send(HTTPStatus.OK, data, "application/edi-x12")


Route = Callable[[_Handler, SimulatorEngine, bytes, str], None]


def _text(body: bytes) -> str:
    if not body.strip():
        raise RequestError(HTTPStatus.BAD_REQUEST, "empty", "the body is empty")
    return body.decode("latin-1")


def _json_body(body: bytes) -> bytes:
    try:
        json.loads(body)
    except ValueError as error:
        raise RequestError(HTTPStatus.BAD_REQUEST, "json", "not JSON") from error
    return body


def _submit(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    key = (h.headers.get("Idempotency-Key") or "").strip()
    if not key:
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "idempotency-key", "Idempotency-Key is required"
        )
    receipt_id, duplicate = engine.submit(_text(body), key)
    h._json(HTTPStatus.ACCEPTED, {"receipt_id": receipt_id, "duplicate": duplicate})


def _eligibility(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    h._x12(engine.eligibility(_text(body)))


def _claim_status(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    h._x12(engine.claim_status(_text(body)))


def _inbox(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    h._json(HTTPStatus.OK, engine.state.list_inbox())


def _inbox_name(path: str) -> str:
    return unquote(path.removeprefix("/v1/inbox/"))


def _fetch(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    found = engine.state.inbox_file(_inbox_name(path))
    if found is None:
        raise RequestError(HTTPStatus.NOT_FOUND, "not-found", "no such inbox file")
    h._x12(found.read_bytes())


def _delete(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    with engine.state.lock:
        removed = engine.state.acknowledge(_inbox_name(path))
    if not removed:
        raise RequestError(HTTPStatus.NOT_FOUND, "not-found", "no such inbox file")
    h._send(HTTPStatus.NO_CONTENT, b"", "application/json")


def _health(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    h._json(HTTPStatus.OK, {"status": "ok"})


def _stats(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    with engine.state.lock:
        h._json(HTTPStatus.OK, engine.state.stats())


def _get_roster(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    h._send(HTTPStatus.OK, engine.roster.to_json().encode(), "application/json")


def _put_roster(h: _Handler, engine: SimulatorEngine, body: bytes, path: str) -> None:
    try:
        count = engine.replace_roster(_json_body(body))
    except ValueError as error:
        raise RequestError(HTTPStatus.BAD_REQUEST, "roster", str(error)) from error
    h._json(HTTPStatus.OK, {"members": count})


def _get_scenarios(
    h: _Handler, engine: SimulatorEngine, body: bytes, path: str
) -> None:
    h._json(HTTPStatus.OK, engine.scenario_text)


def _put_scenarios(
    h: _Handler, engine: SimulatorEngine, body: bytes, path: str
) -> None:
    try:
        count = engine.replace_scenarios(_json_body(body))
    except ValueError as error:
        raise RequestError(HTTPStatus.BAD_REQUEST, "scenarios", str(error)) from error
    h._json(HTTPStatus.OK, {"scenarios": count})


_ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/v1/submissions"): _submit,
    ("POST", "/v1/eligibility"): _eligibility,
    ("POST", "/v1/claim-status"): _claim_status,
    ("GET", "/v1/inbox"): _inbox,
    ("GET", "/v1/health"): _health,
    ("GET", "/v1/stats"): _stats,
    ("GET", "/v1/roster"): _get_roster,
    ("PUT", "/v1/roster"): _put_roster,
    ("GET", "/v1/scenarios"): _get_scenarios,
    ("PUT", "/v1/scenarios"): _put_scenarios,
}


def _route(method: str, path: str) -> Route:
    found = _ROUTES.get((method, path))
    if found is not None:
        return found
    if path.startswith("/v1/inbox/") and method in ("GET", "DELETE"):
        return _fetch if method == "GET" else _delete
    raise RequestError(HTTPStatus.NOT_FOUND, "not-found", f"no route {method} {path}")


class SimulatorServer(ThreadingHTTPServer):
    """A threading HTTP server, bound to the loopback interface by default.

    Args:
        engine: the simulator answering requests.
        port: the TCP port; 0 picks a free one.
        host: the address to bind; only a container (docker-compose) needs
            anything but loopback.
    """

    daemon_threads = True

    def __init__(
        self, engine: SimulatorEngine, port: int = 0, host: str = LOOPBACK
    ) -> None:
        super().__init__((host, port), _Handler)
        self.engine = engine

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def start_simulator(
    data_dir: Path, port: int = 0, roster_file: Path | None = None
) -> tuple[SimulatorServer, threading.Thread]:
    """Start a simulator in a background thread.

    Args:
        data_dir: where its state lives.
        port: the TCP port on 127.0.0.1; 0 picks a free one.
        roster_file: a JSON roster replacing the stored one.

    Returns:
        The server (``url``; stop it with ``shutdown()`` then ``server_close()``)
        and the thread serving it.
    """
    roster = load_roster(roster_file) if roster_file else None
    server = SimulatorServer(SimulatorEngine(data_dir, roster), port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def main(argv: list[str] | None = None) -> int:
    """Run the simulator until interrupted.

    Args:
        argv: command-line arguments (default ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    parser = argparse.ArgumentParser(description="claimflow payer simulator")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--host", default=LOOPBACK, help="bind address (default 127.0.0.1)"
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--roster", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    roster = load_roster(args.roster) if args.roster else None
    server = SimulatorServer(
        SimulatorEngine(args.data_dir, roster), args.port, args.host
    )
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
