"""Attribution rules over one spaCy-parsed sentence: who (source) says (cue) what (content).

`find_attributions(sent)` returns the relations found in one sentence, as token-level `Found`
records; resolving sources against the rest of the document happens in analyse.py.
Rules: reporting and cognition verbs with a subject, passive agents ("was reported by X"),
"according to X", participles ("…, stating …"; "quoted X as saying"), conjoined verbs sharing a
subject, relative clauses ("…, which the authorities deny"), possessive speech nouns ("X's claim
that …"), and speech artifacts as subjects ("The statement detailed …"). A cue inside another
cue's content that only restates the speaker ("said he thinks") is left to the outer one, and
source spans follow the PolNeAR guidelines (identifying modifiers in; datelines, focus adverbs and
relative clauses that are attributions themselves out).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .lexicon import (ARTIFACT_VERBS, ARTIFACTS, ATTITUDE_NOUNS, ATTITUDES, CLAUSE_ONLY, COGNITION, CUE_NOUNS,
                      CUE_VERBS, DECREES, DIRECTIVES, EVALUATION, EXPRESS_VERBS, FORMS, IN_VIEW, INFERENCE,
                      INTENT_ADJECTIVES, INTENTION, LABELS, NEEDS_CLAUSE, NO_CONTENT, NOT_SOURCES, PEOPLE, PERCEPTION,
                      PERSON_ROLES, SHARES, SPEAK_OF, SPEECH_ARTIFACTS, STANCE_ADJECTIVES, STRONG, VERBAL_ONLY)
from .types import Stance

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

def verb_lemma(token: Token) -> str:
    """The lemma of a verb form from the cue tables (spaCy's lemmatizer is not run at ingest)."""
    return FORMS.get(token.lower_, token.lower_)


@dataclass(frozen=True, slots=True)
class Found:
    """One attribution inside a sentence, in document character offsets."""
    source_start: int
    source_end: int
    head: Token                       # head token of the source phrase
    cue: str
    cue_start: int
    cue_end: int
    stance: Stance
    content_start: int
    content_end: int
    rule: str
    creator: tuple[int, int] | None = None     # the author inside an artifact source ("… issued by the FBI")
    antecedent: tuple[int, int] | None = None  # what a relative pronoun source stands for
    governor: tuple[int, int] | None = None    # a pronoun source's likely antecedent in the same sentence


def find_attributions(sent: Span) -> list[Found]:
    """All attribution relations of one sentence (spaCy Span with a dependency parse)."""
    found: list[Found] = list(_structural(sent))
    seen: set[tuple[int, int]] = {(f.cue_start, f.source_start) for f in found}
    cues: dict[int, Token] = {}
    for tok in sent:
        for f in _from_token(tok, sent):
            key = (f.cue_start, f.source_start)
            if key not in seen and f.source_end > f.source_start:
                seen.add(key)
                found.append(f)
                cues[id(f)] = tok
    by_verb = {cues[id(f)].i: f for f in found if id(f) in cues}
    kept = [f for f in found if not _restated(f, cues.get(id(f)), by_verb)]
    # an attitude inside another attribution's content is that source's account of it
    return [f for f in kept if f.rule != "attitude" or not any(
        g is not f and g.rule != "attitude" and g.content_start <= f.cue_start < g.content_end for g in kept)]


def _restated(f: Found, cue: Token | None, outer: dict[int, Found]) -> bool:
    """A cue inside the content of another cue of the sentence that PolNeAR leaves to the outer one:
    the speaker's own state of mind ("said he thinks", "said the union expected") or the speaker
    again as a pronoun ("said he would not answer")."""
    if cue is None or cue.pos_ not in ("VERB", "AUX"):
        return False
    child = cue
    for anc in cue.ancestors:
        if anc.i in outer and child.dep_ in ("ccomp", "xcomp"):
            return verb_lemma(cue) in COGNITION or _same_person(f.head, outer[anc.i].head)
        child = anc
    return False


def _same_person(pronoun: Token, subject: Token) -> bool:
    """'he'/'she' after a singular subject, 'they' after a plural one, 'it' after a thing."""
    kind = PERSONAL.get(pronoun.lower_)
    if kind is None:
        return False
    plural = subject.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in subject.children) \
        or subject.lower_ in ("they", "we")
    if kind == "plural":
        return plural or subject.lower_ in ("government", "administration", "campaign", "party", "police")
    if kind == "person":
        return not plural and subject.lower_ not in ("it", "they")
    return not plural and subject.ent_type_ != "PERSON" and subject.lower_ not in ("he", "she")




_COLON = re.compile(r"^\s*[\"“]?((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)\s*:\s+\S")
_DASH = re.compile(r"[”\"'’]\s*[―—–]+\s*([A-Z][^,\n;]{1,60}?)\s*\.?\s*(?:,|$)")


