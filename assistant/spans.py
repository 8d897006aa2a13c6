"""Character spans of a parse for the attribution rules: the `Found` record and its maker, the source
phrase as PolNeAR marks it, a cue's content, quotations next to a cue, and the creator or antecedent
of a source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lexicon import ARTIFACTS, CUE_VERBS, DASHES, FOCUS, PERSONAL, SPEAK_OF
from .syntax import agent_of, dep_child, subject_of, verb_lemma
from .types import Stance

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


@dataclass(frozen=True, slots=True)
class Found:
    """One attribution inside a sentence, in document character offsets."""

    source_start: int
    source_end: int
    head: Token  # head token of the source phrase
    cue: str
    cue_start: int
    cue_end: int
    stance: Stance
    content_start: int
    content_end: int
    rule: str
    creator: tuple[int, int] | None = None  # the author inside an artifact source ("… issued by the FBI")
    antecedent: tuple[int, int] | None = None  # what a relative pronoun source stands for
    governor: tuple[int, int] | None = None  # a pronoun source's likely antecedent in the same sentence


def make_found(
    src: Token,
    cue: Token,
    sent: Span,
    *,
    cue_tokens: list[Token],
    stance: Stance,
    content: tuple[int, int],
    rule: str,
    antecedent: tuple[int, int] | None = None,
) -> Found:
    src = stray_head(src, cue)
    start, end = source_span(src, cue)
    if cue_tokens:
        cs = min(t.idx for t in cue_tokens)
        ce = max(t.idx + len(t) for t in cue_tokens)
        cue_text = sent.doc.text[cs:ce] if ce - cs < 60 else " ".join(t.text for t in cue_tokens)
    else:
        cs, ce, cue_text = cue.idx, cue.idx + len(cue), cue.text
    creator = None
    if src.lower_ in ARTIFACTS:
        creator = creator_of(src)
    return Found(
        source_start=start,
        source_end=end,
        head=src,
        cue=cue_text,
        cue_start=cs,
        cue_end=ce,
        stance=stance,
        content_start=content[0],
        content_end=content[1],
        rule=rule,
        creator=creator,
        antecedent=antecedent,
        governor=governor_of(src, cue),
    )


def governor_of(src: Token, cue: Token) -> tuple[int, int] | None:
    """For a pronoun source in a subordinate clause, the subject of the clause above it
    ("The ministry ordered the arrest of five men, whom it blamed …" -> the ministry)."""
    kind = PERSONAL.get(src.lower_)
    if kind is None:
        return None
    for anc in cue.ancestors:
        if anc.pos_ not in ("VERB", "AUX"):
            continue
        subj = subject_of(anc)
        if subj is None or subj.dep_ != "nsubj" or subj.pos_ == "PRON" or subj.i == src.i:
            continue
        plural = subj.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in subj.children)
        person = subj.ent_type_ == "PERSON" or (subj.pos_ == "PROPN" and not plural)
        if kind == "plural" and not plural and subj.pos_ != "PROPN":
            return None
        if kind == "person" and (plural or not person and subj.pos_ != "PROPN"):
            return None
        if kind == "thing" and (plural or subj.ent_type_ == "PERSON"):
            return None
        return phrase_span(subj)
    return None


def creator_of(artifact: Token) -> tuple[int, int] | None:
    """'A joint warning issued by the FBI' -> the FBI; 'the president's report' -> the president."""
    owner = dep_child(artifact, "poss")
    if owner is not None:
        return phrase_span(owner)
    named = [
        c
        for c in artifact.children
        if c.dep_ in ("compound", "nmod")
        and c.i < artifact.i
        and (c.ent_type_ in ("ORG", "NORP", "PERSON") or c.is_upper and len(c) >= 3 and not c.doc[artifact.i].is_upper)
    ]
    if named:  # "the MRTA letter", "an FMLN communique"
        return named[0].left_edge.idx, named[-1].idx + len(named[-1])
    for c in artifact.children:
        if c.dep_ == "acl":
            agent = agent_of(c)
            if agent is not None:
                return phrase_span(agent, exclude=dep_child(agent, "prep", "with"))
        if c.dep_ == "prep" and c.lower_ in ("by", "from", "of"):
            obj = dep_child(c, "pobj")
            if obj is not None and obj.pos_ in ("PROPN", "NOUN") and obj.lower_ not in ARTIFACTS:
                return phrase_span(obj)
    return None


