"""Plan text shown as text. Titles, captions, messages and help in Streamlit render Markdown, so a
plan named `![x](http://host/beacon.png)` would make every viewer's browser fetch the image, and
`[Re-login](https://...)` would be a link. Every piece of plan or user text that reaches Markdown
goes through `md` first; tables and `st.text` need nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=])")
# Streamlit turns bare addresses (https://..., www.x.org, a@b.org) into links even when every
# character is escaped; an invisible word joiner inside them stops that and changes nothing seen.
_AUTOLINK = re.compile(r"(?i)(:)(\\?/)|(w)(ww\\?\.)|(\S)(@)")
_JOINER = "\u2060"


def md(text: object) -> str:
    """`text` with every Markdown (and Streamlit directive) character escaped, no bare address
    left to become a link, and line breaks kept as breaks: it renders exactly as written."""
    out = _AUTOLINK.sub(lambda m: _JOINER.join(g for g in m.groups() if g), str(text))
    return _SPECIAL.sub(r"\\\1", out).replace("\n", "  \n")


def md_list(items: Iterable[object]) -> str:
    """A Markdown bullet list of escaped lines."""
    return "\n".join(f"- {md(item)}" for item in items)
