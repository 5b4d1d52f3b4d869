"""Errors the ledger raises."""


class LedgerError(Exception):
    """Base class of ledger errors."""


class NotFoundError(LedgerError, LookupError):
    """A claim, patient, submission, file or work item id that does not exist."""


class RemittanceHeldError(LedgerError, ValueError):
    """A CLP of an 835 that does not balance was asked to post."""
