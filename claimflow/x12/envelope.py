"""The ISA/GS/ST envelope and the writer that serialises segments.

Control numbers and the creation time are given by the caller: the ledger allocates
control numbers so that a file can be recognised when it comes back, and the clock
belongs to the activity, not to the codec.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimflow.x12.errors import X12BuildError

# An element is plain text or a composite given as a list of components.
Element = str | Sequence[str]
SegmentData = Sequence[Element]


class Envelope(BaseModel):
    """Who sends to whom, with which control numbers, and when."""

    model_config = ConfigDict(extra="forbid")

    sender_qualifier: str = "ZZ"
    sender_id: str = Field(min_length=1, max_length=15)
    receiver_qualifier: str = "ZZ"
    receiver_id: str = Field(min_length=1, max_length=15)
    interchange_control_number: int = Field(ge=1, le=999_999_999)  # ISA13
    group_control_number: int = Field(ge=1, le=999_999_999)  # GS06
    transaction_control_number: str = Field(min_length=4, max_length=9)  # ST02
    created: datetime
    usage: Literal["T", "P"] = "T"  # ISA15
    application_sender_code: str | None = None  # GS02; defaults to sender_id
    application_receiver_code: str | None = None  # GS03; defaults to receiver_id
    contact_name: str | None = None  # 837P 1000A PER02
    contact_phone: str | None = None  # 837P 1000A PER04
    line_break: str = "\n"  # written after each segment terminator

    @field_validator("transaction_control_number")
    @classmethod
    def _digits(cls, value: str) -> str:
        if not value.isalnum():
            raise ValueError("ST02 must be letters/digits")
        return value


def fmt_amount(value: Decimal) -> str:
    """Write a money amount with two places and no exponent (``-1.27``)."""
    return f"{value:.2f}"


def fmt_number(value: Decimal) -> str:
    """Write a quantity without trailing zeros or exponent (``1``, ``1.5``)."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def fmt_date(value: datetime | object) -> str:
    """Write a date as CCYYMMDD."""
    return value.strftime("%Y%m%d")  # type: ignore[attr-defined]


# Letters that Unicode does not decompose into a base letter and an accent.
_SPELLED_OUT = str.maketrans(
    {
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Œ": "OE",
        "œ": "oe",
        "ß": "ss",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Þ": "TH",
        "þ": "th",
    }
)


def to_x12_text(value: str) -> str:
    """Spell text in the characters X12 allows: accents dropped (``Víctor`` ->
    ``Victor``), anything else outside printable ASCII left out."""
    if value.isascii():
        return value
    decomposed = unicodedata.normalize("NFKD", value.translate(_SPELLED_OUT))
    return "".join(c for c in decomposed if c.isascii() and c.isprintable())


def check_text(value: str, what: str) -> str:
    """Spell text for X12 and refuse text that contains one of our delimiters."""
    value = to_x12_text(value)
    for char in "*:^~":
        if char in value:
            raise X12BuildError(
                f"{what} contains the delimiter {char!r}",
                value=value,
                expected="text without * : ^ ~",
            )
    return value


class Writer:
    """Collects segments of one transaction set and wraps them in the envelope."""

    def __init__(self, envelope: Envelope) -> None:
        self.envelope = envelope
        self.body: list[str] = []

    def add(self, seg_id: str, *elements: Element) -> None:
        """Append one segment; trailing empty elements and components are dropped."""
        parts = [seg_id] + [self._element(e) for e in elements]
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        self.body.append("*".join(parts))

    def service_period(self, claim) -> None:  # noqa: ANN001 - a models.Claim
        """DTP*472: the claim's date of service, or its span (RD8) over days."""
        if claim.from_date == claim.through_date:
            self.add("DTP", "472", "D8", fmt_date(claim.from_date))
        else:
            span = f"{fmt_date(claim.from_date)}-{fmt_date(claim.through_date)}"
            self.add("DTP", "472", "RD8", span)

    @staticmethod
    def _element(value: Element) -> str:
        if isinstance(value, str):
            return check_text(value, "element")
        parts = [check_text(v, "component") for v in value]
        while parts and parts[-1] == "":
            parts.pop()
        return ":".join(parts)

    def render(
        self,
        functional_id: str,
        transaction_code: str,
        version: str,
        *,
        write_st03: bool = True,
    ) -> str:
        """Return the whole interchange text: ISA, GS, ST, body, SE, GE, IEA.

        ``write_st03=False`` leaves ST03 out (pyx12's 835 map marks it not used).
        """
        return render_group(
            self.envelope,
            functional_id,
            version,
            [(transaction_code, self.envelope.transaction_control_number, self.body)],
            write_st03=write_st03,
        )


def render_group(
    env: Envelope,
    functional_id: str,
    version: str,
    sets: Sequence[tuple[str, str, Sequence[str]]],
    *,
    write_st03: bool = True,
) -> str:
    """Return one interchange holding one functional group of several sets.

    Args:
        env: Parties, interchange and group control numbers, time.
        functional_id: GS01.
        version: GS08 (and ST03 unless ``write_st03`` is false).
        sets: ``(ST01, ST02, body segments)`` per transaction set, each body
            as :class:`Writer` collects it (segments without terminators).
        write_st03: Write ST03.

    Returns:
        ISA, GS, every ST..SE, GE counting the sets, IEA.
    """
    created = env.created
    isa = "*".join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            env.sender_qualifier.ljust(2),
            env.sender_id.ljust(15),
            env.receiver_qualifier.ljust(2),
            env.receiver_id.ljust(15),
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            "^",
            "00501",
            f"{env.interchange_control_number:09d}",
            "0",
            env.usage,
            ":",
        ]
    )
    gs = "*".join(
        [
            "GS",
            functional_id,
            env.application_sender_code or env.sender_id,
            env.application_receiver_code or env.receiver_id,
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            str(env.group_control_number),
            "X",
            version,
        ]
    )
    segments = [isa, gs]
    for transaction_code, control, body in sets:
        st = f"ST*{transaction_code}*{control}"
        if write_st03:
            st += f"*{version}"
        segments += [st, *body, f"SE*{len(body) + 2}*{control}"]
    segments.append(f"GE*{len(sets)}*{env.group_control_number}")
    segments.append(f"IEA*1*{env.interchange_control_number:09d}")
    terminator = "~" + env.line_break
    return terminator.join(segments) + terminator
