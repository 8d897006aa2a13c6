"""(Document, Analysis) -> Chunks: consecutive whole sentences packed up to a word-piece budget
counted with the embedding model's own tokenizer, so nothing is silently truncated. A sentence
longer than the model's limit is cut at word boundaries. Consecutive chunks share up to
`overlap` word pieces of whole sentences.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from .types import Analysis, Chunk, Document, Sentence

if TYPE_CHECKING:
    from tokenizers import Encoding, Tokenizer


def chunk(
    doc: Document, analysis: Analysis, *, tokenizer: Tokenizer, target: int, max_tokens: int, overlap: int
) -> list[Chunk]:
    """Chunks covering every sentence of `doc`; a chunk's `sentences` are the ones that can be
    quoted (titles and headings are left out of them, not out of its text)."""
    units = _units(doc.text, analysis.sentences, tokenizer=tokenizer, max_tokens=max_tokens)
    groups: list[list[tuple[Sentence, int]]] = []
    current: list[tuple[Sentence, int]] = []
    size = 0
    for unit in units:
        if current and size + unit[1] > target:
            groups.append(current)
            carried: list[tuple[Sentence, int]] = []
            for prev in reversed(current):
                if sum(n for _, n in carried) + prev[1] > overlap or len(carried) == len(current) - 1:
                    break
                carried.insert(0, prev)
            current = carried if sum(n for _, n in carried) + unit[1] <= max_tokens else []
            size = sum(n for _, n in current)
        current.append(unit)
        size += unit[1]
    if current:
        groups.append(current)
    chunks = []
    sentences = _Overlapping(analysis.sentences, [(s.start, s.end) for s in analysis.sentences])
    attributions = _Overlapping(
        analysis.attributions, [(a.sentence_start, a.sentence_end) for a in analysis.attributions]
    )
    for i, group in enumerate(groups):
        start, end = group[0][0].start, group[-1][0].end
        inside = tuple(s for s in sentences.within(start, end) if not _heading(doc, s))
        attrs = attributions.within(start, end)
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}:{i:05d}",
                doc_id=doc.doc_id,
                index=i,
                start=start,
                end=end,
                text=doc.text[start:end],
                page_start=doc.page_at(start),
                page_end=doc.page_at(max(start, end - 1)),
                paragraph=group[0][0].paragraph,
                n_tokens=sum(n for _, n in group),
                sentences=inside,
                attributions=attrs,
                pages=tuple(pg for pg in doc.pages if pg.start < end and pg.end > start),
            )
        )
    return chunks


_END = tuple('.!?:;"”’)…')


def _heading(doc: Document, s: Sentence) -> bool:
    """A title or heading: a sentence that is a whole one-line paragraph and is the document's
    title, or has at most 12 words and no end punctuation. Its text stays in the chunk (it helps
    find the passages under it), but it is not one of the chunk's sentences, so it is never quoted
    as a claim."""
    if not 0 <= s.paragraph < len(doc.paragraphs):
        return False
    para = doc.paragraphs[s.paragraph]
    text = doc.text[s.start : s.end].strip()
    if text != doc.text[para.start : para.end].strip() or "\n" in text:
        return False
    return text == (doc.meta.title or "").strip() or (len(text.split()) <= 12 and not text.endswith(_END))


def _units(
    text: str, sentences: tuple[Sentence, ...], *, tokenizer: Tokenizer, max_tokens: int
) -> list[tuple[Sentence, int]]:
    """Sentences with their word-piece counts; sentences over `max_tokens` cut into pieces."""
    units: list[tuple[Sentence, int]] = []
    for s, enc in zip(sentences, _encodings(text, sentences, tokenizer=tokenizer)):
        n = len(enc.ids)
        if n <= max_tokens:
            units.append((s, n))
            continue
        offsets = enc.offsets
        words = enc.word_ids
        begin = 0
        while begin < n:
            stop = min(begin + max_tokens, n)
            if stop < n:
                back = stop
                while back > begin + max_tokens // 2 and words[back] is not None and words[back] == words[back - 1]:
                    back -= 1
                stop = back if back > begin + max_tokens // 2 else stop
            a = s.start + offsets[begin][0]
            b = s.start + offsets[stop - 1][1]
            units.append((Sentence(a, b, s.paragraph), stop - begin))
            begin = stop
    return units


def _encodings(
    text: str, sentences: tuple[Sentence, ...], *, tokenizer: Tokenizer, block: int = 2_000
) -> Iterator[Encoding]:
    """The word pieces of each sentence, tokenized a block at a time (a long document's
    encodings are never all in memory at once)."""
    for b in range(0, len(sentences), block):
        yield from tokenizer.encode_batch(
            [text[s.start : s.end] for s in sentences[b : b + block]], add_special_tokens=False
        )


T = TypeVar("T")


class _Overlapping(Generic[T]):
    """Items with (start, end) spans, and which of them overlap a range, in their order. When
    starts and ends both never decrease (sentences and their attributions do), found by binary
    search; otherwise by a scan."""

    def __init__(self, items: Sequence[T], spans: list[tuple[int, int]]) -> None:
        self.items = items
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]
        self.spans = spans
        self.sorted = all(x <= y for x, y in zip(self.starts, self.starts[1:])) and all(
            x <= y for x, y in zip(self.ends, self.ends[1:])
        )

    def within(self, start: int, end: int) -> tuple[T, ...]:
        """The items whose span overlaps [start, end): start < end of the item, end > its start."""
        if not self.sorted:
            return tuple(x for x, (a, b) in zip(self.items, self.spans) if a < end and b > start)
        lo = bisect_right(self.ends, start)
        hi = bisect_left(self.starts, end)
        return tuple(self.items[lo:hi]) if lo < hi else ()
