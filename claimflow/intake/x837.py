"""Intake of 837P/837I/837D files from a practice-management system.

``claimflow intake 837 FILE`` reads the file transaction by transaction, puts every
readable claim in the ledger (with its patient, providers, payer and coverage) and
starts its workflow. A transaction that cannot be read is kept verbatim in the ledger's
quarantine with its reason and a work item, and a 999 answers the file: accepted sets,
rejected sets with the segment that failed. Reading the same file again creates
nothing new: claims are keyed by billing NPI, CLM01 and date of service.

Professional, institutional and dental claims all start their workflows: the
submission activities send each on its own 837 (837P, 837I, 837D). A claim whose
payer has no ruleset starts too, and its workflow holds it at the scrub with a
work item in Payer-Setup until the rules are published, so nothing is done
twice here. Two kinds of claim are held at intake instead, each with a work item
naming the inbound file that holds it as received:

* a claim whose CLM02 is not the sum of its line charges (the guides require
  them equal): the ledger bills the lines, and a person decides which amount the
  practice meant rather than claimflow guessing (:data:`CHARGE_QUEUE`);
* a claim the 837 builder of its kind refuses, which could never be sent as it
  is (for instance a billing provider ZIP code without its four-digit
  extension): :data:`MANUAL_SUBMISSION_QUEUE`, with the builder's reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from claimflow import x12
from claimflow.ledger import Ledger
from claimflow.models import Claim
from claimflow.x12.forms import FORMS, build_837
from claimflow.x12.totals import ChargeMismatch, charge_mismatches

QUARANTINE_QUEUE = "EDI-Support"
MANUAL_SUBMISSION_QUEUE = "Billing-Manual-Submission"
CHARGE_QUEUE = "Billing-Corrections"
RECEIVER_ID = "CLAIMFLOW"


@dataclass
class Intake837Report:
    """What one 837 file gave the ledger."""

    file_id: int
    claim_ids: list[int] = field(default_factory=list)  # workflows to start
    held: list[int] = field(default_factory=list)  # stored, for a person first
    hold_reasons: dict[int, str] = field(default_factory=dict)  # by claim id
    rejected: list[str] = field(default_factory=list)  # reasons, file order
    acknowledgment: Path | None = None  # None when no 999 could be written
    # When the same bytes were read before: when the first copy came in
    # (``file_id`` is then that copy's id, and nothing new was stored).
    first_received: datetime | None = None


def _key(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


def store_claim(ledger: Ledger, claim: Claim) -> int:
    """Put a claim read from an 837 in the ledger, once; return its id."""
    coverage = claim.coverage
    ledger.upsert_payer(
        coverage.payer_id, coverage.payer_name, coverage.payer_id, coverage.plan_type
    )
    ledger.upsert_provider(claim.billing_provider)
    if claim.rendering_provider is not None:
        ledger.upsert_provider(claim.rendering_provider)
    patient = claim.patient
    # The person is keyed by what the 837 says about them, hashed: no name,
    # member ID or birth date leaves the patients table.
    patient_id = ledger.upsert_patient(
        "837:"
        + _key(
            coverage.payer_id,
            coverage.member_id,
            patient.last_name,
            patient.first_name,
            patient.birth_date,
        ),
        patient.first_name,
        patient.last_name,
        patient.birth_date,
        patient.sex,
        patient.address,
    )
    ledger.add_coverage(patient_id, coverage)
    stored = claim.model_copy(
        update={"patient": patient.model_copy(update={"patient_id": patient_id})}
    )
    encounter_key = "837:" + _key(
        claim.billing_provider.npi, claim.patient_control_number, claim.from_date
    )
    return ledger.create_claim(encounter_key, stored)


def intake_837(ledger: Ledger, path: Path, outbox: Path) -> Intake837Report:
    """Read one 837 file into the ledger and answer it with a 999.

    Args:
        ledger: Where claims, the raw file and any quarantine go.
        path: The file as the practice system dropped it.
        outbox: Folder the 999 is written to (``<file name>.999``).

    Returns:
        The claim ids created (or found from an earlier read) whose workflows
        are to start, the ids of claims held for a person with why, the
        reasons of the rejected transactions, and the 999's path.
    """
    content = path.read_bytes()
    text = content.decode("utf-8", errors="replace")
    file_id, repeat = ledger.store_inbound_file(path.name, "837", content)
    first_received = ledger.inbound_file(file_id).received_at if repeat else None
    numbers = ledger.allocate_control_numbers()
    envelope = x12.Envelope(
        sender_id=RECEIVER_ID,
        receiver_id="SUBMITTER",
        interchange_control_number=int(numbers.interchange),
        group_control_number=int(numbers.group),
        transaction_control_number=numbers.transaction,
        created=datetime.now(UTC),
    )
    try:
        # The 999 and the intake agree: a set pyx12 rejects is not billed.
        answer, read = x12.acknowledge(text, envelope)
    except x12.X12Error as err:
        _quarantine(ledger, file_id, path.name, str(err))
        return Intake837Report(
            file_id=file_id, rejected=[str(err)], first_received=first_received
        )
    report = Intake837Report(file_id=file_id, first_received=first_received)
    mismatches = {m.patient_control_number: m for m in charge_mismatches(text)}
    for claim in read.items:
        claim_id = store_claim(ledger, claim)
        mismatch = mismatches.get(claim.patient_control_number)
        if mismatch is not None:
            _hold_for_total(ledger, report, claim_id, mismatch, file_id)
            continue
        refused = _unwritable(ledger.get_claim(claim_id), envelope)
        if refused is not None:
            form = FORMS[claim.kind]
            _hold(
                ledger,
                report,
                claim_id,
                MANUAL_SUBMISSION_QUEUE,
                f"{form} claim {claim_id} to submit by hand",
                f"claimflow cannot write this claim on an {form} ({refused}); it "
                f"is in the ledger but no workflow will send it. The {form} as "
                f"received is inbound file {file_id}.",
                f"manual-submission-{claim_id}",
            )
            continue
        report.claim_ids.append(claim_id)
    for rejected in read.rejected:
        report.rejected.append(rejected.reason)
        _quarantine(
            ledger,
            file_id,
            f"{path.name} ST02 {rejected.transaction_control_number}",
            _naming_claims(rejected),
            rejected.text.encode(),
        )
    outbox.mkdir(parents=True, exist_ok=True)
    report.acknowledgment = outbox / f"{path.name}.999"
    report.acknowledgment.write_text(answer)
    return report


def _naming_claims(rejected: x12.RejectedTransaction) -> str:
    """The reason a set was refused, then the claims it held (CLM01 as sent).

    None of those claims reached the ledger; the list tells a person which
    claims to correct and send again without reading the raw set.
    """
    numbers = rejected.patient_control_numbers
    if not numbers:
        return f"{rejected.reason}; the set held no claim (no CLM)"
    return (
        f"{rejected.reason}; claims not received (patient control numbers): "
        + ", ".join(numbers)
    )


def _unwritable(claim: Claim, envelope: x12.Envelope) -> str | None:
    """Why the 837 builder of the claim's kind refuses it, or None.

    A trial write, never sent: the submitter's phone belongs to the submission
    and is not known here, so a placeholder stands in and only the claim's own
    values are judged.
    """
    trial = envelope.model_copy(update={"contact_phone": "0000000000"})
    try:
        build_837([claim], trial, claim.billing_provider, RECEIVER_ID, RECEIVER_ID)
    except x12.X12Error as err:
        return str(err)
    return None


def _hold_for_total(
    ledger: Ledger,
    report: Intake837Report,
    claim_id: int,
    mismatch: ChargeMismatch,
    file_id: int,
) -> None:
    _hold(
        ledger,
        report,
        claim_id,
        CHARGE_QUEUE,
        f"Claim {claim_id}: total charge differs from its lines",
        f"{mismatch}. The ledger bills the lines ({mismatch.line_total}); no "
        f"workflow starts until a person confirms the amount with the practice. "
        f"The 837 as received is inbound file {file_id}.",
        f"charge-mismatch-{claim_id}",
    )


def _hold(
    ledger: Ledger,
    report: Intake837Report,
    claim_id: int,
    queue: str,
    title: str,
    reason: str,
    key: str,
) -> None:
    report.held.append(claim_id)
    report.hold_reasons[claim_id] = title
    ledger.create_work_item(claim_id, queue, title, reason, None, key)


def _quarantine(
    ledger: Ledger, file_id: int, what: str, reason: str, text: bytes | None = None
) -> None:
    if text is not None:
        file_id, _ = ledger.store_inbound_file(what, "837-rejected", text)
    ledger.quarantine_file(file_id, reason)
    ledger.create_work_item(
        None,
        QUARANTINE_QUEUE,
        f"837 {what} quarantined",
        reason[:500],
        None,
        f"quarantine-837-{file_id}",
    )
