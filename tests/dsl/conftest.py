"""Fixtures for the payer-rule language tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dsl_helpers import SHIPPED


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A rules folder with the shipped libraries, tables and code sets, no payers."""
    for name in ("shared", "tables", "codesets"):
        shutil.copytree(SHIPPED / name, tmp_path / name)
    return tmp_path
