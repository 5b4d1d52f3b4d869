"""The clearinghouse tests' fixtures (defined in clearinghouse_helpers)."""

from clearinghouse_helpers import make_claim, simulator

__all__ = ["make_claim", "simulator"]
