"""Exceptions raised by the X12 codecs.

Every error says where the problem is (segment number counted from the ISA of the
file, segment ID, element position), the value found and what was expected, so a
person can find it in the file without the codec echoing whole segments.
"""

from __future__ import annotations


class X12Error(Exception):
    """Base class for X12 reading and writing problems."""

    def __init__(
        self,
        problem: str,
        *,
        segment_number: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        value: str | None = None,
        expected: str | None = None,
        code: str | None = None,
    ) -> None:
        self.problem = problem
        self.segment_number = segment_number
        self.segment_id = segment_id
        self.element = element
        self.value = value
        self.expected = expected
        # The 999's code for the problem when the reader knows it: IK502 for the
        # transaction set as a whole (ST/SE), IK403 for an element, IK304 for a
        # segment. None leaves the choice to the 999 writer.
        self.code = code
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.segment_number is not None:
            where.append(f"segment {self.segment_number}")
        if self.segment_id:
            where.append(self.segment_id)
        if self.element is not None:
            where.append(f"element {self.element:02d}")
        text = self.problem
        if where:
            text = f"{' '.join(where)}: {text}"
        if self.value is not None:
            text += f"; found {self.value!r}"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class X12SyntaxError(X12Error):
    """The text cannot be split into segments (delimiters, envelope header)."""


class X12StructureError(X12Error):
    """Segments are present but not in an order the reader can follow."""


class X12ValueError(X12Error):
    """An element holds a value of the wrong form (date, amount, code)."""


class X12BuildError(X12Error):
    """Our models lack something the implementation guide requires."""


class X12CodeError(X12BuildError, ValueError):
    """A value to write is not in its element's code list.

    It is a ValueError too: the model holds a value the guide has no code for,
    and the writer refuses it rather than send a file the receiver rejects.
    """
