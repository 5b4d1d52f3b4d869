"""X12 5010 codecs: tokenizer, envelope writer, builders, parsers, validation.

Every builder takes our domain models plus an :class:`Envelope` and returns the
interchange text; every parser takes text and returns models. Validation wraps
pyx12 and reports findings located by segment number.
"""

from claimflow.x12.batch import (
    AcceptedTransaction,
    ReadResult,
    RejectedTransaction,
    acknowledge,
    read_file,
)
from claimflow.x12.cob import build_secondary_claim, merge_cas
from claimflow.x12.detect import detect
from claimflow.x12.envelope import Envelope
from claimflow.x12.errors import (
    X12BuildError,
    X12CodeError,
    X12Error,
    X12StructureError,
    X12SyntaxError,
    X12ValueError,
)
from claimflow.x12.intake837 import Intake837, read_837_file
from claimflow.x12.segments import Delimiters, Segment, TransactionSet, tokenize
from claimflow.x12.ta1 import InterchangeAck, parse_ta1
from claimflow.x12.validate import ValidationReport, X12Finding, validate
from claimflow.x12.x270 import build_270, build_271, parse_270, parse_271
from claimflow.x12.x276 import ClaimStatus, build_276, parse_277
from claimflow.x12.x277ca import build_277ca, parse_277ca
from claimflow.x12.x835 import build_835, parse_835
from claimflow.x12.x837d import build_837d
from claimflow.x12.x837i import build_837i
from claimflow.x12.x837p import build_837p, parse_837
from claimflow.x12.x999 import build_999, parse_999

__all__ = [
    "AcceptedTransaction",
    "Intake837",
    "ReadResult",
    "RejectedTransaction",
    "acknowledge",
    "build_secondary_claim",
    "merge_cas",
    "read_837_file",
    "read_file",
    "ClaimStatus",
    "InterchangeAck",
    "Delimiters",
    "Envelope",
    "Segment",
    "TransactionSet",
    "ValidationReport",
    "X12BuildError",
    "X12CodeError",
    "X12Error",
    "X12Finding",
    "X12StructureError",
    "X12SyntaxError",
    "X12ValueError",
    "build_270",
    "build_271",
    "build_276",
    "build_277ca",
    "build_835",
    "build_837d",
    "build_837i",
    "build_837p",
    "build_999",
    "detect",
    "parse_270",
    "parse_271",
    "parse_277",
    "parse_277ca",
    "parse_835",
    "parse_837",
    "parse_999",
    "parse_ta1",
    "tokenize",
    "validate",
]
