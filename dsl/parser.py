"""Parse rule files with the LALR grammar and turn syntax errors into plain advice."""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from dsl.errors import Diagnostic

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")

# Words that open a block closed by `end`, at the top level or nested.
_TOP_OPENERS = {
    "edit",
    "route",
    "test",
    "gateway",
    "eligibility",
    "timely",
    "after",
    "denial",
    "override",
}
_NESTED_OPENERS = {"wait", "task"}
_STARTERS = _TOP_OPENERS | {"disable", "use", "ruleset", "payer", "version", "library"}
_UNITS = {"day", "days", "business_day", "business_days", "month", "months"}
_NAMED = {
    "DATE": "a date like 2026-01-01",
    "USDATE": "a date like 2026-01-01",
    "CODE": "a code or number",
    "NAME": "a lower-case name",
    "STRING": 'text in "double quotes"',
    "PATH": "a field such as line.procedure",
    "RULE_ID": "an edit ID such as ELIG-01",
    "QUALIFIED_ID": "a library edit ID such as basics.DUP-01",
    "TABLE_RULE": "a |---| line",
    "$END": "the end of the file",
}


def build_parser(strict: bool = False, cached: bool = False) -> Lark:
    """Build the LALR parser from ``grammar.lark``.

    Args:
        strict: Raise on any shift/reduce conflict or terminal collision (CI uses it).
        cached: Keep the built tables in lark's cache file (in the temporary
            directory, named after a hash of the grammar and lark's version), so
            the next process loads them instead of building them again.

    Returns:
        A ``Lark`` instance with positions propagated to ``Tree.meta``.
    """
    return Lark(
        GRAMMAR_PATH.read_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        strict=strict,
        cache=cached,
    )


@cache
def get_parser() -> Lark:
    """The shared parser, built once per process (from lark's cache when there)."""
    return build_parser(cached=True)


@cache
def _keywords() -> dict[str, str]:
    """Terminal name -> keyword text, for every literal word in the grammar."""
    return {
        t.name: t.pattern.value
        for t in get_parser().terminals
        if isinstance(t.pattern, PatternStr)
    }


