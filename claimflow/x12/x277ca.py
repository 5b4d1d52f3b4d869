"""277CA claim acknowledgment, implementation guide 005010X214."""

from __future__ import annotations

from claimflow.models import AckKind, Claim, ClaimAcknowledgment
from claimflow.x12.envelope import Envelope, Writer, fmt_amount, fmt_date
from claimflow.x12.errors import X12BuildError
from claimflow.x12.segments import Segment, read_transactions

VERSION = "005010X214"
ACCEPTED_CATEGORIES = frozenset({"A0", "A1", "A2", "A5"})


def build_277ca(
    acks: list[ClaimAcknowledgment],
    claims: list[Claim],
    payer_name: str,
    payer_id: str,
    receiver_name: str,
    envelope: Envelope,
) -> str:
    """Write claim acknowledgments as a 277CA (005010X214).

    One 2000D patient loop per acknowledgment, under the billing provider of the
    claim it answers (matched by patient control number), with TRN*2 carrying
    CLM01, STC (``A2:20`` accepted, ``A3:21`` rejected unless the ack gives
    codes), REF*1K with the payer claim number when accepted, and DTP*472 with the
    service dates. The provider loop (2200C) carries TRN*1 with the billing NPI
    as its trace. The provider-level STC (2200C) is not written: the guide
    makes it situational, for a status about the provider as a whole (our map
    follows the guide there; pyx12's own map required it).

    Args:
        acks: Claim-level outcomes (``kind`` 277CA) with patient control numbers.
        claims: The claims acknowledged, to find patient, provider and charges.
        payer_name: 2100A information source name.
        payer_id: 2100A payer ID (NM1*PR ... PI).
        receiver_name: 2100B information receiver (the submitter) name; its ID is
            ``envelope.receiver_id``.
        envelope: Control numbers and parties.

    Returns:
        The interchange text.

    Raises:
        X12BuildError: An acknowledgment names a claim that is not given.
    """
    by_pcn = {c.patient_control_number: c for c in claims}
    pairs = []
    for ack in acks:
        claim = by_pcn.get(ack.patient_control_number or "")
        if claim is None:
            raise X12BuildError(
                "acknowledgment for an unknown claim",
                value=ack.patient_control_number,
                expected="a claim with that patient control number",
            )
        pairs.append((ack, claim))
    day = fmt_date(envelope.created)
    w = Writer(envelope)
    control = envelope.transaction_control_number
    w.add("BHT", "0085", "08", control, day, envelope.created.strftime("%H%M"), "TH")
    w.add("HL", "1", "", "20", "1")
    w.add("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id)
    w.add("TRN", "1", control)
    w.add("DTP", "050", "D8", day)
    w.add("DTP", "009", "D8", day)
    w.add("HL", "2", "1", "21", "1")
    w.add("NM1", "41", "2", receiver_name, "", "", "", "", "46", envelope.receiver_id)
    w.add("TRN", "2", control)
    total = sum((c.total_charge for _, c in pairs), start=claims[0].total_charge * 0)
    accepted = [c for a, c in pairs if a.accepted]
    w.add("STC", ["A1", "20"], day, "WQ", fmt_amount(total))
    w.add("QTY", "90", str(len(accepted)))
    if len(accepted) < len(pairs):
        w.add("QTY", "AA", str(len(pairs) - len(accepted)))
    w.add(
        "AMT",
        "YU",
        fmt_amount(sum((c.total_charge for c in accepted), start=total * 0)),
    )
    rejected_total = total - sum((c.total_charge for c in accepted), start=total * 0)
    if len(accepted) < len(pairs):
        w.add("AMT", "YY", fmt_amount(rejected_total))
    hl = 2
    providers: dict[str, int] = {}
    for ack, claim in pairs:
        npi = claim.billing_provider.npi
        if npi not in providers:
            hl += 1
            providers[npi] = hl
            w.add("HL", str(hl), "2", "19", "1")
            provider = claim.billing_provider
            w.add(
                "NM1",
                "85",
                "2" if provider.is_organization else "1",
                provider.name.partition(", ")[0],
                "",
                "",
                "",
                "",
                "XX",
                npi,
            )
            w.add("TRN", "1", npi)
        hl += 1
        w.add("HL", str(hl), str(providers[npi]), "PT")
        patient = claim.patient
        w.add(
            "NM1",
            "QC",
            "1",
            patient.last_name,
            patient.first_name,
            "",
            "",
            "",
            "MI",
            claim.coverage.member_id,
        )
        w.add("TRN", "2", claim.patient_control_number)
        codes = ack.status_codes or (["A2:20"] if ack.accepted else ["A3:21"])
        stc: list = [
            codes[0].split(":"),
            day,
            "WQ" if ack.accepted else "U",
            fmt_amount(claim.total_charge),
        ]
        if len(codes) > 1:
            stc += ["", "", "", "", ""] + [c.split(":") for c in codes[1:3]]
        w.add("STC", *stc)
        if ack.accepted and ack.payer_claim_number:
            w.add("REF", "1K", ack.payer_claim_number)
        w.service_period(claim)
    return w.render("HN", "277", VERSION)


def parse_277ca(text: str) -> list[ClaimAcknowledgment]:
    """Read the claim-level outcomes of every 277CA in ``text``.

    One acknowledgment per patient loop (HL code PT): the patient control number
    from TRN02, the payer claim number from REF*1K, status codes from STC01, STC10
    and STC11 written with ``:`` between parts whatever the file's component
    separator (``A7:562:85``). ``accepted`` is true when the first status
    category is A0, A1, A2 or A5. STC12 free text becomes ``message``.

    Args:
        text: One or more interchanges.

    Returns:
        Acknowledgments in file order.
    """
    acks: list[ClaimAcknowledgment] = []
    for t in read_transactions(text, "277"):
        current: ClaimAcknowledgment | None = None
        for s in t.body:
            if s.id == "HL":
                current = None
                if s.get(3) == "PT":
                    current = ClaimAcknowledgment(
                        kind=AckKind.CLAIM_277CA, accepted=False
                    )
                    acks.append(current)
            elif current is None:
                continue
            elif s.id == "TRN" and current.patient_control_number is None:
                current.patient_control_number = s.get(2)
            elif s.id == "REF" and s.get(1) == "1K":
                current.payer_claim_number = s.get(2)
            elif s.id == "STC" and not current.status_codes:
                _read_stc(current, s)
    return acks


def _read_stc(ack: ClaimAcknowledgment, s: Segment) -> None:
    codes = [":".join(p for p in s.components(pos) if p) for pos in (1, 10, 11)]
    ack.status_codes = [c for c in codes if c]
    ack.accepted = s.component(1, 1) in ACCEPTED_CATEGORIES
    ack.message = s.get(12)
