from datetime import date
from decimal import Decimal

import httpx
import pytest
from clearinghouse_helpers import (
    ROSTER,
    build_claim,
    eligibility_inquiry,
    envelope,
    interchange,
)

from claimflow.clearinghouse import (
    ClearinghouseUnavailable,
    HttpClearinghouse,
    InboxFileNotFound,
    SubmissionRejected,
)
from claimflow.clearinghouse.simulator import start_simulator
from claimflow.x12 import (
    build_270,
    build_276,
    parse_271,
    parse_277,
    parse_277ca,
    parse_835,
    parse_999,
    validate,
)

D = Decimal


def inbox_texts(client):
    return [
        (entry.kind, client.fetch(entry.name).decode()) for entry in client.list_inbox()
    ]


def stats(server):
    return httpx.get(f"{server.url}/v1/stats").json()


def test_submission_queues_999_then_277ca_then_balanced_835(simulator):
    server, client = simulator
    claims = [
        build_claim(1, [("99213", "120.00"), ("85025", "35.00")]),
        build_claim(5, [("99214", "180.00"), ("99211", "45.00")]),
    ]

    receipt = client.submit(interchange(claims), "batch-2026-03-05-medicaid")

    assert receipt.duplicate is False
    files = inbox_texts(client)
    assert [kind for kind, _ in files] == ["999", "277CA", "835"]
    (ack,) = parse_999(files[0][1])
    assert ack.accepted and ack.transaction_control_number == "0001"
    acks = parse_277ca(files[1][1])
    assert [(a.patient_control_number, a.status_codes[0]) for a in acks] == [
        ("C1V1", "A2:20"),
        ("C5V1", "A2:20"),
    ]
    (remittance,) = parse_835(files[2][1])
    assert validate(files[2][1]).ok
    assert remittance.payment_amount == D("150.75")
    assert remittance.payment_date == date(2026, 3, 5)
    assert remittance.payment_amount == sum(c.paid for c in remittance.claims)
    first, second = remittance.claims
    assert (first.patient_control_number, first.status_code, first.paid) == (
        "C1V1",
        "1",
        D("69.75"),
    )
    assert second.lines[1].line_control_number == "C5V1L2"
    assert [(a.group, a.reason, a.amount) for a in second.lines[1].adjustments] == [
        ("CO", "97", D("45.00"))
    ]
    for claim in remittance.claims:
        total = sum(a.amount for a in claim.all_adjustments())
        assert claim.charge - claim.paid == total
    counted = {name: count for name, count in stats(server).items() if count}
    assert counted == {
        "submissions": 1,
        "claims_received": 2,
        "claims_accepted": 2,
        "claims_adjudicated": 2,
        "claims_paid": 2,
        "remittances": 1,
    }
    assert stats(server)["rejected_syntax"] == 0


def test_repeated_key_returns_first_receipt_and_queues_nothing(simulator):
    server, client = simulator
    text = interchange([build_claim(1, [("99213", "120.00")])])

    first = client.submit(text, "key-1")
    again = client.submit(text, "key-1")

    assert again.receipt_id == first.receipt_id
    assert (first.duplicate, again.duplicate) == (False, True)
    assert len(client.list_inbox()) == 3
    assert stats(server)["submissions"] == 1
    assert stats(server)["duplicates"] == 1


def test_unknown_or_inactive_member_is_rejected_on_the_277ca(simulator):
    _, client = simulator
    claims = [
        build_claim(2, [("99213", "90.00")], member_id="NOSUCH"),
        build_claim(3, [("99213", "90.00")], payer_id="MEDICARE", member_id="MBR0002"),
    ]

    client.submit(interchange(claims), "rejects")

    files = inbox_texts(client)
    # one 277CA per payer, and no 835 since nothing was accepted
    assert [kind for kind, _ in files] == ["999", "277CA", "277CA"]
    acks = parse_277ca(files[1][1]) + parse_277ca(files[2][1])
    assert [(a.accepted, a.status_codes[0]) for a in acks] == [
        (False, "A7:33"),
        (False, "A7:97"),
    ]


def test_syntax_failure_queues_a_rejecting_999(simulator):
    server, client = simulator
    text = interchange([build_claim(1, [("99213", "120.00")])])
    broken = text.replace("CLM*C1V1*120.00*", "CLM*C1V1*ABC*")

    client.submit(broken, "broken")

    files = inbox_texts(client)
    assert [kind for kind, _ in files] == ["999"]
    (ack,) = parse_999(files[0][1])
    assert ack.accepted is False
    assert "CLM" in ack.message
    assert stats(server)["rejected_syntax"] == 1
    assert stats(server)["claims_received"] == 0


