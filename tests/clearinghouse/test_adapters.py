import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from clearinghouse_helpers import build_claim, interchange

from claimflow.clearinghouse import (
    ClearinghouseUnavailable,
    HttpClearinghouse,
    InboxEntry,
    InboxFileNotFound,
    MailboxClearinghouse,
    SubmissionOutcomeUnknown,
    SubmissionReceipt,
    SubmissionRejected,
    UnsupportedTransaction,
    open_clearinghouse,
)


def client_answering(handler):
    return HttpClearinghouse("http://sim.test", transport=httpx.MockTransport(handler))


def raising(error_type):
    def handler(request):
        raise error_type("boom", request=request)

    return handler


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        pytest.param(raising(httpx.ConnectError), ClearinghouseUnavailable, id="conn"),
        pytest.param(raising(httpx.ReadTimeout), SubmissionOutcomeUnknown, id="read"),
        pytest.param(
            raising(httpx.RemoteProtocolError), SubmissionOutcomeUnknown, id="dropped"
        ),
        pytest.param(lambda r: httpx.Response(503), ClearinghouseUnavailable, id="503"),
        pytest.param(
            lambda r: httpx.Response(422, json={"message": "bad batch"}),
            SubmissionRejected,
            id="422",
        ),
        pytest.param(
            lambda r: httpx.Response(202, text="not json"),
            SubmissionOutcomeUnknown,
            id="unreadable-receipt",
        ),
    ],
)
def test_submit_maps_failures(handler, expected):
    with client_answering(handler) as client, pytest.raises(expected):
        client.submit("ISA*...", "key-1")


def test_timeout_on_a_read_only_call_is_retryable():
    with client_answering(raising(httpx.ReadTimeout)) as client:
        with pytest.raises(ClearinghouseUnavailable):
            client.eligibility("ISA*...")


def test_rejection_carries_the_reason_and_one_log_line(caplog):
    def handler(request):
        assert request.headers["Idempotency-Key"] == "key-1"
        return httpx.Response(400, json={"error": "x", "message": "no GS"})

    caplog.set_level(logging.INFO, logger="claimflow.clearinghouse")
    with client_answering(handler) as client:
        with pytest.raises(SubmissionRejected) as raised:
            client.submit("ISA*MEMBER123", "key-1")

    assert raised.value.reason == "HTTP 400: no GS"
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1
    assert messages[0].startswith("clearinghouse POST /v1/submissions -> 400 in ")
    assert "MEMBER123" not in messages[0]


def test_mailbox_submits_once_per_key(tmp_path):
    mailbox = MailboxClearinghouse(tmp_path / "out", tmp_path / "in")
    text = interchange([build_claim(1, [("99213", "120.00")])])

    first = mailbox.submit(text, "batch-1")
    again = mailbox.submit("different text", "batch-1")

    assert first == SubmissionReceipt("batch-1.x12", duplicate=False)
    assert again == SubmissionReceipt("batch-1.x12", duplicate=True)
    assert (tmp_path / "out" / "batch-1.x12").read_text() == text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["batch-1.x12"]
    with pytest.raises(SubmissionRejected):
        mailbox.submit(text, "../escape")


def test_mailbox_inbox_lists_oldest_first_and_moves_on_acknowledge(tmp_path):
    mailbox = MailboxClearinghouse(tmp_path / "out", tmp_path / "in")
    inbox = tmp_path / "in"
    samples = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
    remit = samples / "835" / "pyx12-denied-three-lines.835"
    ack = samples / "999" / "ims-999-accepted.999"
    (inbox / "b.835").write_bytes(remit.read_bytes())
    (inbox / "a.999").write_bytes(ack.read_bytes())
    (inbox / ".partial").write_text("ISA")
    os.utime(inbox / "b.835", ns=(1_000_000_000, 1_000_000_000))
    os.utime(inbox / "a.999", ns=(2_000_000_000, 2_000_000_000))

    assert mailbox.list_inbox() == [
        InboxEntry("b.835", "835"),
        InboxEntry("a.999", "999"),
    ]
    assert mailbox.fetch("a.999") == ack.read_bytes()

    mailbox.acknowledge("b.835")
    mailbox.acknowledge("b.835")

    assert mailbox.list_inbox() == [InboxEntry("a.999", "999")]
    assert (inbox / "processed" / "b.835").read_bytes() == remit.read_bytes()
    with pytest.raises(InboxFileNotFound):
        mailbox.fetch("b.835")
    with pytest.raises(UnsupportedTransaction):
        mailbox.eligibility("ISA")


def test_open_clearinghouse_by_scheme(tmp_path):
    http = open_clearinghouse("http://127.0.0.1:8765", timeout=3)
    mailbox = open_clearinghouse(f"mailbox://{tmp_path}")

    assert isinstance(http, HttpClearinghouse)
    assert isinstance(mailbox, MailboxClearinghouse)
    assert mailbox.outbox == tmp_path / "outbox"
    assert mailbox.inbox == tmp_path / "inbox"
    with pytest.raises(ValueError):
        open_clearinghouse("ftp://example.invalid/")
    http.close()


def test_command_line_prints_its_url_and_serves(tmp_path):
    command = [
        sys.executable,
        "-m",
        "claimflow.clearinghouse.simulator",
        "--port",
        "0",
        "--data-dir",
        str(tmp_path),
    ]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/v1/health").json() == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(10)