def _structural(sent: Span) -> list[Found]:
    """Attributions marked by layout: 'WALLACE: …' transcripts and headlines, and
    '“…” ― Carla Sanchez, Los Angeles' signatures."""
    text = sent.text
    doc = sent.doc
    out: list[Found] = []
    m = _COLON.match(text)
    if m and m.group(1).lower() not in LABELS and len(text) > m.end() and m.group(1).split()[0].lower() not in FORMS:
        a, b = sent.start_char + m.start(1), sent.start_char + m.end(1)
        span = doc.char_span(a, b, alignment_mode="expand")
        colon = text.index(":", m.end(1) - m.start(0))
        if span is not None and any(t.pos_ in ("PROPN", "NOUN") for t in span) \
                and not any(t.pos_ in ("VERB", "AUX") for t in span) \
                and not all(t.ent_type_ in ("GPE", "LOC", "DATE") for t in span):
            # 'The Gap Goes On:' is a heading, 'Haiti: A multi-dimensional crisis' a title
            out.append(Found(source_start=a, source_end=b, head=span.root, cue=":",
                             cue_start=sent.start_char + colon, cue_end=sent.start_char + colon + 1, stance="quote",
                             content_start=sent.start_char + colon + 1, content_end=sent.end_char, rule="colon"))
    m = _DASH.search(text)
    if m and "(" not in m.group(1) and ")" not in m.group(1) and m.end() >= len(text.rstrip()) - 1:
        a, b = sent.start_char + m.start(1), sent.start_char + m.end(1)
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None and any(t.pos_ == "PROPN" for t in span):
            dash = sent.start_char + m.start(0) + 1
            out.append(Found(source_start=a, source_end=b, head=span.root, cue="―", cue_start=dash, cue_end=dash + 1,
                             stance="quote", content_start=sent.start_char, content_end=dash, rule="dash"))
    return out


def _from_token(tok: Token, sent: Span) -> list[Found]:
    low = tok.lower_
    if low == "according" and (to := _child(tok, "prep", "to")) is not None:
        obj = _child(tok, "pobj") or _child(to, "pobj")
        if obj is not None and obj.lower_ not in NOT_SOURCES:
            phrase = (min(tok.i, to.i), max(t.i for t in obj.subtree))
            content = _outside(sent, phrase)
            found = _make(obj, tok, sent, cue_tokens=[tok, to], stance="claim", content=content, rule="according_to")
            text = sent.doc.text
            comma = text.find(",", found.source_start, found.source_end)
            if comma > 0 and tok.i - sent.start <= 2:
                # "According to X, the move reeks of …": the source ends at the comma
                found = replace(found, source_end=len(text[:comma].rstrip()))
            return [found]
    if low == "in" and (obj := _child(tok, "pobj")) is not None and obj.lower_ in IN_VIEW:
        owner = _child(obj, "poss")
        if owner is None and _child(obj, "det") is not None and (of := _child(obj, "prep", "of")) is not None:
            owner = _child(of, "pobj")     # "in the view of X", not "in view of the fact"
        if owner is not None:
            content = _outside(sent, (tok.i, max(t.i for t in obj.subtree)))
            return [_make(owner, obj, sent, cue_tokens=[tok, obj], stance="claim", content=content, rule="in_view")]
    if tok.pos_ in ("NOUN", "PROPN") and low in CUE_NOUNS:
        return _noun_cue(tok, sent)
    if tok.dep_ == "acomp" and low in STANCE_ADJECTIVES | INTENT_ADJECTIVES or tok.dep_ == "prep" and low == "against":
        return _stance_predicate(tok, sent)
    if tok.tag_.startswith("VB") or tok.pos_ in ("VERB", "AUX") or (tok.dep_ == "ROOT" and low in FORMS):
        return _verb_cue(tok, sent)
    return []


