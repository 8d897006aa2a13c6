"""Attributions across sentences: quotations and "X said:" credited to their speaker over sentences and
paragraphs, statements that run on, paraphrase before a closing cue, and chains of reporting inside a
sentence; plus the content of an attribution as the reader sees it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .lexicon import DETAILING, FORMS, INSIDE_QUOTE_ONLY, LAYOUT_CUES, NOT_SPEECH, STATEMENTS
from .types import Attribution, Sentence

_QUOTES = re.compile(r"''|``|’’|[\"“”«»]")
_CLOSING = ('"', "”", "''", "’’", "»")
_OPENING = ('"', "“", "``", "''", "«")


def quote_spans(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Quotations in text[start:end] as (start, end, closed); an unclosed one runs to `end`."""
    spans: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    for m in _QUOTES.finditer(text, start, end):
        ch = m.group(0)
        if open_at is None and ch in ('"', "“", "«", "``", "''"):
            open_at = m.start()
        elif open_at is not None and ch in ('"', "”", "»", "''", "’’"):
            spans.append((open_at, m.end(), True))
            open_at = None
    if open_at is not None:
        spans.append((open_at, end, False))
    return spans


def quoted_source(a: Attribution, quotes: list[tuple[int, int, bool]]) -> bool:
    """A source found inside a quotation: 'I' and 'we' there are the quoted speaker's own words, a
    source quoted while its cue stands outside the quotation is a misparse, and a source and cue both
    inside it are the quoted speaker's words about someone else ('"… they thought we were weak"'),
    which the quotation's speaker is credited with (a quotation left open mid-sentence counts only
    from its next sentence on)."""
    for qs, qe, closed in quotes:
        if qs <= a.source_start and a.source_end <= qe:
            if a.source.lower() in INSIDE_QUOTE_ONLY:
                return True
            if not (qs <= a.cue_start < qe):
                return True
            if a.cue not in LAYOUT_CUES and (closed or a.sentence_start > qs):
                return True
    return False


def content_text(text: str, a: Attribution) -> str:
    """What `a` attributes, as the reader sees it: the content span without an attribution clause
    that interrupts it ('"My hope," he said, "is that …"' -> '"My hope," "is that …"')."""
    start, end = a.content_start, a.content_end
    if a.source_start < 0 or a.cue_start < 0:
        return text[start:end]
    clause = (min(a.source_start, a.cue_start), max(a.source_end, a.cue_end))
    if start < clause[0] and clause[1] < end:
        cut_from, cut_to = clause
        m = re.match(r"[^.!?\"“”]{0,40}?(?=[,.;:]|\s[\"“])", text[cut_to:end])
        cut_to += len(m.group(0)) if m else 0
        if cut_to < end and text[cut_to] in ",;:.":
            cut_to += 1
        left, right = text[start:cut_from].rstrip(), text[cut_to:end].lstrip()
        conj = re.match(r"(?:and|but)\s+", right)
        if conj and not left.endswith(_CLOSING):
            right = right[conj.end() :]  # 'X paid 8 percent, the agency said, and Y paid 1 percent'
        elif left.endswith(_CLOSING) and not right.startswith(_OPENING) and not conj:
            # '"Every time you say that," Tester said, referring to …, "you give …"': the quotation resumes
            at = min((k for k in (right.find(q) for q in _OPENING) if k >= 0), default=-1)
            if at > 0:
                right = right[at:]
        if left.endswith((",", "—", "--")):
            left = left.rstrip(
                ",—-"
            ).rstrip()  # 'Acts of protest, Mr. Obama said, are …': the commas go with the clause
        return f"{left} {right}".strip()
    return text[start:end]


def credit_quotes(
    text: str,
    start: int,
    end: int,
    sents: list[Sentence],
    per_sent: list[list[Attribution]],
    carried: Attribution | None,
    previous: Attribution | None = None,
) -> Attribution | None:
    """Credit sentences inside a quotation (or after "X said:") to the quotation's speaker, across
    sentences and paragraphs. Returns the attribution of a quotation left open at the paragraph end."""
    spans = quote_spans(text, start, end)
    left_open: Attribution | None = None
    if (
        carried is not None
        and text[carried.sentence_start : carried.sentence_end].rstrip().endswith(":")
        and not (spans and spans[0][0] == start)
    ):
        for i, s in enumerate(sents):
            if per_sent[i]:
                break
            per_sent[i].append(_continued(carried, s, (min(carried.content_start, s.start), s.end)))
    for qs, qe, closed in spans:
        inside = [
            i
            for i, s in enumerate(sents)
            if _overlap(s.start, s.end, qs, qe) > 0.5 * (s.end - s.start)
            or (s.start <= qs < s.end and _overlap(s.start, s.end, qs, qe) > 0)
        ]
        if not inside:
            continue
        speaker = _quote_speaker(
            qs, qe, inside, sents, per_sent, carried if qs == start else None, previous if qs == start else None
        )
        if speaker is None:
            continue
        speaker = _widened(per_sent, speaker, qs, qe)
        for i in inside:
            if not per_sent[i]:
                hull = (min(speaker.content_start, qs), max(speaker.content_end, qe))
                per_sent[i].append(_continued(speaker, sents[i], hull))
        if not closed:
            left_open = speaker
    if left_open is None and per_sent and per_sent[-1]:
        last = per_sent[-1][-1]
        if text[last.sentence_start : last.sentence_end].rstrip().endswith(":"):
            left_open = last  # 'Limbaugh continued:' — the words follow in the next paragraph
    if not spans:
        _after_colon(text, sents, per_sent)
    return left_open


