"""Content hashes: what pins a ruleset for a claim's whole life.

The hash covers a canonical form of the parse tree (rule names and token values, no
positions, no comments, no whitespace), the hashes of the libraries it uses, and the
release and content digest of every table, code set and calendar it pins.
"""

from __future__ import annotations

import hashlib

from lark import Token, Tree


def canonical(tree: Tree | Token) -> str:
    """A position-free, comment-free text form of a parse tree.

    Args:
        tree: A parse tree or token.

    Returns:
        S-expression-like text: ``(rule child child)``; tokens as ``TYPE=value``.
    """
    if isinstance(tree, Token):
        return f"{tree.type}={tree.value!r}"
    inner = " ".join(canonical(child) for child in tree.children)
    return f"({tree.data} {inner})"


def content_hash(canonical_text: str, pins: list[tuple[str, str]]) -> str:
    """SHA-256 over the canonical text and sorted ``(name, digest)`` pins.

    Args:
        canonical_text: From :func:`canonical`.
        pins: One pair per library, table, code set and calendar used.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256(canonical_text.encode())
    for name, pin in sorted(pins):
        digest.update(f"\n{name}\t{pin}".encode())
    return digest.hexdigest()