def _verb_cue(verb: Token, sent: Span) -> list[Found]:
    lemma = verb_lemma(verb)
    subj = _subject(verb)
    artifact_subject = subj is not None and subj.lower_ in ARTIFACTS
    colon_next = verb.i + 1 < len(verb.doc) and verb.doc[verb.i + 1].text == ":"
    if lemma in ATTITUDES and lemma not in CUE_VERBS and not (artifact_subject and lemma in ARTIFACT_VERBS) \
            or lemma in ("ask", *EXPRESS_VERBS) or lemma == "call" and _calls_for(verb) is not None:
        return _attitude(verb, sent, lemma)
    quote_next = colon_next or _quote_opens(verb)
    if lemma not in CUE_VERBS and not (artifact_subject and lemma in ARTIFACT_VERBS) \
            and lemma not in ("call", "rule") and lemma not in INFERENCE and not (lemma == "continue" and quote_next):
        return []
    if lemma in INFERENCE and lemma not in CUE_VERBS and subj is None:
        return []
    if lemma in INFERENCE and subj is not None and not _speaks(subj):
        return []                      # "Pizarro's death shows that …", "footage showed …": evidence
    if subj is not None and _negative(subj):
        return []                      # "No group has claimed …"
    if lemma == "claim" and any(c.dep_ == "dobj" and c.lower_ in ("life", "lives") for c in verb.children):
        return []                      # "an explosion that claimed the lives of …"
    if verb.dep_ == "xcomp" and verb.head.lower_.startswith(("declin", "refus")):
        return []                      # "declined to call it terrorism"
    if _directed(verb):
        return []                      # "called upon the Mission … to report": asked to, not said
    stance: Stance = CUE_VERBS.get(lemma, "claim")
    cue_tokens = _verb_group(verb)
    content = _content(verb, sent)
    if lemma == "quote":               # "quoted the man as saying …": what he is quoted as saying
        saying = next((t for t in verb.subtree if t.lower_ == "saying" and t.i > verb.i), None)
        if saying is not None:
            content = _content(saying, sent) or (saying.idx + len(saying), sent.end_char)
    if lemma == "report" and any(c.dep_ == "prep" and c.lower_ == "from" and any(
            o.dep_ == "pobj" and o.ent_type_ in ("GPE", "LOC", "FAC") for o in c.children) for c in verb.children):
        return []                      # "Julie Davis reported from Midway Atoll": a byline
    if lemma == "rule":
        prt = _child(verb, "prt")
        if prt is None or prt.lower_ != "out":
            return []
        stance = "denial"
    if lemma == "call" and not (_child(verb, "oprd") or _child(verb, "xcomp") or _child(verb, "ccomp")):
        return []
    if lemma == "point" and not (_child(verb, "prt", "out") or _child(verb, "prep", "to")):
        return []
    if lemma == "point" and content is None and (to := _child(verb, "prep", "to")) is not None:
        obj = _child(to, "pobj")
        content = _span(obj) if obj is not None else None
    if content is None:
        obj = _child(verb, "dobj") or _child(verb, "obj")
        judged = obj is not None and (obj.right_edge.pos_ == "ADJ" and obj.right_edge.i > obj.i and obj.tag_ != "DT"
                                      or any(c.dep_ in ("oprd", "acomp") for c in verb.children))
        if obj is not None and lemma not in ("tell", "inform", "quote") and (lemma not in CLAUSE_ONLY or judged):
            content = _span(obj)     # "found that action unconstitutional": a judgement, not a discovery
    if content is None:
        # "neither denied nor confirmed the reports": the object is shared with the conjoined verb
        for conj in (c for c in verb.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")):
            content = _content(conj, sent)
            obj = _child(conj, "dobj")
            if content is None and obj is not None:
                content = _span(obj)
            if content is not None:
                break
    if content is None and subj is not None and subj.dep_ == "nsubjpass" and _agent(verb) is not None:
        content = _span(subj)          # "This was announced by X"
    if content is None:
        content = _quote_after(verb, sent)
    if content is None:
        # "told newsmen today after X was killed that …": a 'that' clause the parse hung elsewhere
        that = next((t for t in sent if t.i > verb.i and t.dep_ == "mark" and t.lower_ == "that"), None)
        if that is not None:
            content = (that.idx, sent.end_char)
    if lemma in NEEDS_CLAUSE and content is None:
        return []
    if content is None and lemma in STRONG and _subject(verb) is not None and sent.end - verb.i > 3:
        # "denied today in a telephone call …, any responsibility for …": the rest of the sentence
        content = (verb.idx + len(verb), sent.end_char)
    if content is None and not _quote_near(verb, sent):
        return []
    if content is None:
        content = (sent.start_char, sent.end_char)
    if subj is not None and subj.dep_ == "nsubj" and content[0] > verb.idx:
        # "It was, the president said, 'a stone where …'": the words before the inserted cue are content too
        first = subj.left_edge
        before = sent.doc[sent.start:first.i]
        if len([t for t in before if not t.is_punct]) >= 2 and before[-1].text == "," \
                and any(t.pos_ in ("VERB", "AUX") and t.lower_ != "according" for t in before) \
                and not any(t.pos_ in ("VERB", "AUX") and t.dep_ == "advcl" or t.lower_ == "according" for t in before):
            content = (sent.start_char, content[1])
    results: list[Found] = []
    # "quoted the unemployed man as saying …": the object of "quote" speaks
    if lemma == "say" and verb.dep_ in ("advcl", "xcomp", "pcomp", "acl") and verb.head.lower_ != verb.lower_:
        gov = verb.head if verb.head.pos_ in ("VERB", "AUX") else verb.head.head
        if verb_lemma(gov) == "quote":
            obj = _child(gov, "dobj")
            if obj is not None:
                results.append(_make(obj, verb, sent, cue_tokens=[t for t in (verb.head, verb) if t.lower_ == "as"] + [verb],
                                     stance="claim", content=content, rule="quoted_as_saying"))
                return results
    if verb.dep_ == "acl" and verb.tag_ == "VBN":
        return []                      # "a report published by X": the report is the source elsewhere
    if lemma in ("cite", "quote") and verb.tag_ == "VBG" and subj is None:
        cited = _child(verb, "dobj")
        if cited is not None and _speaks(cited) \
                and not (cited.lower_ in SPEECH_ARTIFACTS and _child(cited, "prep", "of")):   # "the release of"…
            # "Reuters, citing a local official, said …": the official is the source Reuters relays
            gov = verb.head
            relayed = _content(gov, sent) if gov.pos_ in ("VERB", "AUX") and gov.i != verb.i else None
            if relayed is None:
                relayed = _outside(sent, (verb.left_edge.i, verb.right_edge.i))
            return [_make(cited, verb, sent, cue_tokens=[verb], stance="claim", content=relayed, rule="citing")]
    if subj is None or subj.dep_ == "nsubjpass":
        agent = _agent(verb)
        if agent is not None and agent.lower_ in ARTIFACTS and subj is not None \
                and (subj.lower_ in ("this", "these", "that", "those", "it", "they", "which")
                     or any(c.dep_ == "det" and c.lower_ in ("this", "these", "that", "those", "such")
                            for c in subj.children)):
            return []                  # "These are refuted by the letter from …": the writer cites the letter
        if agent is not None:
            return [_make(agent, verb, sent, cue_tokens=cue_tokens, stance=stance, content=content, rule="passive_agent")]
        if verb.tag_ == "VBN" or any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
            return []
        subj = _inherited_subject(verb, lemma)
        if subj is None:
            return []
    if subj.lower_ == "there" or (subj.lower_ in NOT_SOURCES and subj.dep_ != "nsubj"):
        return []
    if subj.lower_ == "it" and (lemma not in CUE_VERBS or subj.dep_ != "nsubj" or _child(verb, "acomp")):
        return []
    if subj.dep_ == "nsubjpass":
        return []
    antecedent = None
    if subj.lower_ in ("who", "that", "which"):
        if verb.dep_ == "relcl":
            if subj.lower_ != "who" and not _speaks(verb.head):
                return []              # "video that shows …", "a raft of rules that promise …"
            antecedent = _span(verb.head, relcl=False)
        else:                               # the noun just before "who" (", who told …")
            prev = subj.i - 1
            while prev >= sent.start and sent.doc[prev].is_punct:
                prev -= 1
            if prev >= sent.start and sent.doc[prev].pos_ in ("PROPN", "NOUN"):
                antecedent = _span(sent.doc[prev], relcl=False)
    return [_make(subj, verb, sent, cue_tokens=cue_tokens, stance=stance, content=content,
                  rule="artifact_subject" if artifact_subject and lemma not in CUE_VERBS else "verb",
                  antecedent=antecedent)]


OBJECT_FORMS = frozenset("it there this these those her him them me us whom".split())
HYPOTHETICAL = frozenset("could might may would should".split())


def _attitude(verb: Token, sent: Span, lemma: str) -> list[Found]:
    """Intentions ("plans to retake the town", "called for a ceasefire"), perception ("residents saw
    soldiers …"), support and characterisation ("opposes the plan", "painted him as …"), attitudes
    expressed ("voiced concern about …"), decrees ("the court overturned the ruling") and questions
    ("asked whether …") of a subject that can hold them, each with its own content. Decrees and
    support also in the passive with their agent ("a penalty imposed by the bureau")."""
    if _directed(verb):
        return []
    subj = _subject(verb)
    passive = verb.tag_ == "VBN" and (verb.dep_ in ("amod", "acl") or subj is not None and subj.dep_ == "nsubjpass")
    if passive:
        agent = _agent(verb)
        if lemma not in DECREES or agent is None or not _speaks(agent) or agent.lower_ in NOT_SOURCES:
            return []
        done = subj if subj is not None else verb.head
        if done.pos_ not in ("NOUN", "PROPN", "NUM"):
            return []
        return [_make(agent, verb, sent, cue_tokens=_verb_group(verb), stance=_STANCE.get(lemma, "claim"),
                      content=_span(done, relcl=False, exclude=verb), rule="attitude")]
    if subj is None and verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        subj = _subject(verb.head)
    if subj is None and verb.tag_ == "VBG" and verb.dep_ == "advcl" and verb.head.pos_ in ("VERB", "AUX") \
            and verb.i > verb.head.i:
        subj = _subject(verb.head)     # "Clinton leaned in, painting Trump as …"
    if subj is None or subj.dep_ != "nsubj" or subj.lower_ in OBJECT_FORMS or _negative(subj) or not _speaks(subj):
        return []
    if any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL for c in verb.children):
        return []                      # "Patriot could threaten to …", "the top 1 percent would see …"
    if lemma not in EVALUATION and (subj.lower_ in SPEECH_ARTIFACTS or subj.lower_ in ARTIFACTS
                                    or subj.lower_ in SHARES):
        return []                      # studies and shares of voters hold no intentions and see nothing
    antecedent = None
    if subj.lower_ in ("who", "that", "which"):
        if verb.dep_ != "relcl" or not _speaks(verb.head):
            return []
        antecedent = _span(verb.head, relcl=False)
    xcomp = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")), None)
    to_infinitive = xcomp is not None and any(c.dep_ == "aux" and c.lower_ == "to" for c in xcomp.children)
    obj = _child(verb, "dobj")
    ccomp = _child(verb, "ccomp")
    stance: Stance = _STANCE.get(lemma, "claim")
    content: tuple[int, int] | None = None
    cue_tokens = _verb_group(verb)
    if lemma == "ask":
        wh = ccomp is not None and ccomp.left_edge.lower_ in ("whether", "if", "why", "how", "what", "when", "where",
                                                             "who", "which")
        content = _span(ccomp) if wh else None
        if content is None and not to_infinitive and obj is None:
            content = _quote_after(verb, sent) or _quote_before(verb, sent)
    elif lemma == "call":
        stance = "intention"
        what = _calls_for(verb)
        if what is not None:
            content = _span(what)
            cue_tokens = cue_tokens + [what.head]
    elif lemma in EXPRESS_VERBS:
        if obj is not None and obj.lower_ in ATTITUDE_NOUNS:
            about = next((c for c in obj.children if c.dep_ in ("acl", "ccomp", "relcl") and any(
                m.dep_ == "mark" and m.lower_ == "that" for m in c.children)), None)
            if about is None:
                prep = next((c for c in obj.children if c.dep_ == "prep" and c.lower_ in ABOUT), None)
                about = (_child(prep, "pobj") or _child(prep, "pcomp")) if prep is not None else None
            content = _span(about) if about is not None else _span(obj)
            cue_tokens = cue_tokens + [obj]
    elif lemma in INTENTION:
        if xcomp is not None and verb_lemma(xcomp) in CUE_VERBS and _child(xcomp, "ccomp") is not None:
            return []                  # "want to say that …": the saying is the attribution
        says_nothing = xcomp is not None and (verb_lemma(xcomp) in NO_CONTENT or xcomp.lower_ in NO_CONTENT) \
            and not any(c.dep_ in ("dobj", "ccomp") and c.pos_ != "PRON" for c in xcomp.children)
        if to_infinitive and not says_nothing:
            content = _span(xcomp)     # "refused to disclose his records", not "declined to comment"
        elif lemma in ("want", "wish", "prefer", "refuse", "decline") and (ccomp is not None or obj is not None) \
                and (obj is None or obj.pos_ != "PRON"):
            content = _span(ccomp if ccomp is not None else obj)
    elif lemma in PERCEPTION:
        if ccomp is not None:
            content = _span(ccomp)
        elif obj is not None and obj.pos_ in ("NOUN", "PROPN"):
            content = _span(obj)
    elif lemma in DECREES:
        if ccomp is not None:
            content = _span(ccomp)
        elif obj is not None and obj.pos_ in ("NOUN", "PROPN") and not (lemma in ("appoint", "nominate")
                                                                         and obj.ent_type_ != "PERSON"):
            content = _span(obj)
    else:
        as_ = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("as", "for")), None)
        oprd = _child(verb, "oprd")
        if lemma in VERBAL_ONLY and as_ is None and oprd is None:
            return []
        if obj is not None and obj.pos_ != "PRON" or obj is not None and (as_ is not None or oprd is not None):
            end = max([obj.right_edge.i] + [t.right_edge.i for t in (as_, oprd) if t is not None])
            content = (obj.left_edge.idx, sent.doc[end].idx + len(sent.doc[end]))
    if content is None:
        return []
    return [_make(subj, verb, sent, cue_tokens=cue_tokens, stance=stance, content=content, rule="attitude",
                  antecedent=antecedent)]


