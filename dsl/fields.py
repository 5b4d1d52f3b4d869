"""The fixed field schema that rule files may read, mapped onto the shared models.

Analysts cannot invent fields: the checker rejects any path not listed here and
suggests the nearest real one. Each field has a type, which decides how literals
compared with it are parsed and validated (a procedure literal must look like a
CPT/HCPCS code, a money literal is a Decimal, and so on).

A getter returns ``None`` when the value is missing; conditions treat a missing
value as making any comparison false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from claimflow.models import (
    Claim,
    EligibilityResult,
    RemitClaim,
    ServiceLine,
)

# Field types. "list:" types hold several values of the named kind.
DATE, MONEY, NUMBER, TEXT, BOOL = "date", "money", "number", "text", "bool"
PROCEDURE, MODIFIER, POS, ICD10, NPI, SEX, REVENUE, BILL_TYPE = (
    "procedure",
    "modifier",
    "pos",
    "icd10",
    "npi",
    "sex",
    "revenue",
    "bill_type",
)


@dataclass
class Env:
    """What one evaluation may read: a claim snapshot and explicit dates only."""

    claim: Claim
    eligibility: EligibilityResult | None = None
    checked_on: date | None = None
    as_of: date | None = None
    line: ServiceLine | None = None
    other: ServiceLine | None = None
    diagnosis: str | None = None
    remit: RemitClaim | None = None
    expected_amount: Decimal | None = None


@dataclass(frozen=True)
class Field:
    """One readable field: its path, type, the subject it needs and its getter."""

    path: str
    type: str
    getter: Callable[[Env], Any]
    needs: str = "claim"  # claim | line | other | diagnosis | remit
    code: str | None = None  # how generated scrub code reads it (dsl.codegen)


def _blank(value: str | None) -> str | None:
    return value if value else None


def _age(env: Env) -> int:
    born, on = env.claim.patient.birth_date, env.claim.from_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _plan_type(env: Env) -> str | None:
    if env.eligibility is not None and env.eligibility.plan_type:
        return env.eligibility.plan_type
    return env.claim.coverage.plan_type


def _checked_days_ago(env: Env) -> int | None:
    if env.checked_on is None or env.as_of is None:
        return None
    return (env.as_of - env.checked_on).days


def denied_lines(remit: RemitClaim) -> int:
    """Count remittance lines the payer denied (``RemitLine.is_denied``).

    A claim-level denial (status 4) without line detail counts as one line. A
    secondary's line that the earlier payer settled (CARC 23 and PR only) is
    not a denied line.
    """
    if remit.lines:
        return sum(1 for ln in remit.lines if ln.is_denied())
    return 1 if remit.status_code == "4" else 0


def _line_fields(root: str) -> list[Field]:
    subject_of = attrgetter(root)
    name = "L" if root == "line" else "O"

    def get(attr: str) -> Callable[[Env], Any]:
        read = attrgetter(attr)

        def getter(env: Env) -> Any:
            subject = subject_of(env)
            return None if subject is None else read(subject)

        return getter

    return [
        Field(
            f"{root}.number", NUMBER, get("line_number"), root, f"{name}.line_number"
        ),
        Field(
            f"{root}.procedure", PROCEDURE, get("procedure"), root, f"{name}.procedure"
        ),
        Field(
            f"{root}.modifiers",
            "list:" + MODIFIER,
            get("modifiers"),
            root,
            f"{name}.modifiers",
        ),
        Field(
            f"{root}.revenue_code",
            REVENUE,
            get("revenue_code"),
            root,
            f"{name}.revenue_code",
        ),
        Field(f"{root}.units", NUMBER, get("units"), root, f"{name}.units"),
        Field(f"{root}.charge", MONEY, get("charge"), root, f"{name}.charge"),
        Field(
            f"{root}.pos",
            POS,
            get("place_of_service"),
            root,
            f"{name}.place_of_service",
        ),
        Field(
            f"{root}.service_date",
            DATE,
            get("service_date"),
            root,
            f"{name}.service_date",
        ),
        Field(
            f"{root}.diagnosis_pointers",
            "list:" + NUMBER,
            get("diagnosis_pointers"),
            root,
            f"{name}.diagnosis_pointers",
        ),
    ]


def _type_of_bill(env: Env) -> str | None:
    """Facility type code plus claim frequency (837I CLM05-1 and CLM05-3)."""
    facility = env.claim.facility_type_code
    return f"{facility}{env.claim.frequency_code}" if facility else None


def _remit(attr: Callable[[RemitClaim], Any]) -> Callable[[Env], Any]:
    return lambda env: None if env.remit is None else attr(env.remit)


def _rendering_npi(env: Env) -> str | None:
    provider = env.claim.rendering_provider
    return _blank(provider.npi) if provider is not None else None


def _coverage_active(env: Env) -> bool | None:
    return None if env.eligibility is None else env.eligibility.active


_ALL = [
    Field("claim.from_date", DATE, lambda env: env.claim.from_date),
    Field("claim.through_date", DATE, lambda env: env.claim.through_date),
    Field("claim.total_charge", MONEY, lambda env: env.claim.total_charge),
    Field("claim.diagnoses", "list:" + ICD10, lambda env: env.claim.diagnoses),
    Field("claim.rendering_npi", NPI, _rendering_npi),
    Field("claim.billing_npi", NPI, lambda env: _blank(env.claim.billing_provider.npi)),
    Field("claim.ordering_npi", NPI, lambda env: _blank(env.claim.ordering_npi)),
    Field("claim.prior_auth_number", TEXT, lambda e: _blank(e.claim.prior_auth_number)),
    Field("claim.frequency_code", TEXT, lambda env: env.claim.frequency_code),
    Field("claim.kind", TEXT, lambda env: env.claim.kind),
    Field("claim.facility_type", TEXT, lambda e: _blank(e.claim.facility_type_code)),
    Field("claim.type_of_bill", BILL_TYPE, _type_of_bill),
    Field("claim.statement_from", DATE, lambda env: env.claim.statement_from),
    Field("claim.statement_through", DATE, lambda env: env.claim.statement_through),
    Field("claim.expected_amount", MONEY, lambda env: env.expected_amount),
    *_line_fields("line"),
    *_line_fields("other"),
    Field("diagnosis", ICD10, lambda env: env.diagnosis, "diagnosis", "D"),
    Field("patient.age", NUMBER, _age),
    Field("patient.sex", SEX, lambda env: env.claim.patient.sex),
    Field("patient.zip", TEXT, lambda env: _blank(env.claim.patient.address.zip)),
    Field("patient.birth_date", DATE, lambda env: env.claim.patient.birth_date),
    Field("member.id", TEXT, lambda env: _blank(env.claim.coverage.member_id)),
    Field("coverage.active", BOOL, _coverage_active),
    Field("coverage.plan_type", TEXT, _plan_type),
    Field("coverage.checked_days_ago", NUMBER, _checked_days_ago),
    Field("remit.status", TEXT, _remit(lambda r: r.status_code), "remit"),
    Field("remit.paid_amount", MONEY, _remit(lambda r: r.paid), "remit"),
    Field(
        "remit.patient_responsibility",
        MONEY,
        _remit(lambda r: r.patient_responsibility),
        "remit",
    ),
    Field("remit.denied_lines", NUMBER, _remit(denied_lines), "remit"),
    Field("remit.charge", MONEY, _remit(lambda r: r.charge), "remit"),
]

FIELDS: dict[str, Field] = {f.path: f for f in _ALL}


def fields_of(root: str) -> list[str]:
    """Names of the fields under ``root`` (``line`` gives ``number, procedure, ...``).

    Args:
        root: The part before the dot.

    Returns:
        Field names in schema order.
    """
    return [p.split(".", 1)[1] for p in FIELDS if p.startswith(root + ".")]


def roots() -> list[str]:
    """Every field root, in schema order, without repeats."""
    seen: dict[str, None] = {}
    for path in FIELDS:
        seen.setdefault(path.split(".", 1)[0], None)
    return list(seen)
