"""Encrypting payload codec, the data converter that uses it, and its codec server.

Workflow inputs, activity arguments and results, signals, queries, memos, summaries
and failure messages are encrypted with AES-256-GCM before they reach Temporal, so
its history holds no member ID or claim detail in clear text. Workflow IDs, task
queues and search attributes are never encoded: they carry no patient data by design.

The key comes from ``CLAIMFLOW_CODEC_KEY`` (32 bytes, base64) or, on a single machine,
from ``codec.key`` in the data folder, created on first use. Each payload names the
key it was sealed with (``encryption-key-id``), so keys can be rotated: add the new key
to the ring, make it current, keep the old one for reading.

The Web UI decodes payloads through ``serve_codec`` (``POST /decode``, ``POST /encode``,
CORS for the UI's origin), loopback only; put authentication in front of it anywhere
else, since it decrypts on request.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

logger = logging.getLogger(__name__)

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"


class CodecKeyError(RuntimeError):
    pass


def key_id(key: bytes) -> str:
    """A key's public name: the start of its SHA-256 (the key itself never leaves)."""
    return hashlib.sha256(key).hexdigest()[:12]


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole payload; the first key of the ring seals."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys or any(len(k) != 32 for k in keys):
            raise CodecKeyError("codec keys must be 32 bytes (AES-256)")
        self._current = keys[0]
        self._ring = {key_id(k): AESGCM(k) for k in keys}
        self._current_id = key_id(self._current)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._open(p) for p in payloads]

    def _seal(self, payload: Payload) -> Payload:
        nonce = os.urandom(12)
        sealed = self._ring[self._current_id].encrypt(
            nonce, payload.SerializeToString(), None
        )
        return Payload(
            metadata={
                "encoding": ENCODING,
                KEY_ID: self._current_id.encode(),
            },
            data=nonce + sealed,
        )

    def _open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption was on, or not ours
        name = payload.metadata.get(KEY_ID, b"").decode()
        cipher = self._ring.get(name)
        if cipher is None:
            raise CodecKeyError(f"payload sealed with unknown key {name!r}")
        plain = cipher.decrypt(payload.data[:12], payload.data[12:], None)
        return Payload.FromString(plain)


def load_keys(home: Path) -> list[bytes]:
    """The key ring: ``CLAIMFLOW_CODEC_KEY`` (comma-separated, current first) or a
    key file in the data folder, created with owner-only access when missing."""
    configured = os.environ.get("CLAIMFLOW_CODEC_KEY")
    if configured:
        return [base64.b64decode(k) for k in configured.split(",") if k.strip()]
    path = home / "codec.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(os.urandom(32)).decode())
    return [base64.b64decode(path.read_text().strip())]


def data_converter(home: Path) -> DataConverter:
    """Pydantic payloads, encrypted, with failure messages encrypted too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(load_keys(home)),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def _codec_handler(codec: EncryptionCodec, origins: set[str]) -> type:
    import asyncio

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            logger.debug("codec server: " + format, *args)

        def _cors(self) -> None:
            origin = self.headers.get("origin", "")
            if origin in origins:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Vary", "Origin")
            self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "content-type,x-namespace")

        def do_OPTIONS(self) -> None:  # noqa: N802 - http.server hook
            self.send_response(200)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802
            if self.path not in ("/encode", "/decode"):
                self.send_response(404)
                self._cors()
                self.end_headers()
                return
            length = int(self.headers.get("content-length", 0))
            work = codec.encode if self.path == "/encode" else codec.decode
            try:
                payloads = json_format.Parse(self.rfile.read(length), Payloads())
                result = asyncio.run(work(payloads.payloads))
            except Exception as err:  # a bad payload answers 400, never crashes
                body = json.dumps({"error": str(err)}).encode()
                self.send_response(400)
            else:
                body = json_format.MessageToJson(Payloads(payloads=result)).encode()
                self.send_response(200)
            self._cors()
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve_codec(
    home: Path, port: int = 0, ui_port: int = 8233, host: str = "127.0.0.1"
) -> tuple[ThreadingHTTPServer, str]:
    """Start the codec server in a thread; return it and its URL.

    Only the Web UI on ``ui_port`` (as 127.0.0.1 or localhost) may call it from a
    browser. It binds loopback unless ``host`` says otherwise (a container).
    """
    codec = EncryptionCodec(load_keys(home))
    origins = {f"http://{name}:{ui_port}" for name in ("127.0.0.1", "localhost")}
    server = ThreadingHTTPServer((host, port), _codec_handler(codec, origins))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
