"""The encrypting payload codec, its key ring and the codec server the UI calls."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from claimflow.codec import (
    CodecKeyError,
    EncryptionCodec,
    data_converter,
    key_id,
    load_keys,
    serve_codec,
)
from claimflow.models import EligibilityResult

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))


def plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_sealed_payloads_hide_their_content_and_open_again():
    codec = EncryptionCodec([KEY_A])
    original = plain('{"member_id":"SYN123456789"}')

    [sealed] = await codec.encode([original])
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert sealed.metadata["encryption-key-id"] == key_id(KEY_A).encode()
    assert b"SYN123456789" not in sealed.data
    assert await codec.decode([sealed]) == [original]


async def test_rotation_reads_old_payloads_and_seals_with_the_new_key():
    [old] = await EncryptionCodec([KEY_A]).encode([plain("42")])
    rotated = EncryptionCodec([KEY_B, KEY_A])

    assert await rotated.decode([old]) == [plain("42")]
    [new] = await rotated.encode([plain("43")])
    assert new.metadata["encryption-key-id"] == key_id(KEY_B).encode()
    with pytest.raises(CodecKeyError, match="unknown key"):
        await EncryptionCodec([KEY_A]).decode([new])


async def test_unencrypted_payloads_pass_through():
    payload = plain('"written before encryption"')
    assert await EncryptionCodec([KEY_A]).decode([payload]) == [payload]


def test_keys_come_from_the_environment_or_a_private_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMFLOW_CODEC_KEY", raising=False)
    first = load_keys(tmp_path)
    assert load_keys(tmp_path) == first and len(first[0]) == 32
    assert oct((tmp_path / "codec.key").stat().st_mode & 0o777) == "0o600"

    ring = ",".join(base64.b64encode(k).decode() for k in (KEY_B, KEY_A))
    monkeypatch.setenv("CLAIMFLOW_CODEC_KEY", ring)
    assert load_keys(tmp_path) == [KEY_B, KEY_A]


async def test_the_converter_round_trips_models_through_encryption(tmp_path):
    converter = data_converter(tmp_path)
    result = EligibilityResult(
        active=True,
        member_id="SYN123456789",
        payer_id="MEDICAID",
        service_date=date(2026, 11, 20),
        copay=Decimal("25.00"),
    )
    [encoded] = await converter.encode([result])
    assert b"SYN123456789" not in encoded.SerializeToString()
    [decoded] = await converter.decode([encoded], [EligibilityResult])
    assert decoded == result


def test_codec_server_decodes_for_the_web_ui_only(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMFLOW_CODEC_KEY", base64.b64encode(KEY_A).decode())
    server, url = serve_codec(tmp_path, ui_port=8233)
    try:
        import asyncio

        [sealed] = asyncio.run(EncryptionCodec([KEY_A]).encode([plain('"hello"')]))
        body = json_format.MessageToJson(Payloads(payloads=[sealed]))
        answer = httpx.post(
            f"{url}/decode",
            content=body,
            headers={"origin": "http://127.0.0.1:8233", "x-namespace": "default"},
        )
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
        decoded = json_format.Parse(answer.content, Payloads()).payloads
        assert decoded[0].data == b'"hello"'

        stranger = httpx.post(
            f"{url}/decode", content=body, headers={"origin": "http://evil.test"}
        )
        assert "access-control-allow-origin" not in stranger.headers
        broken = httpx.post(f"{url}/decode", content=json.dumps({"payloads": [1]}))
        assert broken.status_code == 400
    finally:
        server.shutdown()
        server.server_close()
