"""The payer simulator's durable state, kept in its data directory.

Layout of the data directory:

| path | holds |
| --- | --- |
| ``state.json`` | counters (``GET /v1/stats``) and control-number sequences |
| ``receipts/<sha256 of key>.json`` | one per idempotency key: its receipt id |
| ``inbox/<seq>-<receipt>.<kind>`` | files waiting to be fetched, in creation order |
| ``acknowledged/`` | inbox files after ``DELETE`` |
| ``claims.json`` | the last known status of every claim version (for 276/277) |
| ``roster.json``, ``scenarios.json`` | the current roster and test scenarios |

Every file is replaced atomically (write to a temporary file, then rename), so a
restart sees either the old or the new content. A submission is recorded (receipt
and counters) before its answers are written, so a crash in between loses those
answers rather than ever sending them twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

_INBOX_KINDS = {"999": "999", "277ca": "277CA", "835": "835"}


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers never see a partial file."""
    handle, temporary = tempfile.mkstemp(prefix=".", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise



# The counters ``GET /v1/stats`` reports, present from the start.
STAT_NAMES = (
    "submissions",
    "duplicates",
    "rejected_syntax",
    "claims_received",
    "claims_accepted",
    "claims_rejected",
    "claims_adjudicated",
    "claims_paid",
    "claims_denied",
    "remittances",
    "eligibility_requests",
    "claim_status_requests",
)

class SimulatorState:
    """Thread-safe access to the data directory (one process at a time).

    Args:
        data_dir: the directory; created with its subfolders if missing.
    """

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir)
        self.inbox = self.root / "inbox"
        self.acknowledged = self.root / "acknowledged"
        self.receipts = self.root / "receipts"
        for folder in (self.root, self.inbox, self.acknowledged, self.receipts):
            folder.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self._state: dict[str, Any] = self._load("state.json", {})
        self._state.setdefault("counters", {})
        self._state.setdefault("sequences", {})
        self.claims: dict[str, dict[str, Any]] = self._load("claims.json", {})

    def _load(self, name: str, default: Any) -> Any:
        path = self.root / name
        return json.loads(path.read_bytes()) if path.exists() else default

    def save_json(self, name: str, value: Any) -> None:
        """Write one JSON document into the data directory atomically."""
        encoded = json.dumps(value, indent=1, sort_keys=True).encode()
        write_atomically(self.root / name, encoded)

    def load_json(self, name: str, default: Any) -> Any:
        """Read one JSON document from the data directory, or ``default``."""
        return self._load(name, default)

    # ---------------------------------------------------------------- receipts

    def _receipt_path(self, key: str) -> Path:
        return self.receipts / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def receipt_for(self, key: str) -> str | None:
        """Return the receipt id recorded for an idempotency key, if any."""
        path = self._receipt_path(key)
        if not path.exists():
            return None
        return json.loads(path.read_bytes())["receipt_id"]

    def record_receipt(self, key: str, receipt_id: str) -> None:
        """Remember that ``key`` was answered with ``receipt_id``."""
        record = json.dumps({"receipt_id": receipt_id}).encode()
        write_atomically(self._receipt_path(key), record)

    # ---------------------------------------------------------------- counters

    def next_number(self, sequence: str) -> int:
        """Return the next value (from 1) of a named sequence; call ``commit``."""
        sequences = self._state["sequences"]
        sequences[sequence] = sequences.get(sequence, 0) + 1
        return sequences[sequence]

    def count(self, counter: str, amount: int = 1) -> None:
        """Add to a statistics counter; call ``commit`` to keep it."""
        counters = self._state["counters"]
        counters[counter] = counters.get(counter, 0) + amount

    def stats(self) -> dict[str, int]:
        """Return the statistics counters, every one of them (zero when unused)."""
        return {name: 0 for name in STAT_NAMES} | dict(self._state["counters"])

    def commit(self) -> None:
        """Write counters, sequences and claim statuses to disk."""
        self.save_json("state.json", self._state)
        self.save_json("claims.json", self.claims)

    # ---------------------------------------------------------------- inbox

    def inbox_name(self, receipt_id: str, kind: str) -> str:
        """Reserve the name of the next answer file; call ``commit`` to keep it."""
        number = self.next_number("inbox")
        return f"{number:08d}-{receipt_id}.{kind.lower()}"

    def write_inbox(self, name: str, text: str) -> None:
        """Queue one answer file under a reserved name."""
        write_atomically(self.inbox / name, text.encode())

    def list_inbox(self) -> list[dict[str, str]]:
        """Return ``[{"name", "kind"}]`` for the waiting files, oldest first."""
        entries = []
        for path in sorted(self.inbox.iterdir()):
            suffix = path.suffix.lstrip(".")
            if path.is_file() and not path.name.startswith("."):
                entries.append(
                    {"name": path.name, "kind": _INBOX_KINDS.get(suffix, suffix)}
                )
        return entries

    def inbox_file(self, name: str) -> Path | None:
        """Return the path of a waiting file, or None for an unknown name."""
        if not name or "/" in name or name.startswith("."):
            return None
        path = self.inbox / name
        return path if path.is_file() else None

    def acknowledge(self, name: str) -> bool:
        """Move a waiting file to ``acknowledged/``; False when it is not there."""
        path = self.inbox_file(name)
        if path is None:
            return False
        os.replace(path, self.acknowledged / name)
        return True
