"""Settings read from the environment, with embedded defaults for a single machine.

| variable | default |
| --- | --- |
| ``CLAIMFLOW_HOME`` | ``./.claimflow`` (the local data folder) |
| ``DATABASE_URL`` | SQLite file ``ledger.db`` in the data folder |
| ``TEMPORAL_ADDRESS`` | ``localhost:7233`` |
| ``TEMPORAL_NAMESPACE`` | ``default`` |
| ``CLAIMFLOW_TASK_QUEUE`` | ``claims`` |
| ``CLAIMFLOW_CLEARINGHOUSE_URL`` | ``http://127.0.0.1:8765`` (the payer simulator) |
| ``CLAIMFLOW_RULES_DIR`` | the project's ``payer_rules/`` |
| ``CLAIMFLOW_RULES_ARCHIVE`` | ``rulesets/`` in the data folder (share it between |
|   | workers): every published ruleset, found by hash |
| ``CLAIMFLOW_INBOX_POLL_SECONDS`` | ``60`` (how often the inbox workflow polls) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _home() -> Path:
    return Path(os.environ.get("CLAIMFLOW_HOME", ".claimflow")).resolve()


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=_home)
    database_url: str = ""
    temporal_address: str = "localhost:7233"
    namespace: str = "default"
    task_queue: str = "claims"
    clearinghouse_url: str = "http://127.0.0.1:8765"
    rules_dir: Path = PROJECT_ROOT / "payer_rules"
    inbox_poll_seconds: float = 60
    rules_archive: Path | None = None
    batch_window_seconds: float = 86400

    @classmethod
    def from_env(cls) -> Settings:
        home = _home()
        env = os.environ
        return cls(
            home=home,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{home / 'ledger.db'}",
            temporal_address=env.get("TEMPORAL_ADDRESS", "localhost:7233"),
            namespace=env.get("TEMPORAL_NAMESPACE", "default"),
            task_queue=env.get("CLAIMFLOW_TASK_QUEUE", "claims"),
            clearinghouse_url=env.get(
                "CLAIMFLOW_CLEARINGHOUSE_URL", "http://127.0.0.1:8765"
            ),
            rules_dir=Path(
                env.get("CLAIMFLOW_RULES_DIR", PROJECT_ROOT / "payer_rules")
            ),
            inbox_poll_seconds=float(env.get("CLAIMFLOW_INBOX_POLL_SECONDS", "60")),
            rules_archive=Path(env.get("CLAIMFLOW_RULES_ARCHIVE", home / "rulesets")),
            batch_window_seconds=float(
                env.get("CLAIMFLOW_BATCH_WINDOW_SECONDS", "86400")
            ),
        )