ABOUT = frozenset("about over for with at regarding on of".split())
_STANCE: dict[str, Stance] = {**{v: "intention" for v in INTENTION}, **{v: "decision" for v in DECREES}}


def _calls_for(verb: Token) -> Token | None:
    """What "called for" asks for ("called for a moratorium", "calls for releasing the videos")."""
    if any(c.dep_ in ("oprd", "xcomp", "ccomp") for c in verb.children):
        return None
    prep = _child(verb, "prep", "for")
    return (_child(prep, "pobj") or _child(prep, "pcomp")) if prep is not None else None


def _quote_opens(verb: Token) -> bool:
    """A quotation opens right after the verb ('She continued, “For us …'), with at most a comma between."""
    doc = verb.doc
    k = verb.i + 1
    if k < len(doc) and doc[k].text == ",":
        k += 1
    return k < len(doc) and doc[k].text in ('"', "“", "``", "''", "«")


def _stance_predicate(pred: Token, sent: Span) -> list[Found]:
    """A stance stated by an adjective or "against" after a copula, with its own content: "Republicans
    were concerned about …", "is confident that …", "were willing to go forward", "is against it"."""
    cop = pred.head
    if cop.lower_ not in COPULAS or pred.dep_ not in ("acomp", "prep") or pred.i < cop.i:
        return []
    subj = _subject(cop)
    if subj is None and cop.dep_ == "conj" and cop.head.pos_ in ("VERB", "AUX"):
        subj = _subject(cop.head)
    if subj is None or subj.dep_ != "nsubj" or subj.lower_ in OBJECT_FORMS | NOT_SOURCES or _negative(subj) \
            or not _speaks(subj) or subj.lower_ in SPEECH_ARTIFACTS | ARTIFACTS:
        return []
    if any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL for c in cop.children):
        return []
    content: tuple[int, int] | None = None
    if pred.pos_ == "ADP":
        obj = _child(pred, "pobj")
        content = _span(obj) if obj is not None else None
    else:
        for c in pred.children:
            if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX"):
                content = _span(c)
                break
            if c.dep_ == "prep" and c.lower_ in ABOUT | {"to", "in", "that"}:
                obj = _child(c, "pobj") or _child(c, "pcomp")
                if obj is not None:
                    content = _span(obj)
                    break
    if content is None:
        return []
    stance: Stance = "intention" if pred.lower_ in INTENT_ADJECTIVES else "claim"
    cue_tokens = [cop] + [c for c in cop.children if c.dep_ in ("aux", "neg") and abs(c.i - cop.i) <= 3] + [pred]
    antecedent = _span(cop.head, relcl=False) if subj.lower_ in ("who", "that", "which") and cop.dep_ == "relcl" \
        else None
    if subj.lower_ in ("who", "that", "which") and antecedent is None:
        return []
    return [_make(subj, pred, sent, cue_tokens=sorted(cue_tokens, key=lambda t: t.i), stance=stance, content=content,
                  rule="attitude", antecedent=antecedent)]


