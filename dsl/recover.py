"""Keep checking a file that has a syntax error.

A syntax error stops the LALR parser inside one block, but the analyst wants every
mistake of the file in one run: a misspelled field three blocks further down should
not wait for the next `rules check`. So the file is cut at its top-level blocks (a
line that starts, unindented, with a word that opens a block or a header line), each
block is parsed on its own, and the blocks that parse are put back together, with
the others blanked out line for line so that positions stay the same. That text is
checked as usual; the file itself is never compiled.

What a left-out block declares (a route, a gateway, a data alias, a section such as
`timely filing`) is remembered, so the checks do not report it as missing: the
syntax error already says what is wrong there.

A block is not always lost whole: when blanking the line the parser stopped at (and
then the next one it stops at, a few times) makes the block parse, the rest of the
block goes back in, so a misspelled field two lines below a misspelled keyword is
reported in the same run. What the blanked lines said is then missing from the
block, so the checks that would only echo that (an edit without `severity`, a
field read outside the `for each` that was blanked) are not reported for it
(:data:`ECHO_CODES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lark import Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from dsl.errors import Diagnostic
from dsl.parser import get_parser, parse_text

# Words that start a top-level item when they begin an unindented line.
_TOP_WORDS = {
    "ruleset",
    "library",
    "payer",
    "version",
    "effective",
    "replaces",
    "use",
    "timely",
    "eligibility",
    "edit",
    "disable",
    "override",
    "after",
    "gateway",
    "denial",
    "route",
    "test",
}
_ALIAS = re.compile(r"\bas\s+([a-z_][a-z0-9_]*)\s*$")
# How many lines of one block may be blanked before it is left out whole.
_MAX_BLANKED = 5
# Diagnostics that, inside a repaired block, may only echo a blanked line.
ECHO_CODES = {"incomplete-edit", "field-out-of-scope"}


@dataclass
class Block:
    """Lines ``first``..``last`` (1-based, inclusive) of one top-level item."""

    first: int
    last: int
    word: str
    head: str

    def declares(self) -> str:
        """What leaving this block out hides: ``route:fix``, ``alias:tele``..."""
        words = self.head.split()
        if self.word in ("route", "gateway") and len(words) > 1:
            return f"{self.word}:{words[1]}"
        alias = _ALIAS.search(self.head.split("#")[0])
        if self.word == "use" and alias:
            return f"alias:{alias.group(1)}"
        return f"section:{self.word}"


@dataclass
class Recovered:
    """The checkable part of a file with syntax errors.

    Attributes:
        tree: The parse tree of the blocks that parse (``None`` when the file
            cannot be cut into blocks that way).
        diagnostics: Syntax errors of blocks the whole-file parse did not reach.
        cut: What the left-out blocks declare (see :meth:`Block.declares`).
        repaired: ``(first, last)`` lines of the blocks kept with lines blanked.
    """

    tree: Tree | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cut: set[str] = field(default_factory=set)
    repaired: list[tuple[int, int]] = field(default_factory=list)

    def echoes(self, diag: Diagnostic) -> bool:
        """True for a check that may only repeat what a blanked line said."""
        return diag.code in ECHO_CODES and any(
            first <= diag.line <= last for first, last in self.repaired
        )


def blocks(lines: list[str]) -> list[Block]:
    """Cut a file into top-level blocks at unindented lines that start one."""
    found: list[Block] = []
    for number, line in enumerate(lines, 1):
        words = line.split("#")[0].split()
        if line[:1].isalpha() and words[0] in _TOP_WORDS:
            word = words[0]
            if found:
                found[-1].last = number - 1
            found.append(Block(number, len(lines), word, line))
    return found


def _parses(text: str) -> bool:
    return _stop_line(text) is None


def _stop_line(text: str) -> int | None:
    """The line the parser stops at, ``0`` at the end of the text, ``None`` when
    the text parses."""
    try:
        get_parser().parse(text)
    except UnexpectedToken as err:
        return 0 if err.token.type == "$END" else err.line
    except UnexpectedInput as err:
        return err.line
    return None


def _repair(body: list[str], first: int) -> list[str] | None:
    """The block's lines with the ones the parser stops at blanked, when that
    makes it parse; ``None`` when it does not, or when the stop is on the
    block's first line or its `end` (the block itself is broken there)."""
    body = list(body)
    for _ in range(_MAX_BLANKED):
        stop = _stop_line("\n" * (first - 1) + "\n".join(body) + "\n")
        if stop is None:
            return body
        index = stop - first
        if stop == 0 or not 0 < index < len(body) - 1:
            return None
        body[index] = ""
    return None


def recover(text: str, display: str, syntax: list[Diagnostic]) -> Recovered:
    """Parse the blocks of a file that failed to parse as a whole.

    Args:
        text: The file's text.
        display: The file name shown in messages.
        syntax: The whole-file parse's diagnostics; a block that has none of them
            but does not parse gets its own (the whole-file parse stops at an
            unclosed block, so later blocks are not reached).

    Returns:
        What could be recovered.
    """
    lines = text.splitlines()
    parts = blocks(lines)
    if not parts:
        return Recovered(None)
    kept = [""] * len(lines)  # lines before the first block hold only comments
    result = Recovered(None)
    for index, block in enumerate(parts):
        body = lines[block.first - 1 : block.last]
        padded = "\n" * (block.first - 1) + "\n".join(body) + "\n"
        if _parses(padded):
            kept[block.first - 1 : block.last] = body
            continue
        result.cut.add(block.declares())
        if not any(block.first <= d.line <= block.last for d in syntax):
            nxt = parts[index + 1] if index + 1 < len(parts) else None
            # The first error only: what the parser says after it has skipped a
            # token is more likely an echo than a mistake.
            first = parse_text(padded, display)[1][:1]
            result.diagnostics += [_before_next(d, nxt) for d in first]
        repaired = _repair(body, block.first)
        if repaired is not None:
            kept[block.first - 1 : block.last] = repaired
            result.repaired.append((block.first, block.last))
    joined = "\n".join(kept) + "\n"
    try:
        result.tree = get_parser().parse(joined)
    except UnexpectedInput:  # blocks that parse alone always parse together
        result.tree = None
    return result


def _before_next(diag: Diagnostic, nxt: Block | None) -> Diagnostic:
    """A block parsed alone ends at the end of its text, not of the file."""
    if diag.code != "unclosed-block" or nxt is None:
        return diag
    return replace(diag, hint=f"Add `end` before `{nxt.word}` on line {nxt.first}.")
