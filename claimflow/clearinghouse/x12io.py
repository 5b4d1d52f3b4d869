"""Every call the payer simulator makes into ``claimflow.x12``, in one place.

The simulator answers as the clearinghouse ``CLAIMFLOWSIM``; each answer goes back
to the sender of the file it answers (ISA06), is stamped with a time taken from the
request or from the remittance (never the clock), and uses one number for its
ISA13, GS06 and ST02.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from claimflow.models import (
    Address,
    Claim,
    ClaimAcknowledgment,
    EligibilityInquiry,
    EligibilityResult,
    Remittance,
)
from claimflow.x12.batch import read_file, rejections
from claimflow.x12.envelope import Envelope
from claimflow.x12.errors import X12Error, X12StructureError  # noqa: F401
from claimflow.x12.segments import Segment, tokenize
from claimflow.x12.validate import X12Finding
from claimflow.x12.x270 import build_271, parse_270
from claimflow.x12.x277ca import build_277ca
from claimflow.x12.x835 import build_835
from claimflow.x12.x999 import build_999

SIMULATOR_ID = "CLAIMFLOWSIM"
SIMULATOR_NAME = "CLAIMFLOW PAYER SIMULATOR"
PAYER_ADDRESS = Address(
    line1="1 Simulation Way", city="Springfield", state="IL", zip="627010001"
)
PAYER_PHONE = "8005550100"


@dataclass(frozen=True)
class Inbound:
    """The envelope facts of a received file that its answers need.

    Attributes:
        text: the file as received.
        segments: its segments.
        sender_id: ISA06, the party answers go to.
        sender_name: 1000A NM1*41 submitter name, or the sender id.
        created: GS04 and GS05, the file's creation time.
    """

    text: str
    segments: list[Segment]
    sender_id: str
    sender_name: str
    created: datetime


def read_inbound(text: str) -> Inbound:
    """Read the envelope of a received file.

    Raises:
        X12Error: the text has no readable ISA and GS.
    """
    segments = tokenize(text)
    isa = segments[0]
    gs = next((s for s in segments if s.id == "GS"), None)
    if gs is None:
        raise X12StructureError("no GS segment", expected="ISA, GS, ST ... SE, GE, IEA")
    submitter = next((s for s in segments if s.id == "NM1" and s.get(1) == "41"), None)
    sender_id = isa.get(6).strip()
    stamp = gs.get(4) + (gs.get(5)[:4] or "0000")
    try:
        created = datetime.strptime(stamp, "%Y%m%d%H%M")
    except ValueError as error:
        raise gs.fail(4, "not a date and time", "CCYYMMDD and HHMM") from error
    return Inbound(
        text=text,
        segments=segments,
        sender_id=sender_id,
        sender_name=(submitter.get(3) if submitter else "") or sender_id,
        created=created,
    )


def read_submission(
    inbound: Inbound,
) -> tuple[list[Claim], dict[int, list[str | X12Finding]]]:
    """Read an 837 set by set: the claims of the good sets, the others' findings.

    Each transaction set is parsed and validated with pyx12 on its own, so one
    bad set costs only its own claims.

    Returns:
        The claims in file order, and the problems of each rejected set keyed by
        the position of its ST in the file (as ``build_999`` takes them).
    """
    result = read_file(inbound.text, "837", check_with_pyx12=True)
    return list(result.items), rejections(result)


def envelope(inbound: Inbound, number: int, created: datetime) -> Envelope:
    """The envelope of an answer to ``inbound``: one number for ISA13, GS06, ST02."""
    return Envelope(
        sender_id=SIMULATOR_ID,
        receiver_id=inbound.sender_id[:15] or "UNKNOWN",
        interchange_control_number=number,
        group_control_number=number,
        transaction_control_number=f"{number:04d}",
        created=created,
    )


def write_999(
    inbound: Inbound, findings: dict[int, list[str | X12Finding]], number: int
) -> str:
    """Acknowledge the received file: accepted, or rejected with its findings."""
    return build_999(inbound.text, findings, envelope(inbound, number, inbound.created))


def write_277ca(
    acks: list[ClaimAcknowledgment],
    claims: list[Claim],
    payer_name: str,
    payer_id: str,
    inbound: Inbound,
    number: int,
) -> str:
    """Write one payer's claim acknowledgments for the received file."""
    answer = envelope(inbound, number, inbound.created)
    return build_277ca(acks, claims, payer_name, payer_id, inbound.sender_name, answer)


def write_835(
    remittance: Remittance, inbound: Inbound, number: int, created: datetime
) -> str:
    """Write one remittance for the sender of the received file."""
    return build_835(
        remittance,
        envelope(inbound, number, created),
        payer_address=PAYER_ADDRESS,
        payer_phone=PAYER_PHONE,
    )


def originator_id(payer_id: str) -> str:
    """TRN03 of an 835: ``1`` and a nine-digit tax id, synthetic for each payer.

    The guide wants the payer's EIN there; the simulated payers have none, so a
    stable one is derived from the payer id.
    """
    digest = int(hashlib.sha256(payer_id.encode()).hexdigest(), 16)
    return f"1{digest % 1_000_000_000:09d}"


def read_270(inbound: Inbound) -> list[EligibilityInquiry]:
    """Read the inquiries of a 270 (raises ``X12Error``)."""
    return parse_270(inbound.text)


def write_271(
    result: EligibilityResult,
    inquiry: EligibilityInquiry,
    inbound: Inbound,
    number: int,
) -> str:
    """Answer one inquiry of a received 270."""
    return build_271(result, inquiry, envelope(inbound, number, inbound.created))
