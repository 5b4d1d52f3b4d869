"""The clearinghouse adapter for a mailbox: an outbox and an inbox folder.

This is the shape of an SFTP mailbox with the transport left out: whatever syncs the
folders with the clearinghouse (an SFTP client, a mounted share, the payer simulator
in mailbox mode) lives outside this class.

* A submission is written to ``outbox/<idempotency key>.x12`` through a temporary
  file and a hard link, so the file appears whole or not at all, and a second
  submission with the same key finds the first and is reported as a duplicate.
* Inbox files are listed oldest first; acknowledging one moves it to
  ``inbox/processed/``.
* A mailbox has no real-time channel: ``eligibility`` and ``claim_status`` raise
  ``UnsupportedTransaction``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from claimflow.clearinghouse.base import (
    InboxEntry,
    InboxFileNotFound,
    SubmissionReceipt,
    SubmissionRejected,
    UnsupportedTransaction,
)
from claimflow.x12 import X12Error, detect

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
OUTBOX_SUFFIX = ".x12"
PROCESSED = "processed"


class MailboxClearinghouse:
    """Submits by writing files to ``outbox`` and reads answers from ``inbox``.

    Args:
        outbox: the folder submissions are written to (created if missing).
        inbox: the folder answers arrive in (created if missing).
    """

    def __init__(self, outbox: Path, inbox: Path) -> None:
        self.outbox = Path(outbox)
        self.inbox = Path(inbox)
        self.processed = self.inbox / PROCESSED
        for folder in (self.outbox, self.inbox, self.processed):
            folder.mkdir(parents=True, exist_ok=True)

    def submit(self, interchange: str, idempotency_key: str) -> SubmissionReceipt:
        """Write the interchange to the outbox under its idempotency key.

        Args:
            interchange: the 837 text.
            idempotency_key: letters, digits, ``.``, ``_`` and ``-`` only (it is
                the file name), at most 128 characters.

        Returns:
            A receipt whose id is the outbox file name; ``duplicate`` is True when
            a file with this key was already there, which is left untouched.

        Raises:
            SubmissionRejected: the key cannot be used as a file name.
        """
        if not _SAFE_KEY.match(idempotency_key):
            raise SubmissionRejected(
                "idempotency key must be 1-128 letters, digits, '.', '_' or '-'"
            )
        name = idempotency_key + OUTBOX_SUFFIX
        target = self.outbox / name
        handle, temporary = tempfile.mkstemp(prefix=".", dir=self.outbox)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(interchange.encode())
                stream.flush()
                os.fsync(stream.fileno())
            os.link(temporary, target)
        except FileExistsError:
            return SubmissionReceipt(name, duplicate=True)
        finally:
            os.unlink(temporary)
        return SubmissionReceipt(name, duplicate=False)

    def eligibility(self, x270: str) -> str:
        """Not available over a mailbox.

        Raises:
            UnsupportedTransaction: always.
        """
        raise UnsupportedTransaction("a mailbox has no real-time eligibility")

    def claim_status(self, x276: str) -> str:
        """Not available over a mailbox.

        Raises:
            UnsupportedTransaction: always.
        """
        raise UnsupportedTransaction("a mailbox has no real-time claim status")

    def list_inbox(self) -> list[InboxEntry]:
        """Return the inbox files, oldest first (by modification time, then name).

        Hidden files (names starting with ``.``, the usual mark of a transfer in
        progress) and folders are skipped.
        """
        files = [
            path
            for path in self.inbox.iterdir()
            if path.is_file() and not path.name.startswith(".")
        ]
        files.sort(key=lambda path: (path.stat().st_mtime_ns, path.name))
        return [InboxEntry(path.name, _kind(path)) for path in files]

    def fetch(self, name: str) -> bytes:
        """Return one inbox file's bytes.

        Raises:
            InboxFileNotFound: no such file in the inbox.
        """
        try:
            return self._inbox_file(name).read_bytes()
        except FileNotFoundError as error:
            raise InboxFileNotFound(name) from error

    def acknowledge(self, name: str) -> None:
        """Move one inbox file to ``processed/``; a file not there is ignored.

        Acknowledging is idempotent because the caller retries it: a file already
        moved, or never delivered, leaves nothing to do.
        """
        try:
            os.replace(self._inbox_file(name), self.processed / name)
        except (FileNotFoundError, InboxFileNotFound):
            return

    def _inbox_file(self, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise InboxFileNotFound(name)
        return self.inbox / name


def _kind(path: Path) -> str:
    """The transaction a file carries (``claimflow.x12.detect``), or ``unknown``."""
    try:
        return detect(path.read_bytes().decode("latin-1"))
    except X12Error:
        return "unknown"
