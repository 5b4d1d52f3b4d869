"""Open a clearinghouse adapter from a URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from claimflow.clearinghouse.base import Clearinghouse
from claimflow.clearinghouse.http_adapter import HttpClearinghouse
from claimflow.clearinghouse.mailbox_adapter import MailboxClearinghouse


def open_clearinghouse(url: str, *, timeout: float = 30.0) -> Clearinghouse:
    """Return the adapter a URL names.

    Args:
        url: ``http://host:port`` or ``https://…`` for an API clearinghouse (or the
            payer simulator); ``mailbox:///path`` for a folder pair
            ``path/outbox`` and ``path/inbox``.
        timeout: seconds per HTTP read, write and connect.

    Returns:
        A ``HttpClearinghouse`` or a ``MailboxClearinghouse``.

    Raises:
        ValueError: for any other scheme, or a mailbox URL without a path.
    """
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return HttpClearinghouse(url, timeout)
    if parts.scheme == "mailbox":
        if parts.netloc or not parts.path:
            raise ValueError("a mailbox URL looks like mailbox:///absolute/path")
        root = Path(unquote(parts.path))
        return MailboxClearinghouse(root / "outbox", root / "inbox")
    raise ValueError(f"unsupported clearinghouse URL scheme {parts.scheme!r}")