def content_of(verb: Token, sent: Span) -> tuple[int, int] | None:
    for dep in ("ccomp", "xcomp", "csubj"):
        c = dep_child(verb, dep)
        if c is not None and c.i != verb.i:
            start, end = phrase_span(c, relcl=False)
            more = next(
                (
                    k
                    for k in verb.children
                    if k.dep_ == "conj"
                    and k.i > verb.i
                    and c.i < verb.i
                    and k.pos_ in ("VERB", "AUX")
                    and subject_of(k) is not None
                ),
                None,
            )
            if more is not None:  # "X paid 8.9 percent, the agency said, and Y paid 0.8 percent"
                end = max(end, phrase_span(more)[1])
            return start, end
    head = verb.head
    if verb.dep_ == "parataxis" or verb.dep_ == "ccomp" and head.i < verb.i:
        # "Acts of protest, Mr. Obama said, are acts of patriotism": the head clause without the cue's
        inner = {t.i for t in verb.subtree}
        toks = [t for t in head.subtree if t.i not in inner and sent.start <= t.i < sent.end]
        while toks and toks[-1].is_punct and toks[-1].text not in "\"”’'":
            toks.pop()
        if head.i != verb.i and toks:
            return (toks[0].idx, toks[-1].idx + len(toks[-1]))
    if verb.dep_ == "relcl" and any(c.lower_ in ("which", "that") and c.dep_ in ("dobj", "obj") for c in verb.children):
        return phrase_span(verb.head, relcl=False)
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ in ("about", "against", "to", "on", "of"):
            speech_of = c.lower_ == "of" and verb_lemma(verb) in SPEAK_OF
            obj = (
                dep_child(c, "pcomp")
                if c.lower_ in ("to", "of") and not speech_of
                else (dep_child(c, "pobj") or dep_child(c, "pcomp"))
            )
            if obj is not None:  # "warned against …", "admitted to landing …", "spoke of …"
                return phrase_span(obj)
    return None


def quote_after(verb: Token, sent: Span) -> tuple[int, int] | None:
    """The quotation that follows a cue in its sentence ("stated on Sunday, "Our forces …"")."""
    text = sent.doc.text
    opening = [i for i in range(verb.idx, sent.end_char) if text[i] in '"“«']
    if not opening:
        return None
    start = opening[0]
    close = [i for i in range(start + 1, sent.end_char) if text[i] in '"”»']
    return (start, close[-1] + 1 if close else sent.end_char)


def quote_before(verb: Token, sent: Span) -> tuple[int, int] | None:
    """The quotation that ends before a cue in its sentence ('"Why not?" she asked')."""
    text = sent.doc.text
    closing = [i for i in range(sent.start_char, verb.idx) if text[i] in '"”»']
    if not closing:
        return None
    opening = [i for i in range(sent.start_char, closing[-1]) if text[i] in '"“«']
    return (opening[0] if opening else sent.start_char, closing[-1] + 1)


def quote_near(verb: Token, sent: Span) -> bool:
    text = sent.text
    return (
        any(q in text for q in ('"', "“", "”", "«", "»"))
        or text.rstrip().endswith(":")
        or (verb.i + 1 < len(sent.doc) and sent.doc[verb.i + 1].text == ":")
    )


def outside_phrase(sent: Span, phrase: tuple[int, int]) -> tuple[int, int]:
    """The larger side of the sentence outside token range `phrase` (the content of 'according to X')."""
    doc = sent.doc
    left = (sent.start_char, doc[phrase[0]].idx)
    right_tok = min(phrase[1] + 1, sent.end - 1)
    right = (doc[right_tok].idx, sent.end_char)
    return left if left[1] - left[0] > right[1] - right[0] else right