def _quote_speaker(
    qs: int,
    qe: int,
    inside: list[int],
    sents: list[Sentence],
    per_sent: list[list[Attribution]],
    carried: Attribution | None,
    previous: Attribution | None,
) -> Attribution | None:
    """Who speaks the quotation qs..qe over the sentences `inside`: a speaker found in them or the
    sentence after, else one carried from the paragraph before (`carried`, `previous`: only for a
    quotation that opens the paragraph), else the speaker of the sentence just before."""
    after = inside + [inside[-1] + 1] if inside[-1] + 1 < len(sents) else inside
    for i in after:
        for a in per_sent[i]:
            if qs < a.cue_start < qe and a.cue not in LAYOUT_CUES or not speaks(a):
                continue  # a cue inside the quotation is the speaker's words, not the speaker
            if (
                _overlap(a.content_start, a.content_end, qs, qe) > 0
                or (qs <= a.sentence_start < qe)
                or a.sentence_start <= qe <= a.sentence_end
            ):
                return a
    if carried is not None:
        return carried
    if inside[0] > 0 and per_sent[inside[0] - 1] and speaks(per_sent[inside[0] - 1][-1]):
        return per_sent[inside[0] - 1][-1]  # 'X said the convoy was ambushed. "We lost two men."'
    if previous is not None and not any(per_sent[i] for i in range(len(sents))):
        return previous  # a paragraph that is all quotation, after "X said …"
    return None


def _widened(per_sent: list[list[Attribution]], speaker: Attribution, qs: int, qe: int) -> Attribution:
    """The speaker's content is the whole quotation, however many sentences it runs over."""
    for found in per_sent:
        for j, a in enumerate(found):
            if a is speaker and (a.content_start > qs or a.content_end < qe):
                widened = replace(a, content_start=min(a.content_start, qs), content_end=max(a.content_end, qe))
                found[j] = widened
                speaker = widened
    return speaker


def _after_colon(text: str, sents: list[Sentence], per_sent: list[list[Attribution]]) -> None:
    """ "X said:" followed by the words without quotation marks: the sentences after it with no
    attribution of their own are its words."""
    for i, found in enumerate(per_sent):
        for a in found:
            tail = text[a.sentence_start : a.sentence_end]
            cue_colon = re.search(r":\s*$", text[a.sentence_start : a.content_start]) or tail.rstrip().endswith(":")
            if cue_colon:
                for j in range(i + 1, len(sents)):
                    if per_sent[j]:
                        break
                    per_sent[j].append(_continued(a, sents[j], (sents[j].start, sents[j].end)))


def speaks(a: Attribution) -> bool:
    """An attribution of words (said, claimed, ":"), not of an intention, a perception or a stance:
    only words go on in the next sentence or quotation."""
    last = (a.cue or "").split()[-1:] or [""]
    return a.stance not in ("intention", "decision") and FORMS.get(last[0].lower(), last[0].lower()) not in NOT_SPEECH


def widen_continued(earlier: list[Attribution], continued: list[Attribution]) -> None:
    """An attribution whose words go on in later paragraphs ('McCrummen reports:' and the quotation
    below it) has all of them as content."""
    for c in continued:
        for k in range(len(earlier) - 1, max(-1, len(earlier) - 60), -1):
            a = earlier[k]
            if (
                a.cue_start == c.cue_start
                and a.source_start == c.source_start
                and a.sentence_start <= a.cue_start < a.sentence_end
            ):
                if c.content_end > a.content_end:
                    earlier[k] = replace(a, content_end=c.content_end)
                break


def _continued(a: Attribution, s: Sentence, content: tuple[int, int]) -> Attribution:
    """The speaker of a quotation credited with one more of its sentences."""
    return replace(
        a,
        sentence_start=s.start,
        sentence_end=s.end,
        stance="quote",
        content_start=content[0],
        content_end=content[1],
        inherited=True,
    )


