"""The web page's handlers as plain functions (no Gradio here): a question read in the light of
the conversation and answered, the filters checked, the claims written as CSV, a citation opened in
its document, uploads staged and indexed, documents deleted. `layout` wires them to the page."""
from __future__ import annotations

import re
from typing import Sequence

from ..conversation import Turn
from ..types import Citation


def citation_for(turns: Sequence[Turn], key: str) -> Citation | None:
    """The citation a `data-cite` key ("2:3", "0:r1") names in `turns`, or None."""
    m = re.fullmatch(r"(\d{1,4}):(r?)(\d{1,3})", key or "")
    if not m:
        return None
    i, related, n = int(m.group(1)), bool(m.group(2)), int(m.group(3))
    if i >= len(turns) or turns[i].answer is None:
        return None
    pool = turns[i].answer.related if related else turns[i].answer.citations
    return next((c for c in pool if c.n == n), None)