def test_scenarios_override_the_seeded_mix(simulator):
    _, client = simulator
    claims = [build_claim(n, [("99213", "100.00")]) for n in (1, 2, 3, 4, 13)]
    behaviours = {
        "C1V1": "no_ack",
        "C2V1": "no_response",
        "C3V1": "deny:CO:29",
        "C4V1": "reject_277ca",
        "C13V1": "partial_pr:12.50",
    }
    response = httpx.put(f"{client.base_url}/v1/scenarios", json=behaviours)
    assert response.json() == {"scenarios": 5}

    client.submit(interchange(claims), "scenarios")

    files = inbox_texts(client)
    assert [kind for kind, _ in files] == ["999", "277CA", "835"]
    acks = parse_277ca(files[1][1])
    assert [(a.patient_control_number, a.status_codes[0]) for a in acks] == [
        ("C2V1", "A2:20"),
        ("C3V1", "A2:20"),
        ("C4V1", "A7:21"),
        ("C13V1", "A2:20"),
    ]
    (remittance,) = parse_835(files[2][1])
    summary = [
        (c.patient_control_number, c.status_code, c.paid, c.patient_responsibility)
        for c in remittance.claims
    ]
    assert summary == [
        ("C3V1", "4", D("0.00"), D("0.00")),
        ("C13V1", "1", D("32.50"), D("12.50")),
    ]


def test_bad_scenario_is_refused(simulator):
    _, client = simulator

    response = httpx.put(f"{client.base_url}/v1/scenarios", json={"C1V1": "maybe"})

    assert response.status_code == 400
    assert response.json()["error"] == "scenarios"


@pytest.mark.parametrize(
    ("payer_id", "member_id", "active", "rejection"),
    [
        pytest.param("MEDICAID", "MBR0001", True, None, id="active"),
        pytest.param("MEDICARE", "MBR0002", False, None, id="ended"),
        pytest.param("MEDICAID", "NOSUCH", False, "72", id="unknown"),
    ],
)
def test_eligibility_from_the_roster(simulator, payer_id, member_id, active, rejection):
    _, client = simulator
    inquiry = eligibility_inquiry("T0001", payer_id, member_id)

    (result,) = parse_271(client.eligibility(build_270(inquiry, envelope(7))))

    assert (result.active, result.rejection_code) == (active, rejection)


def test_roster_replaced_over_http(simulator):
    _, client = simulator
    inquiry = eligibility_inquiry("T0002", "HUMANA", "NEW1")
    roster = [*ROSTER, {"member_id": "NEW1", "payer_id": "HUMANA"}]

    response = httpx.put(f"{client.base_url}/v1/roster", json=roster)
    (result,) = parse_271(client.eligibility(build_270(inquiry, envelope(8))))

    assert response.json() == {"members": 4}
    assert result.active is True
    assert result.copay == D("25.00")


def test_claim_status_reports_paid_and_not_found(simulator):
    _, client = simulator
    paid = build_claim(1, [("99213", "120.00")])
    never_sent = build_claim(99, [("99213", "50.00")])
    client.submit(interchange([paid]), "status")

    answers = [
        parse_277(client.claim_status(build_276(claim, envelope(9), "CLINIC", "X")))[0]
        for claim in (paid, never_sent)
    ]

    assert [(a.patient_control_number, a.status_codes[0]) for a in answers] == [
        ("C1V1", "F1:65"),
        ("C99V1", "A4:35"),
    ]
    assert (answers[0].paid, answers[0].status_date) == (D("54.00"), date(2026, 3, 5))


def test_inbox_fetch_delete_and_errors(simulator):
    _, client = simulator
    client.submit(interchange([build_claim(1, [("99213", "120.00")])]), "k")
    first = client.list_inbox()[0]

    client.acknowledge(first.name)
    client.acknowledge(first.name)

    assert [entry.kind for entry in client.list_inbox()] == ["277CA", "835"]
    with pytest.raises(InboxFileNotFound):
        client.fetch(first.name)
    with pytest.raises(SubmissionRejected, match="idempotency key"):
        client.submit("ISA*", " ")
    response = httpx.post(f"{client.base_url}/v1/submissions", content=b"ISA*")
    assert (response.status_code, response.json()["error"]) == (400, "idempotency-key")
    with pytest.raises(SubmissionRejected, match="unreadable X12"):
        client.submit("not x12 at all", "garbage")


def test_state_survives_a_restart(tmp_path):
    text = interchange([build_claim(1, [("99213", "120.00")])])
    server, thread = start_simulator(tmp_path, 0)
    with HttpClearinghouse(server.url) as client:
        httpx.put(f"{server.url}/v1/roster", json=ROSTER)
        receipt = client.submit(text, "restart")
    server.shutdown()
    server.server_close()
    thread.join(5)

    server, thread = start_simulator(tmp_path, 0)
    try:
        with HttpClearinghouse(server.url) as client:
            again = client.submit(text, "restart")
            kinds = [entry.kind for entry in client.list_inbox()]
            other = client.submit(
                interchange([build_claim(2, [("99213", "9")])], 2), "b"
            )
            names = [entry.name for entry in client.list_inbox()]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

    assert (again.receipt_id, again.duplicate) == (receipt.receipt_id, True)
    assert kinds == ["999", "277CA", "835"]
    assert other.receipt_id == "R0000002"
    assert names[3:] == [
        "00000004-R0000002.999",
        "00000005-R0000002.277ca",
        "00000006-R0000002.835",
    ]


def test_nothing_listening_is_unavailable():
    with HttpClearinghouse("http://127.0.0.1:9", timeout=2) as client:
        with pytest.raises(ClearinghouseUnavailable):
            client.submit("ISA", "k")
