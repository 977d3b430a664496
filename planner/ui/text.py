"""Plan text shown as text. Titles, captions, messages and help in Streamlit render Markdown, so a
plan named `![x](http://host/beacon.png)` would make every viewer's browser fetch the image, and
`[Re-login](https://...)` would be a link. Every piece of plan or user text that reaches Markdown
goes through `md` first; tables and `st.text` need nothing.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=])")


def md(text: object) -> str:
    """`text` with every Markdown (and Streamlit directive) character backslash-escaped, and line
    breaks kept as breaks, so it renders exactly as written."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def md_list(items: object) -> str:
    """A Markdown bullet list of escaped lines."""
    return "\n".join(f"- {md(item)}" for item in items)  # type: ignore[union-attr]
