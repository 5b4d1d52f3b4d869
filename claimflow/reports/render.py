"""Write a report as text for people, JSON, or CSV (one long table)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from claimflow.reports.models import BUCKETS, DenialRate, Report


def to_json(report: Report) -> str:
    """The report as JSON; money and rates are strings with their decimals."""
    return json.dumps(report.model_dump(mode="json"), indent=2) + "\n"


def _denial_rows(name: str, rates: list[DenialRate]) -> Iterator[tuple]:
    for rate in rates:
        yield name, rate.key, "adjudicated", rate.adjudicated
        yield name, rate.key, "denied", rate.denied
        yield name, rate.key, "rate_percent", rate.rate
        for number, reason in enumerate(rate.top_reasons, start=1):
            yield name, rate.key, f"reason_{number}", reason.code
            yield name, rate.key, f"reason_{number}_count", reason.count
            yield name, rate.key, f"reason_{number}_amount", reason.amount


MONTH_FIELDS = (
    "charges",
    "payer_payments",
    "patient_payments",
    "adjustments",
    "collections",
    "collection_rate",
    "settled_rate",
    "cash_in_month",
)
# What the collections table means, under its heading.
COLLECTIONS_NOTE = (
    "Per month of service: payments and adjustments posted on that month's",
    "charges by the report date, over those charges. Cash: money received in",
    "the month, for any month's service.",
)
DAR_FIELDS = ("ar_balance", "window_days", "window_charges", "days")
CLAIM_FIELDS = (
    "payer_id",
    "status",
    "service_date",
    "outstanding",
    "filing_deadline",
    "days_to_deadline",
)


def _fields(section: str, key: object, item: object, names: tuple) -> Iterator[tuple]:
    for name in names:
        yield section, key, name, getattr(item, name)


def rows(report: Report) -> Iterator[tuple]:
    """Every figure as ``(section, row, field, value)``."""
    yield "report", "", "as_of", report.as_of.isoformat()
    for month in report.collections_by_month:
        yield from _fields("collections_by_month", month.month, month, MONTH_FIELDS)
    yield from _fields("days_in_ar", "", report.days_in_ar, DAR_FIELDS)
    for aging in report.aging_by_payer:
        for name in BUCKETS:
            yield "aging_by_payer", aging.payer_id, name, aging.buckets[name]
        yield "aging_by_payer", aging.payer_id, "total", aging.total
    yield from _denial_rows("denials_by_payer", report.denials_by_payer)
    yield from _denial_rows("denials_by_provider", report.denials_by_provider)
    yield from _denial_rows("denials_by_procedure", report.denials_by_procedure)
    for patient in report.patient_balances:
        yield "patient_balances", patient.patient_id, "owed", patient.owed
    for claim in report.outstanding_claims:
        yield from _fields("outstanding_claims", claim.claim_id, claim, CLAIM_FIELDS)


def _cell(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def to_csv(report: Report) -> str:
    """The report as CSV with the columns section, row, field and value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "row", "field", "value"])
    for section, row, name, value in rows(report):
        writer.writerow([section, _cell(row), name, _cell(value)])
    return out.getvalue()


def _table(
    title: str,
    header: list[str],
    body: list[list[object]],
    note: tuple[str, ...] = (),
) -> list[str]:
    cells = [header, *[[_cell(v) or "-" for v in line] for line in body]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = [title, "=" * len(title), *note]
    for number, line in enumerate(cells):
        first, *rest = line
        text = first.ljust(widths[0]) + "".join(
            "  " + cell.rjust(width)
            for cell, width in zip(rest, widths[1:], strict=True)
        )
        lines.append(text.rstrip())
        if number == 0:
            lines.append("-" * len(lines[-1]))
    if not body:
        lines.append("(none)")
    return [*lines, ""]


def _denial_table(title: str, rates: list[DenialRate]) -> list[str]:
    return _table(
        title,
        ["key", "adjudicated", "denied", "rate %", "top reasons"],
        [
            [
                r.key,
                r.adjudicated,
                r.denied,
                r.rate,
                ", ".join(f"{x.code} x{x.count} ({x.amount})" for x in r.top_reasons),
            ]
            for r in rates
        ],
    )


def to_text(report: Report) -> str:
    """The report as aligned tables for a terminal."""
    dar = report.days_in_ar
    lines = [f"Ledger report as of {report.as_of.isoformat()}", ""]
    lines += _table(
        "Collections against charges by month of service",
        [
            "month",
            "charges",
            "payers",
            "patients",
            "adjusted",
            "collected",
            "collected %",
            "settled %",
            "cash in month",
        ],
        [
            [m.month, *(getattr(m, name) for name in MONTH_FIELDS)]
            for m in report.collections_by_month
        ],
        COLLECTIONS_NOTE,
    )
    lines += _table(
        "Days in A/R",
        ["A/R", "window days", "window charges", "days in A/R"],
        [[getattr(dar, name) for name in DAR_FIELDS]],
    )
    lines += _table(
        "A/R aging by payer (days from date of service)",
        ["payer", *BUCKETS, "total"],
        [
            [a.payer_id, *(a.buckets[b] for b in BUCKETS), a.total]
            for a in report.aging_by_payer
        ],
    )
    lines += _denial_table("Denial rate by payer", report.denials_by_payer)
    lines += _denial_table("Denial rate by provider", report.denials_by_provider)
    lines += _denial_table("Denial rate by procedure", report.denials_by_procedure)
    lines += _table(
        "Patient balances",
        ["patient id", "owed"],
        [[p.patient_id, p.owed] for p in report.patient_balances],
    )
    lines += _table(
        "Outstanding claims and filing deadlines",
        ["claim", "payer", "status", "service", "owed", "deadline", "days left"],
        [
            [c.claim_id, *(getattr(c, name) for name in CLAIM_FIELDS)]
            for c in report.outstanding_claims
        ],
    )
    return "\n".join(lines)
