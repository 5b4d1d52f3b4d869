"""The ``Ledger``: one class over one engine, assembled from small parts."""

from __future__ import annotations

from claimflow.ledger._batches import BatchMixin
from claimflow.ledger._claims import ClaimsMixin
from claimflow.ledger._cob import CobMixin
from claimflow.ledger._exchange import ExchangeMixin
from claimflow.ledger._money import MoneyMixin
from claimflow.ledger._parties import PartiesMixin
from claimflow.ledger._patients import PatientsMixin
from claimflow.ledger._provider import ProviderMixin
from claimflow.ledger._remit_views import RemittanceViewsMixin
from claimflow.ledger._remits import RemittanceMixin
from claimflow.ledger._work import WorkMixin


class Ledger(
    PartiesMixin,
    ClaimsMixin,
    ExchangeMixin,
    BatchMixin,
    RemittanceMixin,
    RemittanceViewsMixin,
    ProviderMixin,
    MoneyMixin,
    PatientsMixin,
    CobMixin,
    WorkMixin,
):
    """The claims database: parties, claims, exchanges and the money journal.

    Every public method runs in one transaction of its own and takes or returns
    domain models (``claimflow.models``) or the result models of
    ``claimflow.ledger.results``. Works on SQLite and PostgreSQL.

    Example:
        ledger = Ledger("sqlite:///claimflow.db")
        ledger.create_all()
    """