COPULAS = frozenset("is are was were be been being 's 're 'm am remain remains remained seem seems seemed appear "
                    "appears appeared".split())


def _noun_cue(noun: Token, sent: Span) -> list[Found]:
    owner = _child(noun, "poss")
    if owner is None:
        for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ in ("by", "from")):
            owner = _child(prep, "pobj")
            if owner is not None:
                break
    if owner is None or owner.lower_ in NOT_SOURCES:
        return []
    clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp", "relcl") and
                   any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)), None)
    if clause is None:
        clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp")), None)
    if clause is None:
        return []
    return [_make(owner, noun, sent, cue_tokens=[noun], stance=CUE_NOUNS[noun.lower_], content=_span(clause),
                  rule="speech_noun")]


def _make(src: Token, cue: Token, sent: Span, *, cue_tokens: list[Token], stance: Stance,
          content: tuple[int, int], rule: str, antecedent: tuple[int, int] | None = None) -> Found:
    src = _stray_head(src, cue)
    start, end = _source_span(src, cue)
    if cue_tokens:
        cs = min(t.idx for t in cue_tokens)
        ce = max(t.idx + len(t) for t in cue_tokens)
        cue_text = sent.doc.text[cs:ce] if ce - cs < 60 else " ".join(t.text for t in cue_tokens)
    else:
        cs, ce, cue_text = cue.idx, cue.idx + len(cue), cue.text
    creator = None
    if src.lower_ in ARTIFACTS:
        creator = _creator(src)
    return Found(source_start=start, source_end=end, head=src, cue=cue_text, cue_start=cs, cue_end=ce,
                 stance=stance, content_start=content[0], content_end=content[1], rule=rule,
                 creator=creator, antecedent=antecedent, governor=_governor(src, cue))


