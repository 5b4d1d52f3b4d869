"""Temporal fixtures: one time-skipping test server for the session."""

from __future__ import annotations

import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from claimflow.devserver import find_binary
from workflows.search_attributes import ALL_KEYS


@pytest_asyncio.fixture
async def env():
    """A time-skipping test server per test, with our search attributes.

    One server per test keeps the clock honest: a server shared by several tests
    would skip time through timers that earlier tests left behind.
    """
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(find_binary("temporal-test-server")),
        data_converter=pydantic_data_converter,
    ) as environment:
        await environment.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace="default",
                search_attributes={
                    key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
                    for key in ALL_KEYS
                },
            )
        )
        yield environment