def parse_text(text: str, display: str) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse one file's text, collecting every syntax error instead of the first.

    Args:
        text: The file's content.
        display: The file name to show in messages.

    Returns:
        ``(tree, [])`` on success, else ``(None, diagnostics)``.
    """
    lines = text.splitlines()
    found: list[Diagnostic] = []
    stop = False

    def on_error(err: UnexpectedInput) -> bool:
        nonlocal stop
        diag = _explain(err, text, lines, display)
        if all(d.line != diag.line for d in found):
            found.append(diag)
        if diag.code == "unclosed-block" or len(found) >= 20:
            stop = True
        elif diag.code == "missing-unit":
            _supply_unit(err)
        elif diag.code == "unclosed-text":
            _close_text(err, text)
        is_end = isinstance(err, UnexpectedToken) and err.token.type == "$END"
        return not (stop or is_end)

    try:
        tree = get_parser().parse(text, on_error=on_error)
    except UnexpectedInput:
        tree = None
    if found:
        return None, found
    return tree, []


def _supply_unit(err: UnexpectedInput) -> None:
    """Pretend the analyst wrote `days`, so one missing unit is reported once."""
    names = {text: name for name, text in _keywords().items()}
    parser = err.interactive_parser
    parser.feed_token(Token(names["days"], "days"))
    parser.feed_token(err.token)


def _close_text(err: UnexpectedInput, text: str) -> None:
    """Treat the rest of the line as the text, so one missing quote is one error."""
    state = err.interactive_parser.lexer_thread.state
    start = state.line_ctr.char_pos
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    state.line_ctr.feed(text[start:end])
    if "STRING" in err.interactive_parser.accepts():
        err.interactive_parser.feed_token(Token("STRING", '""'))


def _source(lines: list[str], line: int) -> str:
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _diag(display, lines, line, column, message, hint="", code="syntax", caret=True):
    return Diagnostic(
        display, line, column, message, hint, _source(lines, line), code, caret
    )


def _explain(err: UnexpectedInput, text: str, lines: list[str], display: str):
    if isinstance(err, UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
        if char == '"':
            return _diag(
                display,
                lines,
                err.line,
                err.column,
                'This text has no closing `"`',
                'Close the text on the same line with `"`.',
                "unclosed-text",
            )
        return _diag(
            display,
            lines,
            err.line,
            err.column,
            f"Unexpected character `{char}`",
            "Text goes in double quotes; codes are letters and digits.",
        )
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    line, column = _token_position(tok, lines)
    expected = _acceptable(err)
    stack = err.interactive_parser.parser_state.value_stack
    keywords = _keywords()
    word = str(tok) if tok.type != "$END" else ""

    glued = _glued_word(tok, stack, text)
    if glued is not None:
        word, start = glued
        close = difflib.get_close_matches(word, sorted(set(keywords.values())), n=1)
        return _diag(
            display,
            lines,
            start.line,
            start.column,
            f"Unknown word `{word}`",
            f"Did you mean `{close[0]}`?" if close else "Check the spelling.",
            "unknown-word",
        )
    if "END" in expected and (
        tok.type == "$END" or word in _STARTERS | _NESTED_OPENERS
    ):
        opener = _open_block(stack)
        if opener is not None:
            where = (
                "at the end of the file"
                if tok.type == "$END"
                else f"before `{word}` on line {line}"
            )
            return _diag(
                display,
                lines,
                opener.line,
                opener.column,
                f"`{opener}` block started on line {opener.line} is not closed",
                f"Add `end` {where}.",
                "unclosed-block",
            )
    if {keywords.get(name) for name in expected} & _UNITS and stack:
        last = stack[-1]
        if isinstance(last, Token) and last.type == "CODE":
            return _diag(
                display,
                lines,
                last.line,
                last.column,
                "A number of time needs a unit.",
                f"Write `{last} days`, `{last} business_days`, `{last} months` "
                f"or `{last} years`.",
                "missing-unit",
            )
    if "DATE" in expected and not expected & {"CODE", "PATH", "STRING"}:
        return _diag(
            display,
            lines,
            line,
            column,
            f"Expected a date here, found `{word or 'end of file'}`.",
            "Write dates year-month-day, e.g. 2026-01-01 (YYYY-MM-DD).",
            "bad-date",
        )
    choices = sorted(keywords[n] for n in expected if n in keywords)
    if word and word[:1].isalpha() and word.islower():
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        if close:
            return _diag(
                display,
                lines,
                line,
                column,
                f"Unknown word `{word}`",
                f"Did you mean `{close[0]}`?",
                "unknown-word",
            )
    wanted = [f"`{c}`" for c in choices] + sorted(
        {_NAMED[n] for n in expected if n in _NAMED}
    )
    shown = word if word else "the end of the file"
    return _diag(
        display,
        lines,
        line,
        column,
        f"Unexpected `{shown}` here" if word else "The file ends too early",
        "Expected " + _join(wanted) + "." if wanted else "",
        "syntax",
    )


def _acceptable(err: UnexpectedToken) -> set[str]:
    """Terminals the parser really accepts here (LALR's expected set over-reports)."""
    try:
        return set(err.interactive_parser.accepts()) or set(err.expected)
    except UnexpectedInput:
        return set(err.expected)


def _join(items: list[str]) -> str:
    if len(items) > 8:
        return ", ".join(items[:8]) + " or another word"
    return ", ".join(items[:-1]) + (" or " if len(items) > 1 else "") + items[-1]


def _glued_word(tok: Token, stack: list, text: str) -> tuple[str, Token] | None:
    """``dayz`` lexes as the keyword ``day`` plus ``z``; give back the whole word."""
    prev = stack[-1] if stack else None
    if not isinstance(prev, Token) or tok.type == "$END" or prev.end_pos is None:
        return None
    if prev.end_pos != tok.start_pos or not (str(prev)[-1:] + str(tok)[:1]).isalnum():
        return None
    end = tok.start_pos
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[prev.start_pos : end], prev


def _token_position(tok: Token, lines: list[str]) -> tuple[int, int]:
    if tok.type == "$END" or tok.line is None:
        last = len(lines) or 1
        return last, len(_source(lines, last)) + 1
    return tok.line, tok.column


def _open_block(stack: list) -> Token | None:
    """The innermost keyword on the parser stack that opened a still-open block."""
    for index in range(len(stack) - 1, -1, -1):
        item = stack[index]
        if not isinstance(item, Token):
            continue
        nxt = stack[index + 1 : index + 3]
        if item in _NESTED_OPENERS | {"edit", "test", "gateway", "eligibility"}:
            return item
        if item == "override" and nxt[:1] == ["edit"]:
            return item
        if item == "timely" or (item == "after" and nxt[:1] == ["submission"]):
            return item
        if item == "denial" and nxt[:1] == ["routing"]:
            return item
        if (
            item == "route"
            and len(nxt) == 2
            and getattr(nxt[1], "type", "") == "STRING"
        ):
            return item
    return None