def stray_head(src: Token, cue: Token) -> Token:
    """'With 50 days until the election, Minyon Moore, a senior adviser, called …': the parser made the
    object of a fronted phrase the subject and the speaker its apposition; the apposition speaks."""
    after = src.doc[src.i + 1] if src.i + 1 < len(src.doc) else None
    if after is not None and after.text in DASHES and cue.i > src.i and (src.is_upper or src.ent_type_ == "GPE"):
        # "WASHINGTON -- President Obama, …, said": the dateline's apposition speaks
        appos = next((c for c in src.children if c.dep_ == "appos" and c.i > after.i), None)
        if appos is not None:
            return appos
    first = src.left_edge
    before = src.doc[first.i - 1] if first.i > src.sent.start else None
    if (
        src.dep_ != "nsubj"
        or before is None
        or before.pos_ not in ("ADP", "VERB", "AUX", "PART")
        or cue.i < src.i
        or before.i == cue.i
    ):
        return src
    appos = next((c for c in src.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    return appos if appos is not None else src


def source_span(src: Token, cue: Token) -> tuple[int, int]:
    """The source phrase as PolNeAR marks it: the noun phrase with the modifiers and clauses that
    identify it, without a relative clause that is itself an attribution ("Mr. Obama, who understood
    that …, told"), a dateline before it or a focus adverb ("even China")."""
    skip: set[int] = set()
    for t in src.children:
        if t.dep_ == "relcl" and any(verb_lemma(v) in CUE_VERBS for v in t.subtree if v.pos_ in ("VERB", "AUX")):
            skip.update(x.i for x in t.subtree)
            if t.left_edge.i - 1 > src.i and src.doc[t.left_edge.i - 1].is_punct:
                skip.add(t.left_edge.i - 1)
    for t in src.children:
        if t.i > src.i and (
            t.dep_ == "npadvmod"
            and t.ent_type_ in ("DATE", "TIME")
            or t.dep_ == "prep"
            and any(o.dep_ == "pobj" and o.ent_type_ in ("DATE", "TIME") for o in t.children)
        ):
            skip.update(x.i for x in t.subtree)  # "Trump this week said", "a group of doctors in 2015"
            continue
        incidental = (
            t.dep_ == "acl"
            and t.tag_ == "VBG"
            and t.left_edge.i > src.i + 1
            and src.doc[t.left_edge.i - 1].text == ","
            or t.dep_ == "appos"
            and t.i > src.i
            and t.left_edge.i > 0
            and src.doc[t.left_edge.i - 1].text == "("
            and any(x.pos_ in ("VERB", "AUX") for x in t.subtree)
        )
        if incidental:  # "Trump, speaking to a veterans group, said"
            skip.update(x.i for x in t.subtree)
            before = src.doc[t.left_edge.i - 1] if t.left_edge.i > src.i + 1 else None
            if before is not None and before.is_punct:
                skip.add(before.i)
    left = [t for t in src.subtree if t.i < src.i and t.i not in skip]
    verb_at = max((t.i for t in left if t.pos_ in ("VERB", "AUX") and t.dep_ != "amod" and t.tag_ != "VBN"), default=-1)
    comma = min((t.i for t in left if t.text == "," and t.i > verb_at), default=-1) if verb_at >= 0 else -1
    if comma >= 0:  # "As Obama appears set to veto …, Democratic nominee Hillary Clinton"
        skip.update(t.i for t in left if t.i <= comma)
    for t in left:
        if t.text in DASHES and t.whitespace_:
            # "FLINT, Mich., Oct. 4 (UPI) — Former President Bill Clinton": a dateline is no part of the source
            skip.update(x.i for x in left if x.i <= t.i)
    first = src.left_edge
    if first.i < src.i and first.dep_ == "advmod" and first.lower_ in FOCUS:
        skip.add(first.i)  # "even China"
    return phrase_span(src, exclude=cue, skip=skip)


def phrase_span(
    tok: Token, *, relcl: bool = True, exclude: Token | None = None, skip: set[int] | None = None
) -> tuple[int, int]:
    """Character range of a phrase: the token's subtree (relative clauses included unless `relcl` is
    False; the cue `exclude` left out when it hangs below it), trimmed of edge punctuation and
    conjunctions."""
    skip = set(skip or ())
    if exclude is not None and exclude.i != tok.i and tok.is_ancestor(exclude):
        top = exclude
        while top.head.i != tok.i and top.head.i != top.i:
            top = top.head
        skip.update(t.i for t in top.subtree)
    if not relcl:
        for c in tok.children:
            if c.dep_ == "relcl":
                skip.update(t.i for t in c.subtree)
                # the comma that opens the clause goes with it
                if c.left_edge.i - 1 > tok.i and tok.doc[c.left_edge.i - 1].is_punct:
                    skip.add(c.left_edge.i - 1)
    toks = [t for t in tok.subtree if t.i not in skip]
    # keep one contiguous run around the head
    toks.sort(key=lambda t: t.i)
    run = [t for t in toks if t.i <= tok.i]
    while run and run[0].i < tok.i and any(r.i != run[0].i + k for k, r in enumerate(run)):
        run = run[1:]
    right = [t for t in toks if t.i > tok.i]
    for k, t in enumerate(right):
        if t.i != tok.i + 1 + k:
            right = right[:k]
            break
    toks = run + right
    while toks and (toks[0].is_punct or toks[0].dep_ in ("cc", "prep") and toks[0].i != tok.i):
        toks = toks[1:]
    while (
        toks
        and (toks[-1].is_punct and toks[-1].text not in (")", "]") or toks[-1].dep_ == "cc")
        and toks[-1].i != tok.i
    ):
        toks = toks[:-1]
    if not toks:
        return tok.idx, tok.idx + len(tok)
    doc, last = tok.doc, toks[-1]
    while (
        last.i + 2 < len(doc)
        and doc[last.i + 1].text == "-"
        and not last.whitespace_
        and not doc[last.i + 1].whitespace_
    ):
        last = doc[last.i + 2]  # "His ex-wife" split by the parser
    return toks[0].idx, last.idx + len(last)
