"""``claimflow report``: the ledger's figures as text, JSON or CSV."""

from __future__ import annotations

import sys
from datetime import date

from claimflow.ledger import Ledger, migrations
from claimflow.reports.figures import build_report
from claimflow.reports.render import to_csv, to_json, to_text

FORMATS = {"text": to_text, "json": to_json, "csv": to_csv}


def report_command(database_url: str, fmt: str, as_of: date | None = None) -> int:
    """Print the ledger report to stdout.

    The as-of date is read from the clock here, at the edge, when not given;
    the figures themselves never read it.

    Args:
        database_url: The ledger's SQLAlchemy URL.
        fmt: ``"text"``, ``"json"`` or ``"csv"``.
        as_of: The date the figures are for (today when None).

    Returns:
        The exit status: 0 when printed, 2 when the format is unknown or the
        ledger's schema is not the one this code reads.
    """
    render = FORMATS.get(fmt)
    if render is None:
        print(f"unknown report format {fmt!r}; use text, json or csv", file=sys.stderr)
        return 2
    ledger = Ledger(database_url)
    try:
        found = migrations.current_revision(ledger.engine)
        wanted = migrations.head_revision()
        if found != wanted:
            print(
                f"the ledger's schema is at revision {found}, this code reads "
                f"{wanted}; upgrade it first (Ledger.create_all, as the worker "
                "does at start)",
                file=sys.stderr,
            )
            return 2
        report = build_report(ledger, as_of or date.today())
        sys.stdout.write(render(report))
    finally:
        ledger.engine.dispose()
    return 0
