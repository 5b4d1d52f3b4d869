"""The search attributes ops staff filter claims by in the Temporal Web UI.

None of them identifies a patient: statuses, payer and provider identifiers, dates of
service, amounts in cents, denial codes and the pinned ruleset hash.
"""

from temporalio.common import SearchAttributeKey

CLAIM_STATUS = SearchAttributeKey.for_keyword("ClaimStatus")
PAYER_ID = SearchAttributeKey.for_keyword("PayerId")
BILLING_NPI = SearchAttributeKey.for_keyword("BillingNpi")
SERVICE_DATE = SearchAttributeKey.for_datetime("ServiceDate")
FILING_DEADLINE = SearchAttributeKey.for_datetime("FilingDeadline")
BILLED_CENTS = SearchAttributeKey.for_int("BilledCents")
BALANCE_CENTS = SearchAttributeKey.for_int("BalanceCents")
DENIAL_CODES = SearchAttributeKey.for_keyword_list("DenialCodes")
NEEDS_ATTENTION = SearchAttributeKey.for_bool("NeedsAttention")
RULESET_HASH = SearchAttributeKey.for_keyword("RulesetHash")

ALL_KEYS = (
    CLAIM_STATUS,
    PAYER_ID,
    BILLING_NPI,
    SERVICE_DATE,
    FILING_DEADLINE,
    BILLED_CENTS,
    BALANCE_CENTS,
    DENIAL_CODES,
    NEEDS_ATTENTION,
    RULESET_HASH,
)

# The type names `temporal server start-dev --search-attribute` expects.
CLI_TYPE_NAMES = {
    "KEYWORD": "Keyword",
    "TEXT": "Text",
    "INT": "Int",
    "FLOAT": "Double",
    "BOOL": "Bool",
    "DATETIME": "Datetime",
    "KEYWORD_LIST": "KeywordList",
}
