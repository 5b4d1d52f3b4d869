"""The clearinghouse adapter for API clearinghouses (and the payer simulator).

One INFO log line per call, naming the method, path, status and time taken: never
a body, a member id or anything else that could identify a patient.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import httpx

from claimflow.clearinghouse.base import (
    ClearinghouseUnavailable,
    InboxEntry,
    InboxFileNotFound,
    SubmissionOutcomeUnknown,
    SubmissionReceipt,
    SubmissionRejected,
)

logger = logging.getLogger(__name__)

X12_CONTENT_TYPE = "application/edi-x12"

# Failures that happen before a request's bytes can have reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class HttpClearinghouse:
    """Talks to a clearinghouse over HTTP with a synchronous httpx client.

    Args:
        base_url: e.g. ``http://127.0.0.1:8765``.
        timeout: seconds allowed for connecting, and for each read and write.
        transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(
        self,
        base_url: str,
        timeout: float = 30.0,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.base_url, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClearinghouse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def submit(self, interchange: str, idempotency_key: str) -> SubmissionReceipt:
        """Send one 837 interchange.

        Args:
            interchange: the 837 text.
            idempotency_key: the same key for every attempt to send this file.

        Returns:
            The clearinghouse's receipt.

        Raises:
            ClearinghouseUnavailable: not reached, or a 5xx; safe to retry.
            SubmissionRejected: a 4xx; the reason is the clearinghouse's message.
            SubmissionOutcomeUnknown: the request may have arrived (a timeout or a
                dropped connection after sending); retry only with the same key.
        """
        if not idempotency_key.strip():
            raise SubmissionRejected("an idempotency key is required")
        response = self._request(
            "POST",
            "/v1/submissions",
            content=interchange.encode(),
            headers={"Idempotency-Key": idempotency_key},
            sent_is_unknown=True,
        )
        try:
            body = response.json()
            return SubmissionReceipt(str(body["receipt_id"]), bool(body["duplicate"]))
        except (ValueError, KeyError, TypeError) as error:
            raise SubmissionOutcomeUnknown(
                f"unreadable submission receipt (HTTP {response.status_code})"
            ) from error

    def eligibility(self, x270: str) -> str:
        """Send a 270 and return the 271 (see ``submit`` for the errors)."""
        return self._request("POST", "/v1/eligibility", content=x270.encode()).text

    def claim_status(self, x276: str) -> str:
        """Send a 276 and return the 277 (see ``submit`` for the errors)."""
        return self._request("POST", "/v1/claim-status", content=x276.encode()).text

    def list_inbox(self) -> list[InboxEntry]:
        """Return the files waiting in the inbox, oldest first."""
        entries = self._request("GET", "/v1/inbox").json()
        return [InboxEntry(entry["name"], entry["kind"]) for entry in entries]

    def fetch(self, name: str) -> bytes:
        """Return one inbox file's bytes.

        Raises:
            InboxFileNotFound: no such file (or already acknowledged).
        """
        return self._request("GET", _inbox_path(name), missing=name).content

    def acknowledge(self, name: str) -> None:
        """Remove one file from the inbox; a file already gone is not an error."""
        try:
            self._request("DELETE", _inbox_path(name), missing=name)
        except InboxFileNotFound:
            return

    def _request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        sent_is_unknown: bool = False,
        missing: str | None = None,
    ) -> httpx.Response:
        with _logged(method, path) as outcome:
            response = self._send(method, path, content, headers, sent_is_unknown)
            outcome.append(str(response.status_code))
        if response.status_code >= 500:
            raise ClearinghouseUnavailable(
                f"{method} {path}: HTTP {response.status_code}"
            )
        if response.status_code == 404 and missing is not None:
            raise InboxFileNotFound(missing)
        if response.status_code >= 400:
            raise SubmissionRejected(_reason(response))
        return response

    def _send(
        self,
        method: str,
        path: str,
        content: bytes | None,
        headers: dict[str, str] | None,
        sent_is_unknown: bool,
    ) -> httpx.Response:
        all_headers = {"Content-Type": X12_CONTENT_TYPE} if content else {}
        all_headers.update(headers or {})
        try:
            return self._client.request(
                method, path, content=content, headers=all_headers
            )
        except httpx.LocalProtocolError as error:
            # The request could not even be written (e.g. a malformed header).
            raise SubmissionRejected(
                f"{method} {path}: request not sendable ({error})"
            ) from error
        except _NOT_SENT as error:
            raise ClearinghouseUnavailable(
                f"{method} {path}: {type(error).__name__}"
            ) from error
        except httpx.TransportError as error:
            what = f"{method} {path}: {type(error).__name__}"
            if sent_is_unknown:
                raise SubmissionOutcomeUnknown(what) from error
            raise ClearinghouseUnavailable(what) from error


@contextmanager
def _logged(method: str, path: str) -> Iterator[list[str]]:
    outcome: list[str] = []
    started = time.perf_counter()
    try:
        yield outcome
    except Exception as error:
        outcome.append(type(error).__name__)
        raise
    finally:
        logger.info(
            "clearinghouse %s %s -> %s in %.3fs",
            method,
            path,
            outcome[-1] if outcome else "?",
            time.perf_counter() - started,
        )


def _inbox_path(name: str) -> str:
    return "/v1/inbox/" + quote(name, safe="")


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict) and "message" in body:
        return f"HTTP {response.status_code}: {body['message']}"
    return f"HTTP {response.status_code}"