PERSONAL = {"he": "person", "she": "person", "it": "thing", "they": "plural"}


def _governor(src: Token, cue: Token) -> tuple[int, int] | None:
    """For a pronoun source in a subordinate clause, the subject of the clause above it
    ("The ministry ordered the arrest of five men, whom it blamed …" -> the ministry)."""
    kind = PERSONAL.get(src.lower_)
    if kind is None:
        return None
    for anc in cue.ancestors:
        if anc.pos_ not in ("VERB", "AUX"):
            continue
        subj = _subject(anc)
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
        return _span(subj)
    return None


def _creator(artifact: Token) -> tuple[int, int] | None:
    """'A joint warning issued by the FBI' -> the FBI; 'the president's report' -> the president."""
    owner = _child(artifact, "poss")
    if owner is not None:
        return _span(owner)
    named = [c for c in artifact.children if c.dep_ in ("compound", "nmod") and c.i < artifact.i
             and (c.ent_type_ in ("ORG", "NORP", "PERSON") or c.is_upper and len(c) >= 3 and not c.doc[artifact.i].is_upper)]
    if named:                          # "the MRTA letter", "an FMLN communique"
        return named[0].left_edge.idx, named[-1].idx + len(named[-1])
    for c in artifact.children:
        if c.dep_ == "acl":
            agent = _agent(c)
            if agent is not None:
                return _span(agent, exclude=_child(agent, "prep", "with"))
        if c.dep_ == "prep" and c.lower_ in ("by", "from", "of"):
            obj = _child(c, "pobj")
            if obj is not None and obj.pos_ in ("PROPN", "NOUN") and obj.lower_ not in ARTIFACTS:
                return _span(obj)
    return None




def _speaks(subj: Token) -> bool:
    """A subject that can make a claim: a person or organisation, or a speech artifact (not evidence
    such as footage or a death)."""
    if subj.lower_ in SPEECH_ARTIFACTS or subj.pos_ in ("PROPN", "PRON"):
        return True
    if subj.lower_ in SHARES:
        # "twelve percent indicated", "an average of polls shows", "a majority of voters believe"
        of = _child(subj, "prep", "of")
        whole = _child(of, "pobj") if of is not None else None
        return whole is None or _speaks(whole)
    low = subj.lower_
    one = low[:-3] + "y" if low.endswith("ies") else low[:-1] if low.endswith("s") else low
    return subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or low in PEOPLE or low in PERSON_ROLES \
        or one in PEOPLE or one in PERSON_ROLES








