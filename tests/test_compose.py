"""docker-compose.yml: no Docker engine runs here, so check what can be checked."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_parses_and_every_reference_is_defined():
    compose = load()
    services = compose["services"]
    assert set(services) == {
        "postgresql",
        "ledger-db",
        "temporal",
        "temporal-setup",
        "temporal-ui",
        "simulator",
        "worker",
        "codec",
    }
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in compose["volumes"], f"{name} mounts unknown {source}"


def test_compose_registers_every_search_attribute_the_workflows_use():
    from workflows.search_attributes import ALL_KEYS, CLI_TYPE_NAMES

    command = " ".join(load()["services"]["temporal-setup"]["command"])
    for key in ALL_KEYS:
        kind = CLI_TYPE_NAMES[key.indexed_value_type.name]
        assert f"{key.name}={kind}" in command


def test_ui_decodes_through_the_codec_server_with_the_workers_key():
    services = load()["services"]
    assert services["temporal-ui"]["environment"]["TEMPORAL_CODEC_ENDPOINT"] == (
        "http://localhost:8081"
    )
    key = services["worker"]["environment"]["CLAIMFLOW_CODEC_KEY"]
    assert key == services["codec"]["environment"]["CLAIMFLOW_CODEC_KEY"]
    assert key.startswith("${CLAIMFLOW_CODEC_KEY:?")


def test_worker_service_points_at_the_stack():
    env = load()["services"]["worker"]["environment"]
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["CLAIMFLOW_CLEARINGHOUSE_URL"] == "http://simulator:8765"
    assert (ROOT / "Dockerfile").exists()
