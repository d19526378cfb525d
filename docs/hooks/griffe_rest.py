"""A Griffe extension for the API pages: the reST in contractkit's docstrings, read as Markdown.

The docstrings are written for ``help()`` and editors, in reST: roles such as
``:class:`~contractkit.errors.SpecError``` and paragraphs ending ``::`` before a code block.
Markdown shows those literally, so this turns each role into inline code (``SpecError``), each
``::`` into ``:``, and each run of ``>>>`` examples into a fenced code block.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|exc|obj):`(~?)([^`]+)`")
LITERAL = re.compile(r"(\S)::$|^\s*::$", re.MULTILINE)
DOCTEST = re.compile(r"^([ \t]*)>>> .*(?:\n\1(?! *$).*)*", re.MULTILINE)


def markdown(text: str) -> str:
    """A reST docstring's roles, literal markers and examples in Markdown (once only)."""
    if "```" in text:
        return text

    def role(match: re.Match[str]) -> str:
        tilde, target = match.groups()
        return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"

    def doctest(match: re.Match[str]) -> str:
        return "```pycon\n" + textwrap.dedent(match.group(0)) + "\n```"

    text = LITERAL.sub(lambda m: f"{m.group(1)}:" if m.group(1) else "", ROLE.sub(role, text))
    return DOCTEST.sub(doctest, text)


class RestToMarkdown(griffe.Extension):
    """Rewrite every docstring once the package is loaded, before it is rendered."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite one object's docstring."""
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite the package's own docstring, which ``on_object`` does not visit."""
        self.on_object(obj=pkg, loader=loader)
