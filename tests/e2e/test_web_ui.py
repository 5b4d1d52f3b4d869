"""The embedded dev server: search attributes registered, the Web UI filters claims.

Claim workflows are started with no worker, so they stay in ``intake`` with the search
attributes they start with; the test then asks the Web UI's own HTTP API (what the
browser's list page calls) and the client's visibility API for filtered lists.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import date
from decimal import Decimal

import httpx
import pytest
from temporalio.api.operatorservice.v1 import RemoveSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from claimflow.devserver import ensure_search_attributes, start_dev_server
from claimflow.messages import ClaimInput
from workflows.claim import ClaimWorkflow, initial_search_attributes
from workflows.search_attributes import ALL_KEYS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_dev_server(
        tmp_path_factory.mktemp("temporal"), port=free_port(), ui_port=free_port()
    )
    yield running
    running.stop()


async def ui_list(server, query: str) -> list[str]:
    """Workflow IDs the Web UI lists for a filter, once visibility has caught up."""
    url = f"{server.ui_url}/api/v1/namespaces/default/workflows"
    async with httpx.AsyncClient() as http:
        for _ in range(50):
            response = await http.get(url, params={"query": query})
            if response.status_code == 200:
                found = response.json().get("executions") or []
                if found:
                    return sorted(e["execution"]["workflowId"] for e in found)
            await asyncio.sleep(0.2)
    return []


@pytest.mark.e2e
async def test_every_search_attribute_is_registered_at_start(server):
    client = await Client.connect(server.address)
    assert await ensure_search_attributes(client) == []


@pytest.mark.e2e
async def test_a_missing_search_attribute_is_added_back(server):
    client = await Client.connect(server.address)
    await client.operator_service.remove_search_attributes(
        RemoveSearchAttributesRequest(
            namespace="default", search_attributes=["RulesetHash"]
        )
    )
    assert await ensure_search_attributes(client) == ["RulesetHash"]
    assert await ensure_search_attributes(client) == []
    assert len(ALL_KEYS) == 10


@pytest.mark.e2e
async def test_web_ui_lists_claims_filtered_by_status_and_payer(server):
    client = await Client.connect(
        server.address, data_converter=pydantic_data_converter
    )
    for claim_id, payer in [(901, "AETNA"), (902, "AETNA"), (903, "MEDICAID")]:
        inp = ClaimInput(
            claim_id=claim_id,
            payer_id=payer,
            billing_npi="1234567893",
            service_date=date(2026, 11, 20),
            billed=Decimal("100.00"),
        )
        await client.start_workflow(
            ClaimWorkflow.run,
            inp,
            id=f"claim-{claim_id}",
            task_queue="no-worker-here",
            search_attributes=initial_search_attributes(inp),
        )

    aetna = 'ClaimStatus = "intake" AND PayerId = "AETNA"'
    assert await ui_list(server, aetna) == ["claim-901", "claim-902"]
    assert await ui_list(server, 'PayerId = "MEDICAID"') == ["claim-903"]
    listed = [w.id async for w in client.list_workflows(aetna)]
    assert sorted(listed) == ["claim-901", "claim-902"]
    assert (await client.count_workflows('ClaimStatus = "intake"')).count == 3
    assert (await client.count_workflows('ClaimStatus = "closed"')).count == 0