def _directed(verb: Token) -> bool:
    """An infinitive someone is asked or told to perform ('called on X to report', 'urged Y to
    say'): nobody has said anything yet."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    head = verb
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    gov = head.head
    if head.dep_ not in ("xcomp", "ccomp", "advcl") or gov.i == head.i or not gov.lower_.startswith(DIRECTIVES):
        return False
    if gov.lower_.startswith("call"):      # "called on X to …", not "called Caracol to report"
        return any(c.dep_ in ("prep", "prt") and c.lower_ in ("on", "upon") for c in gov.children)
    return any(c.dep_ in ("dobj", "prep") for c in gov.children)


def _negative(subj: Token) -> bool:
    return subj.lower_ in ("nobody", "none", "noone") or any(
        c.dep_ == "det" and c.lower_ in ("no", "neither") or c.dep_ in ("neg", "advmod") and c.lower_ == "not"
        for c in subj.children)


def _child(tok: Token, dep: str, lower: str | None = None) -> Token | None:
    for c in tok.children:
        if c.dep_ == dep and (lower is None or c.lower_ == lower):
            return c
    return None


def _subject(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj") and not c.is_punct), None)


def _agent(verb: Token) -> Token | None:
    by = next((c for c in verb.children if c.dep_ == "agent"), None)
    return _child(by, "pobj") if by is not None else None


def _inherited_subject(verb: Token, lemma: str) -> Token | None:
    """The subject a subjectless verb shares: a conjoined verb's, a participle's head noun or verb's."""
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        s = _subject(verb.head)
        if s is not None and s.dep_ != "nsubjpass":
            return s
        if verb.head.dep_ == "conj" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.head.children):
            return _inherited_subject(verb.head, lemma)   # "went … to learn … and described …"
        return None
    if lemma in INFERENCE:
        return None
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.lower_ in ("for", "by", "after", "before", "from",
                                                                            "without", "while", "in"):
        # "was criticized for saying …", "refuses to discuss them, aside from saying …": the clause's subject
        gov = verb.head.head
        while gov.pos_ in ("VERB", "AUX") and gov.head.i != gov.i and _subject(gov) is None \
                and gov.dep_ in ("xcomp", "conj", "advcl"):
            if _directed(gov):
                return None            # "called on Dean to apologize for accusing …": Dean accused
            gov = gov.head
        s = _subject(gov) if gov.pos_ in ("VERB", "AUX") else None
        return s if s is not None and _speaks(s) and s.lower_ not in NOT_SOURCES else None
    if verb.tag_ == "VBG" or verb.dep_ in ("advcl", "acl", "xcomp", "relcl"):
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            noun = verb.head
            if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and not _speaks(noun):
                return None                # "a plan to blame …"
            # "the Prime Minister issued a statement announcing …": the issuer speaks
            if noun.lower_ in ARTIFACTS and noun.dep_ in ("dobj", "obj") and noun.head.pos_ in ("VERB", "AUX"):
                s = _subject(noun.head)
                if s is not None and s.dep_ == "nsubj":
                    return s
            return noun
        if verb.dep_ == "xcomp" and verb.head.pos_ in ("VERB", "AUX"):
            obj = _child(verb.head, "dobj")
            if obj is not None and obj.i < verb.i and _speaks(obj):   # "enabled UNSMIL to confirm": UNSMIL confirms
                return obj
        if verb.dep_ == "relcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
            for anc in verb.ancestors:       # an infinitive the parse took for a relative clause
                if anc.pos_ in ("VERB", "AUX") and (s := _subject(anc)) is not None and s.dep_ == "nsubj":
                    return s
        if verb.dep_ in ("advcl", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
            s = _subject(verb.head)
            if s is not None and s.dep_ != "nsubjpass" and s.lower_ not in ("it", "there"):
                return s
        # "with Semyon Pegov … stating": the object of "with"
        for anc in verb.ancestors:
            if anc.pos_ in ("NOUN", "PROPN") and anc.dep_ == "pobj" and anc.head.lower_ == "with":
                return anc
            if anc.pos_ in ("VERB", "AUX"):
                break
    return None


def _verb_group(verb: Token) -> list[Token]:
    group = [verb] + [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt") and
                      abs(c.i - verb.i) <= 3]
    if verb.dep_ == "xcomp" and verb.head.pos_ in ("VERB", "AUX") and verb.head.i < verb.i and verb.i - verb.head.i <= 3:
        group.append(verb.head)
    return sorted(group, key=lambda t: t.i)


def _content(verb: Token, sent: Span) -> tuple[int, int] | None:
    for dep in ("ccomp", "xcomp", "csubj"):
        c = _child(verb, dep)
        if c is not None and c.i != verb.i:
            start, end = _span(c, relcl=False)
            more = next((k for k in verb.children if k.dep_ == "conj" and k.i > verb.i and c.i < verb.i
                         and k.pos_ in ("VERB", "AUX") and _subject(k) is not None), None)
            if more is not None:       # "X paid 8.9 percent, the agency said, and Y paid 0.8 percent"
                end = max(end, _span(more)[1])
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
        return _span(verb.head, relcl=False)
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ in ("about", "against", "to", "on", "of"):
            speech_of = c.lower_ == "of" and verb_lemma(verb) in SPEAK_OF
            obj = _child(c, "pcomp") if c.lower_ in ("to", "of") and not speech_of \
                else (_child(c, "pobj") or _child(c, "pcomp"))
            if obj is not None:          # "warned against …", "admitted to landing …", "spoke of …"
                return _span(obj)
    return None




def _quote_after(verb: Token, sent: Span) -> tuple[int, int] | None:
    """The quotation that follows a cue in its sentence ("stated on Sunday, "Our forces …"")."""
    text = sent.doc.text
    opening = [i for i in range(verb.idx, sent.end_char) if text[i] in '"“«']
    if not opening:
        return None
    start = opening[0]
    close = [i for i in range(start + 1, sent.end_char) if text[i] in '"”»']
    return (start, close[-1] + 1 if close else sent.end_char)


def _quote_before(verb: Token, sent: Span) -> tuple[int, int] | None:
    """The quotation that ends before a cue in its sentence ('"Why not?" she asked')."""
    text = sent.doc.text
    closing = [i for i in range(sent.start_char, verb.idx) if text[i] in '"”»']
    if not closing:
        return None
    opening = [i for i in range(sent.start_char, closing[-1]) if text[i] in '"“«']
    return (opening[0] if opening else sent.start_char, closing[-1] + 1)


def _quote_near(verb: Token, sent: Span) -> bool:
    text = sent.text
    return any(q in text for q in ('"', "“", "”", "«", "»")) or text.rstrip().endswith(":") \
        or (verb.i + 1 < len(sent.doc) and sent.doc[verb.i + 1].text == ":")


def _outside(sent: Span, phrase: tuple[int, int]) -> tuple[int, int]:
    """The larger side of the sentence outside token range `phrase` (the content of 'according to X')."""
    doc = sent.doc
    left = (sent.start_char, doc[phrase[0]].idx)
    right_tok = min(phrase[1] + 1, sent.end - 1)
    right = (doc[right_tok].idx, sent.end_char)
    return left if left[1] - left[0] > right[1] - right[0] else right


def _stray_head(src: Token, cue: Token) -> Token:
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
    if src.dep_ != "nsubj" or before is None or before.pos_ not in ("ADP", "VERB", "AUX", "PART") \
            or cue.i < src.i or before.i == cue.i:
        return src
    appos = next((c for c in src.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    return appos if appos is not None else src


def _source_span(src: Token, cue: Token) -> tuple[int, int]:
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
        if t.i > src.i and (t.dep_ == "npadvmod" and t.ent_type_ in ("DATE", "TIME") or t.dep_ == "prep" and any(
                o.dep_ == "pobj" and o.ent_type_ in ("DATE", "TIME") for o in t.children)):
            skip.update(x.i for x in t.subtree)      # "Trump this week said", "a group of doctors in 2015"
            continue
        incidental = t.dep_ == "acl" and t.tag_ == "VBG" and t.left_edge.i > src.i + 1 \
            and src.doc[t.left_edge.i - 1].text == "," \
            or t.dep_ == "appos" and t.i > src.i and t.left_edge.i > 0 and src.doc[t.left_edge.i - 1].text == "(" \
            and any(x.pos_ in ("VERB", "AUX") for x in t.subtree)
        if incidental:                     # "Trump, speaking to a veterans group, said"
            skip.update(x.i for x in t.subtree)
            before = src.doc[t.left_edge.i - 1] if t.left_edge.i > src.i + 1 else None
            if before is not None and before.is_punct:
                skip.add(before.i)
    left = [t for t in src.subtree if t.i < src.i and t.i not in skip]
    verb_at = max((t.i for t in left if t.pos_ in ("VERB", "AUX") and t.dep_ != "amod" and t.tag_ != "VBN"), default=-1)
    comma = min((t.i for t in left if t.text == "," and t.i > verb_at), default=-1) if verb_at >= 0 else -1
    if comma >= 0:                         # "As Obama appears set to veto …, Democratic nominee Hillary Clinton"
        skip.update(t.i for t in left if t.i <= comma)
    for t in left:
        if t.text in DASHES and t.whitespace_:
            # "FLINT, Mich., Oct. 4 (UPI) — Former President Bill Clinton": a dateline is no part of the source
            skip.update(x.i for x in left if x.i <= t.i)
    first = src.left_edge
    if first.i < src.i and first.dep_ == "advmod" and first.lower_ in FOCUS:
        skip.add(first.i)                  # "even China"
    return _span(src, exclude=cue, skip=skip)


FOCUS = frozenset(("even", "also"))
DASHES = frozenset(("—", "--", "―", "-", "–"))


def _span(tok: Token, *, relcl: bool = True, exclude: Token | None = None,
          skip: set[int] | None = None) -> tuple[int, int]:
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
    while toks and (toks[-1].is_punct and toks[-1].text not in (")", "]") or toks[-1].dep_ == "cc") \
            and toks[-1].i != tok.i:
        toks = toks[:-1]
    if not toks:
        return tok.idx, tok.idx + len(tok)
    doc, last = tok.doc, toks[-1]
    while last.i + 2 < len(doc) and doc[last.i + 1].text == "-" and not last.whitespace_ \
            and not doc[last.i + 1].whitespace_:
        last = doc[last.i + 2]          # "His ex-wife" split by the parser
    return toks[0].idx, last.idx + len(last)
