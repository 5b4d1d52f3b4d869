"""835 health care claim payment/advice, implementation guide 005010X221A1."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from claimflow.models import (
    Address,
    Adjustment,
    ProviderAdjustment,
    RemitClaim,
    RemitLine,
    Remittance,
)
from claimflow.x12.envelope import Envelope, Writer, fmt_amount, fmt_date, fmt_number
from claimflow.x12.errors import X12BuildError, X12CodeError, X12StructureError
from claimflow.x12.segments import Segment, TransactionSet, read_transactions

VERSION = "005010X221A1"
_TRIPLES_PER_CAS = 6
_PAIRS_PER_PLB = 6

# The X221A1 code lists of the coded elements build_835 takes from the model.
# An 837's codes are not all 835 codes: CLP06 has no CI (commercial) or BL
# (Blue Cross), which claimflow.clearinghouse.plan_codes turns into ZZ.
CREDIT_DEBIT_FLAGS = frozenset({"C", "D"})  # BPR03
PAYMENT_METHODS = frozenset({"ACH", "BOP", "CHK", "FWT", "NON"})  # BPR04
CLAIM_STATUS_CODES = frozenset(
    {"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"}
)  # CLP02
CLAIM_FILING_INDICATORS = frozenset(
    {
        *("12", "13", "14", "15", "16", "17"),
        *("AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC"),
        "ZZ",
    }
)  # CLP06
ADJUSTMENT_GROUPS = frozenset({"CO", "OA", "PI", "PR"})  # CAS01
SERVICE_QUALIFIERS = frozenset(
    {"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UI", "WK"}
)  # SVC01-1
PROVIDER_ADJUSTMENT_REASONS = frozenset(
    {
        *("50", "51", "72", "90", "AH", "AM", "AP", "B2", "B3", "BD", "BN", "C5"),
        *("CR", "CS", "CT", "CV", "CW", "DM", "E3", "FB", "FC", "GO", "HM", "IP"),
        *("IR", "IS", "J1", "L3", "L6", "LE", "LS", "OA", "OB", "PI", "PL", "RA"),
        *("RE", "SL", "TL", "WO", "WU"),
    }
)  # PLB03-1 and its repeats


def build_835(
    remittance: Remittance,
    envelope: Envelope,
    *,
    payer_address: Address | None = None,
    payer_phone: str | None = None,
) -> str:
    """Write one remittance as an 835 transaction set (005010X221A1).

    Claim and line adjustments are written one CAS per group code, in order of
    first appearance, with at most six reason/amount/quantity triples per CAS.
    Provider-level adjustments are written as PLB segments per provider and fiscal
    period, six pairs each. All claims go under one LX. The payee is identified
    by NPI (N1*PE ... XX) when given. The patient name (NM1*QC) is written without
    a name: the model does not carry one and X221A1 makes it situational.

    Args:
        remittance: What to write; ``payer_id`` goes to TRN03 (the guide wants
            ``1`` followed by the payer's EIN there) and ``payment_date`` to BPR16.
        envelope: Control numbers, parties and time.
        payer_address: Written as the 1000A N3/N4 segments, which X221A1 requires.
        payer_phone: Written as PER*BL, which X221A1 requires.

    Returns:
        The interchange text.

    Raises:
        X12BuildError: No payment date, payer ID or payee identifier.
        X12CodeError: A coded value (BPR03, BPR04, CLP02, CLP06, CAS01,
            SVC01-1, PLB03-1) is not in the guide's list, or the required
            CLP06 is missing; it is a ValueError naming the element and the
            value.
    """
    r = remittance
    if r.payment_date is None or not r.payer_id:
        raise X12BuildError(
            "BPR16 and TRN03 are required",
            expected="Remittance.payment_date and payer_id",
        )
    w = Writer(envelope)
    method = r.payment_method or ("NON" if r.payment_amount == 0 else "CHK")
    handling = "H" if method == "NON" else "I"
    _coded("BPR", 3, r.credit_debit, CREDIT_DEBIT_FLAGS)
    _coded("BPR", 4, method, PAYMENT_METHODS)
    w.add(
        "BPR",
        handling,
        fmt_amount(r.payment_amount),
        r.credit_debit,
        method,
        *[""] * 11,
        fmt_date(r.payment_date),
    )
    w.add("TRN", "1", r.trace_number, r.payer_id)
    if r.production_date:
        w.add("DTM", "405", fmt_date(r.production_date))
    w.add("N1", "PR", r.payer_name)
    if payer_address is not None:
        w.add("N3", payer_address.line1)
        w.add("N4", payer_address.city, payer_address.state, payer_address.zip)
    if payer_phone:
        w.add("PER", "BL", "", "TE", payer_phone)
    if not r.payee_name:
        raise X12BuildError("N1*PE requires a payee name", expected="payee_name")
    if r.payee_npi:
        w.add("N1", "PE", r.payee_name, "XX", r.payee_npi)
    else:
        raise X12BuildError("N1*PE requires an identifier", expected="payee_npi")
    if r.claims:
        w.add("LX", "1")
    for claim in r.claims:
        _claim(w, claim)
    _plb(w, r.provider_adjustments)
    return w.render("HP", "835", VERSION, write_st03=False)


def _coded(
    segment: str,
    element: int,
    value: str,
    codes: frozenset[str],
    claim: str | None = None,
) -> None:
    """Refuse a value its element's code list does not have.

    ``claim`` is the patient control number of the CLP loop being written, so
    the error says which claim of the remittance holds the value.
    """
    if value in codes:
        return
    on_claim = f" (claim {claim})" if claim else ""
    raise X12CodeError(
        f"not a code of {segment}{element:02d} in the 835 ({VERSION}){on_claim}",
        segment_id=segment,
        element=element,
        value=value,
        expected=", ".join(sorted(codes)),
    )


def _claim(w: Writer, claim: RemitClaim) -> None:
    pcn = claim.patient_control_number
    _coded("CLP", 2, claim.status_code, CLAIM_STATUS_CODES, pcn)
    _coded("CLP", 6, claim.filing_indicator or "", CLAIM_FILING_INDICATORS, pcn)
    for adjustment in claim.adjustments:
        _coded("CAS", 1, adjustment.group, ADJUSTMENT_GROUPS, pcn)
    for line in claim.lines:
        _coded("SVC", 1, line.qualifier, SERVICE_QUALIFIERS, pcn)
        for adjustment in line.adjustments:
            _coded("CAS", 1, adjustment.group, ADJUSTMENT_GROUPS, pcn)
    w.add(
        "CLP",
        claim.patient_control_number,
        claim.status_code,
        fmt_amount(claim.charge),
        fmt_amount(claim.paid),
        fmt_amount(claim.patient_responsibility)
        if claim.patient_responsibility
        else "",
        claim.filing_indicator or "",
        claim.payer_claim_number or "",
        claim.facility_type_code or "",
    )
    _cas(w, claim.adjustments)
    w.add("NM1", "QC", "1")
    if claim.remarks:
        w.add("MOA", "", "", *claim.remarks[:5])
    if claim.service_from:
        w.add("DTM", "232", fmt_date(claim.service_from))
    if claim.service_through:
        w.add("DTM", "233", fmt_date(claim.service_through))
    for line in claim.lines:
        w.add(
            "SVC",
            [line.qualifier, line.procedure, *line.modifiers],
            fmt_amount(line.charge),
            fmt_amount(line.paid),
            line.revenue_code or "",
            fmt_number(line.units) if line.units is not None else "",
        )
        if line.service_date:
            w.add("DTM", "472", fmt_date(line.service_date))
        _cas(w, line.adjustments)
        if line.line_control_number:
            w.add("REF", "6R", line.line_control_number)
        for remark in line.remarks:
            w.add("LQ", "HE", remark)


def _cas(w: Writer, adjustments: list[Adjustment]) -> None:
    by_group: OrderedDict[str, list[Adjustment]] = OrderedDict()
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    for group, items in by_group.items():
        for start in range(0, len(items), _TRIPLES_PER_CAS):
            triples: list[str] = []
            for item in items[start : start + _TRIPLES_PER_CAS]:
                quantity = (
                    fmt_number(item.quantity) if item.quantity is not None else ""
                )
                triples += [item.reason, fmt_amount(item.amount), quantity]
            w.add("CAS", group, *triples)


def _plb(w: Writer, adjustments: list[ProviderAdjustment]) -> None:
    by_key: OrderedDict[tuple, list[ProviderAdjustment]] = OrderedDict()
    for item in adjustments:
        if item.fiscal_period is None:
            raise X12BuildError("PLB02 fiscal period is required", segment_id="PLB")
        by_key.setdefault((item.provider_id, item.fiscal_period), []).append(item)
    for item in adjustments:
        _coded("PLB", 3, item.reason, PROVIDER_ADJUSTMENT_REASONS)
    for (provider, period), items in by_key.items():
        for start in range(0, len(items), _PAIRS_PER_PLB):
            pairs: list = []
            for item in items[start : start + _PAIRS_PER_PLB]:
                pairs += [[item.reason, item.reference or ""], fmt_amount(item.amount)]
            w.add("PLB", provider, fmt_date(period), *pairs)


# --------------------------------------------------------------------------- reading


def parse_835(text: str) -> list[Remittance]:
    """Read every 835 transaction set in ``text``, one Remittance per ST.

    Amounts are Decimals exactly as sent (negative amounts, reversals with CLP02
    22 and zero payments included); nothing is re-balanced. The payer ID is REF*2U
    of the payer loop when present, otherwise TRN03.

    Args:
        text: One or more interchanges.

    Returns:
        The remittances in file order.

    Raises:
        X12Error: The text cannot be tokenized, or an element we read is
            malformed (an amount that is not a number, a bad date).
    """
    return [_remittance(t) for t in read_transactions(text, "835")]


def _remittance(t: TransactionSet) -> Remittance:
    header: dict = {}
    claims: list[RemitClaim] = []
    plb: list[ProviderAdjustment] = []
    claim: RemitClaim | None = None
    line: RemitLine | None = None
    party = ""
    for s in t.body:
        sid = s.id
        if sid == "BPR":
            header.update(
                payment_amount=s.amount(2),
                credit_debit=s.get(3) or "C",
                payment_method=s.get(4) or None,
                payment_date=s.date(16) if s.get(16) else None,
            )
        elif sid == "TRN" and claim is None:
            header.update(trace_number=s.get(2), trn03=s.get(3))
        elif sid == "DTM" and s.get(1) == "405" and claim is None:
            header["production_date"] = s.date(2)
        elif sid == "N1" and claim is None:
            party = s.get(1)
            if party == "PR":
                header["payer_name"] = s.get(2)
            elif party == "PE":
                header["payee_name"] = s.get(2)
                if s.get(3) == "XX":
                    header["payee_npi"] = s.get(4)
        elif sid == "REF" and claim is None and party == "PR" and s.get(1) == "2U":
            header["payer_id"] = s.get(2)
        elif sid == "CLP":
            claim = _clp(s)
            claims.append(claim)
            line = None
        elif sid == "SVC" and claim is not None:
            line = _svc(s)
            claim.lines.append(line)
        elif sid == "CAS" and claim is not None:
            target = line.adjustments if line is not None else claim.adjustments
            target.extend(_adjustments(s))
        elif sid == "DTM" and claim is not None:
            _dates(s, claim, line)
        elif sid == "REF" and line is not None and s.get(1) == "6R":
            line.line_control_number = s.get(2)
        elif sid == "LQ" and line is not None:
            line.remarks.append(s.get(2))
        elif sid in ("MOA", "MIA") and claim is not None:
            positions = (3, 4, 5, 6, 7) if sid == "MOA" else (5, 20, 21, 22, 23)
            claim.remarks.extend(s.get(p) for p in positions if s.get(p))
        elif sid == "PLB":
            plb.extend(_plb_pairs(s))
            claim, line = None, None
    if "payment_amount" not in header or "trace_number" not in header:
        raise X12StructureError(
            "835 without BPR or TRN",
            segment_number=t.st.number,
            segment_id="ST",
            element=2,
            value=t.st.get(2),
            expected="BPR and TRN in the header",
        )
    trn03 = header.pop("trn03", None)
    header.setdefault("payer_id", trn03 or None)
    header.setdefault("payer_name", "")
    gs06 = t.gs.get(6)
    return Remittance(
        interchange_control_number=t.interchange_control_number or None,
        group_control_number=gs06 or None,
        transaction_control_number=t.st.get(2),
        claims=claims,
        provider_adjustments=plb,
        **header,
    )


def _clp(s: Segment) -> RemitClaim:
    return RemitClaim(
        patient_control_number=s.get(1),
        status_code=s.get(2),
        charge=s.amount(3),
        paid=s.amount(4),
        patient_responsibility=s.amount(5) if s.get(5) else Decimal("0.00"),
        filing_indicator=s.get(6) or None,
        payer_claim_number=s.get(7) or None,
        facility_type_code=s.get(8) or None,
    )


def _svc(s: Segment) -> RemitLine:
    parts = s.components(1)
    return RemitLine(
        qualifier=parts[0] if parts[0] in ("NU", "AD") else "HC",
        procedure=parts[1] if len(parts) > 1 else "",
        revenue_code=s.get(4) or None,
        modifiers=[m for m in parts[2:6] if m],
        charge=s.amount(2),
        paid=s.amount(3),
        units=s.amount(5) if s.get(5) else None,
    )


def _adjustments(s: Segment) -> list[Adjustment]:
    found = []
    for first in range(2, 20, 3):
        reason = s.get(first)
        if not reason:
            continue
        found.append(
            Adjustment(
                group=s.get(1),
                reason=reason,
                amount=s.amount(first + 1),
                quantity=s.optional_amount(first + 2),
            )
        )
    return found


def _dates(s: Segment, claim: RemitClaim, line: RemitLine | None) -> None:
    qualifier = s.get(1)
    if line is not None and qualifier in ("472", "150"):
        line.service_date = s.date(2)
    elif line is None and qualifier == "232":
        claim.service_from = s.date(2)
    elif line is None and qualifier == "233":
        claim.service_through = s.date(2)


def _plb_pairs(s: Segment) -> list[ProviderAdjustment]:
    found = []
    for first in range(3, 15, 2):
        if not s.get(first):
            continue
        found.append(
            ProviderAdjustment(
                provider_id=s.get(1),
                fiscal_period=s.date(2) if s.get(2) else None,
                reason=s.component(first, 1),
                reference=s.component(first, 2) or None,
                amount=s.amount(first + 1),
            )
        )
    return found