def paraphrase_before(text: str, sents: list[Sentence], per_sent: list[list[Attribution]]) -> None:
    """'C2I's business is planting trees. The trees soak up carbon. An acre can convert 156 tons,
    Mr. Van Voorhis said.': a cue after its content that closes a paragraph of paraphrase has the
    paragraph's unattributed sentences before it as content too (at most two, none quoting)."""
    for i in range(1, len(sents)):
        for j, a in enumerate(per_sent[i]):
            if a.inherited or not speaks(a) or not (sents[i].start <= a.content_start < a.content_end <= a.cue_start):
                continue
            start = a.content_start
            for k in (i - 1, i - 2):
                if k < 0 or per_sent[k] or _QUOTES.search(text, sents[k].start, sents[k].end):
                    break
                start = sents[k].start
            if start < a.content_start:
                per_sent[i][j] = replace(a, content_start=start)


def relay_chains(found: list[Attribution]) -> list[Attribution]:
    """A chain of reporting inside one sentence ("NHK said police quoted the man as saying …",
    "Reuters, citing a local official, said …", "According to La Republica, the MRTA letter
    says …"): each attribution whose cue lies in another's content names that one, the nearest
    (narrowest) relay, in `reported_by`."""
    out = []
    for b in found:
        if b.inherited or b.reported_by:
            out.append(b)
            continue
        citing = (b.cue or "").lower() in ("citing", "quoting")
        relays = [
            a
            for a in found
            if a is not b
            and not a.inherited
            and speaks(a)
            and a.source_resolved != b.source_resolved
            and (a.cue or "").lower() not in ("citing", "quoting")
            and (
                a.content_start <= b.cue_start < a.content_end
                and not (b.content_start <= a.cue_start < b.content_end)
                or FORMS.get((a.cue or " ").lower().split()[-1]) == "quote"
                and a.cue_start < b.cue_start
                and (a.content_start, a.content_end) == (b.content_start, b.content_end)
                or citing
                and a.cue not in ("citing", "quoting")
                and _overlap(a.content_start, a.content_end, b.content_start, b.content_end) > 0
            )
        ]
        relay = min(relays, key=lambda a: a.content_end - a.content_start, default=None)
        out.append(replace(b, reported_by=relay.source_resolved) if relay else b)
    return out


def run_on(text: str, sents: list[Sentence], per_sent: list[list[Attribution]]) -> None:
    """A statement that runs on: the sentences after "The statement detailed …" (or "X said in a
    statement …") in the same paragraph that give figures of their own ("The clash resulted in
    the deaths of seven rebels") and have no attribution of their own are the statement's details
    too; at most two of them, none that opens with the writer's own turn ("Since 2012, …",
    "Meanwhile, …") or quotes anyone."""
    run = 0
    for i in range(1, len(sents)):
        prior = [a for a in per_sent[i - 1] if speaks(a) and a.stance not in ("intention", "quote")]
        if per_sent[i] or not prior:
            run = 0
            continue
        a = prior[-1]
        if not (a.inherited and run) and not _statement(text, a):
            run = 0
            continue
        body = text[sents[i].start : sents[i].end]
        if (
            run >= 2
            or _OWN_TURN.match(body)
            or _QUOTES.search(body)
            or not _FIGURE.search(body)
            or re.search(r"\b(?:I|we|our|us)\b", body)
        ):
            run = 0
            continue
        per_sent[i].append(
            replace(
                a,
                sentence_start=sents[i].start,
                sentence_end=sents[i].end,
                content_start=sents[i].start,
                content_end=sents[i].end,
                inherited=True,
            )
        )
        run += 1


_FIGURE = re.compile(
    r"\b(?:\d[\d,.]*(?!\d)(?<!\b1[89]\d\d)(?<!\b20\d\d)|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundreds?|dozens?|scores)\b",
    re.I,
)


_OWN_TURN = re.compile(
    r"^\W*(?:since|meanwhile|however|but|previously|earlier|later|separately|in (?:19|20)\d\d|"
    r"last (?:year|month|week)|the (?:presence|history)|according|this (?:incident|area|came)|"
    r"in addition to|also on|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)


_IN_STATEMENT = re.compile(
    r"\bin (?:a|an|its|their|his|her|the) (?:joint )?(?:written )?(?:statement|communiqu[eé]|"
    r"press release|declaration|bulletin|letter|report)\b",
    re.I,
)


def _statement(text: str, a: Attribution) -> bool:
    """The attribution is to a written statement that gives details: "The statement detailed …",
    "the communique listed …", or someone said "in a statement"."""
    if a.inherited or a.cue_start < a.sentence_start:
        return False
    cue = (a.cue or "").lower().split()
    head = text[a.source_start : a.source_end].lower().split()
    return bool(cue) and (
        FORMS.get(cue[-1]) in DETAILING
        and bool(head)
        and head[-1] in STATEMENTS
        or bool(_IN_STATEMENT.search(text, a.sentence_start, a.sentence_end))
    )


def _overlap(a: int, b: int, c: int, d: int) -> int:
    return max(0, min(b, d) - max(a, c))
