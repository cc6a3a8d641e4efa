"""Document text -> HTML with spans marked, every piece of text escaped.

Spans may nest (a mention inside an event's evidence) or cross; crossing spans are closed and
reopened so that the HTML stays well formed. Nothing from the document reaches the page unescaped.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass
class Span:
    start: int
    end: int
    tag: str                                  # "a", "mark" or "span"
    attrs: dict[str, str] = field(default_factory=dict)
    after: str = ""                           # markup (built escaped) emitted once it has closed

    def open(self) -> str:
        attrs = "".join(f' {k}="{html.escape(str(v), quote=True)}"' for k, v in self.attrs.items()
                        if v is not None)
        return f"<{self.tag}{attrs}>"

    def close(self) -> str:
        return f"</{self.tag}>"


def render(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> Markup:
    """text[start:end] as HTML with the spans (in document offsets) opened and closed."""
    end = len(text) if end is None else end
    live = sorted(
        (Span(max(s.start, start), min(s.end, end), s.tag, s.attrs,
              s.after if s.end <= end else "") for s in spans
         if s.end > start and s.start < end and s.end > s.start),
        key=lambda s: (s.start, -s.end),
    )
    bounds = sorted({start, end} | {s.start for s in live} | {s.end for s in live})
    out: list[str] = []
    stack: list[Span] = []
    pending = 0
    prev = start
    for pos in bounds:
        if pos > prev:
            out.append(html.escape(text[prev:pos]))
            prev = pos
        # close what ends here; spans above a closing one are closed and reopened
        ending = [i for i, s in enumerate(stack) if s.end <= pos]
        if ending:
            # close from the top down to the lowest span that ends; reopen the ones that go on
            lowest = ending[0]
            closed = stack[lowest:]
            stack = stack[:lowest]
            for s in reversed(closed):
                out.append(s.close())
            out.extend(s.after for s in closed if s.end <= pos and s.after)
            for s in closed:
                if s.end > pos:
                    out.append(s.open())
                    stack.append(s)
        while pending < len(live) and live[pending].start == pos:
            s = live[pending]
            pending += 1
            if s.end > pos:
                out.append(s.open())
                stack.append(s)
    for s in reversed(stack):
        out.append(s.close())
    out.extend(s.after for s in stack if s.after)
    return Markup("".join(out))


_MARK_TOKEN = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str) -> Markup:
    """A search snippet with <mark> kept and everything else escaped (whether or not it was)."""
    pieces = []
    for piece in _MARK_TOKEN.split(snippet or ""):
        if piece in ("<mark>", "</mark>"):
            pieces.append(piece)
        else:
            pieces.append(html.escape(html.unescape(piece)))
    # an unbalanced <mark> would swallow the rest of the page's text styling
    joined = "".join(pieces)
    if joined.count("<mark>") != joined.count("</mark>"):
        return Markup(html.escape(html.unescape(_MARK_TOKEN.sub("", snippet or ""))))
    return Markup(joined)
