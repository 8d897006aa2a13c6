"""The words the stages look for, in one place: cue verbs and nouns with the stance they mark,
speech artifacts, roles and titles of people, pronouns, the speech verbs of questions, month
names. Every stage imports them from here (two lists of the same words drift); the source types
are the `SourceType` literal and `SOURCE_TYPES` in types.py.

Pure data and two helpers (`FORMS`: each inflected form of a cue verb -> its lemma; `alternation`:
a word list as a regular-expression group); no spaCy.

Longer than 400 lines by design: it is word tables, not logic, and splitting them up again would
bring back the copies that drift.
"""

from __future__ import annotations

from .types import Stance

IRREGULAR = {
    "say": ["says", "said", "saying"],
    "tell": ["tells", "told", "telling"],
    "write": ["writes", "wrote", "written", "writing"],
    "think": ["thinks", "thought", "thinking"],
    "know": ["knows", "knew", "known", "knowing"],
    "find": ["finds", "found", "finding"],
    "show": ["shows", "showed", "shown", "showing"],
    "hold": ["holds", "held", "holding"],
    "deny": ["denies", "denied", "denying"],
    "rule": ["rules", "ruled", "ruling"],
    "quote": ["quotes", "quoted", "quoting"],
    "speak": ["speaks", "spoke", "spoken", "speaking"],
    "admit": ["admits", "admitted", "admitting"],
    "tweet": ["tweets", "tweeted", "tweeting"],
    "testify": ["testifies", "testified", "testifying"],
    "reply": ["replies", "replied", "replying"],
    "identify": ["identifies", "identified", "identifying"],
    "specify": ["specifies", "specified", "specifying"],
    "insist": ["insists", "insisted", "insisting"],
    "fear": ["fears", "feared", "fearing"],
    "commit": ["commits", "committed", "committing"],
    "accuse": ["accuses", "accused", "accusing"],
    "acknowledge": ["acknowledges", "acknowledged", "acknowledging"],
    "argue": ["argues", "argued", "arguing"],
    "vow": ["vows", "vowed", "vowing"],
    "quip": ["quips", "quipped", "quipping"],
    "see": ["sees", "saw", "seen", "seeing"],
    "hear": ["hears", "heard", "hearing"],
    "seek": ["seeks", "sought", "seeking"],
    "plan": ["plans", "planned", "planning"],
    "prefer": ["prefers", "preferred", "preferring"],
    "dub": ["dubs", "dubbed", "dubbing"],
    "label": ["labels", "labeled", "labelled", "labeling", "labelling"],
    "tie": ["ties", "tied", "tying"],
    "veto": ["vetoes", "vetoed", "vetoing"],
    "uphold": ["upholds", "upheld", "upholding"],
    "decree": ["decrees", "decreed", "decreeing"],
}

CUE_VERBS: dict[str, Stance] = {}
for _stance, _verbs in {
    "claim": "say state add claim assert insist maintain argue contend declare note explain stress emphasize "
    "emphasise comment remark reply respond answer recall conclude write tweet post warn predict promise "
    "pledge vow suggest indicate estimate describe characterize characterise believe think fear hope "
    "expect suspect know assure affirm reiterate repeat explain caution tell inform speak testify "
    "confirm corroborate specify estimate boast complain lament acknowledge cite agree disagree "
    "find criticize criticise question mention point blast slam discuss demand echo "
    "liken praise endorse worry feel dispute reference detail outline defend applaud welcome learn "
    "understand doubt recommend acknowledge concur wonder guess assume calculate project forecast "
    "joke quip shout yell scream exclaim whisper mutter retort marvel muse".split(),
    "acknowledgement": "acknowledge admit concede recognize recognise".split(),
    "denial": "deny reject dismiss refute disavow disclaim rebut contradict".split(),
    "accusation": "accuse blame allege charge denounce".split(),
    "report": "report disclose reveal publish broadcast announce quote relay".split(),
}.items():
    for _v in _verbs:
        CUE_VERBS.setdefault(_v, _stance)  # type: ignore[arg-type]
CUE_VERBS["acknowledge"] = "acknowledgement"

# Attitudes PolNeAR counts as attributions beyond speech (its guidelines: intentions and desires,
# perception, support and opposition). Each needs a speaking subject and its own content.
# Intentions take an infinitive ("plans to retake the town"; want, wish and prefer also an object).
INTENTION = frozenset("want plan intend seek aim wish prefer refuse decline threaten offer".split())
# Refusing to speak carries no content ("declined to comment").
NO_CONTENT = frozenset(
    "comment speak elaborate say discuss answer respond confirm identify disclose give provide "
    "talk reveal specify name call".split()
)
# Perception: "witnesses saw soldiers dragging bodies", "residents heard that …".
PERCEPTION = frozenset("see hear notice witness observe realize realise perceive".split())
# Support, opposition and characterisation of something ("opposes the plan", "painted him as …").
# "attack" and "hammer" only with "as"/"for" (otherwise they are acts of war).
EVALUATION = frozenset(
    "support oppose back favor favour embrace advocate champion tout promote hail laud mock "
    "ridicule scold chastise grill challenge portray paint depict label brand dub decry lambast "
    "deride downplay tie link attack hammer".split()
)
VERBAL_ONLY = frozenset("attack hammer tie link paint".split())
# Decrees, rulings and appointments, which rest on a written decision (PolNeAR counts them): "the court
# overturned the ruling", "a penalty imposed by the bureau". Only with an institution or person as subject
# or agent, and an object.
DECREES = frozenset(
    "approve enact repeal overturn overrule veto impose appoint nominate authorize authorise decree "
    "abolish propose".split()
)
# Stating an attitude through a noun: "expressed concern about …", "voiced support for …".
EXPRESS_VERBS = frozenset("express voice".split())
ATTITUDE_NOUNS = frozenset(
    "concern concerns support opposition doubt doubts reservation reservations frustration "
    "interest hope hopes confidence regret skepticism scepticism outrage anger dismay "
    "disappointment optimism pessimism fear fears worry worries sympathy solidarity "
    "gratitude satisfaction alarm disapproval approval displeasure misgivings".split()
)
# A stance stated by an adjective with its own content ("is confident that …", "were concerned about …",
# "were willing to go forward"); "was happy" alone is a description, not an attribution.
STANCE_ADJECTIVES = frozenset(
    "concerned worried confident convinced skeptical sceptical sure certain aware critical "
    "supportive opposed pleased disappointed optimistic pessimistic hopeful adamant "
    "doubtful wary unsure unconvinced adamant insistent".split()
)
INTENT_ADJECTIVES = frozenset("willing unwilling determined eager reluctant keen".split())
ATTITUDES = INTENTION | PERCEPTION | EVALUATION | DECREES
# The last word of a cue that states no words of the source's: a quotation after it is not theirs.
NOT_SPEECH = ATTITUDES | EXPRESS_VERBS | STANCE_ADJECTIVES | INTENT_ADJECTIVES | ATTITUDE_NOUNS | {"against"}

# Cue verbs whose object is their content even when the parse does not say so.
STRONG = frozenset(
    "deny reject dismiss refute claim report announce acknowledge admit confirm accuse blame denounce "
    "allege disclose reveal".split()
)
# Verbs that only attribute with an explicit (non-participial) subject: "reports indicate",
# but "…, indicating the presence" is the writer's inference.
INFERENCE = frozenset("indicate suggest show mean prove signal reveal".split())
# Manner of speaking: a cue only with a clause or a quotation ("joked that …", not "shouted slogans").
MANNER = frozenset("joke quip shout yell scream exclaim whisper mutter retort marvel muse".split())
# Knowing and finding something is no attribution; knowing or finding that something is so is one.
CLAUSE_ONLY = MANNER | frozenset("know find learn feel understand".split())
# Verbs that need a clause, a quote or an object that is not a person to carry content.
NEEDS_CLAUSE = (
    frozenset(
        "tell inform speak add explain find feel learn understand know see point guess wonder assume calculate".split()
    )
    | MANNER
)
# Verbs a speech artifact can take as a cue ("The statement detailed …", "Polls show …").
ARTIFACT_VERBS = frozenset(
    "detail describe list outline show document cite highlight find record mention "
    "specify indicate suggest reveal note state say claim allege accuse blame report "
    "warn conclude estimate confirm deny add announce call urge".split()
)
CUE_NOUNS: dict[str, Stance] = {
    **{
        n: "claim"
        for n in "claim claims assertion assertions statement statements view views belief opinion "
        "estimate estimates argument contention insistence words remarks comments account "
        "version assessment warning warnings testimony promise pledge".split()
    },
    **{n: "denial" for n in "denial denials rejection".split()},
    **{n: "acknowledgement" for n in "admission acknowledgement acknowledgment confession".split()},
    **{n: "accusation" for n in "accusation accusations allegation allegations charge charges".split()},
    **{n: "report" for n in "report reports announcement".split()},
}
IN_VIEW = frozenset("view opinion words estimation assessment judgment judgement eyes".split())


def _inflect(verb: str) -> list[str]:
    if verb in IRREGULAR:
        return IRREGULAR[verb]
    if verb.endswith("e"):
        return [verb + "s", verb + "d", verb[:-1] + "ing"]
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return [verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"]
    if verb.endswith(("s", "sh", "ch", "x")):
        return [verb + "es", verb + "ed", verb + "ing"]
    return [verb + "s", verb + "ed", verb + "ing"]


# Every form of the verbs above -> its lemma (spaCy's lemmatizer is not run at ingest).
FORMS: dict[str, str] = {}
for _v in (
    set(CUE_VERBS)
    | ARTIFACT_VERBS
    | INFERENCE
    | ATTITUDES
    | EXPRESS_VERBS
    | {"call", "quote", "rule", "claim", "continue", "ask"}
):
    FORMS[_v] = _v
    for _f in _inflect(_v):
        FORMS.setdefault(_f, _v)
VERB_FORMS = frozenset(FORMS)


# Cognition: a state of mind inside another cue's content is the outer speaker's ("said he thinks").
COGNITION = frozenset(
    "think believe expect hope know feel fear suspect understand assume guess wonder worry doubt learn find".split()
)


# Words that open a line without being a speaker ("Photo: …", "Editor's note: …").
LABELS = frozenset(
    "the latest|correction|update|note|editor's note|editor’s note|related|watch|photo|video|"
    "read more|source|sources|q|a|advertisement|warning|breaking|exclusive|analysis|opinion|"
    "subscribe|share|tags|comments|summary|background|context|note to editors|attention|"
    "map source".split("|")
)

# Speech artifacts that can make a claim as a subject of an inference verb ("the poll shows").
SPEECH_ARTIFACTS = frozenset(
    "statement statements communique communiqué report reports letter letters warning "
    "release note message post posts tweet tweets announcement declaration document documents "
    "study studies survey surveys poll polls analysis assessment review investigation "
    "inquiry audit bulletin memo data figures estimates account accounts".split()
)

# Things that carry words and stand for whoever made them ("the statement", "a video shared by X").
ARTIFACTS = frozenset(
    "statement statements communique communiqué report reports letter letters warning release note message "
    "video videos footage post posts tweet tweets announcement declaration document documents study survey "
    "poll polls record records account accounts bulletin transcript broadcast memo leaflet complaint "
    "indictment filing petition".split()
)

# Evidence, not speakers: "video surveillance showed …" (unless someone made or shared it).
EVIDENCE = frozenset(
    "video videos footage surveillance images image photos photo photographs photograph pictures "
    "imagery recording recordings".split()
)

# "twelve percent indicated", "a majority of voters believe": a share of its whole.
SHARES = frozenset(
    "percent per cent majority minority plurality share half third quarter average most many some few all".split()
)

# Common nouns for people and bodies that speak.
PEOPLE = frozenset(
    "official officials spokesman spokeswoman spokesperson experts analysts researchers scientists "
    "police army military government ministry authorities investigators witnesses residents sources "
    "leaders officers doctors lawyers prosecutors critics observers diplomats narrator host moderator "
    "opposition regulator regulators "
    "anchor voters supporters opponents protesters activists advocates economists historians scholars "
    "aides advisers advisors staff campaign party committee council commission court judges panel "
    "democrats republicans lawmakers legislators senators members candidates nominee rebels guerrillas "
    "insurgents militants fighters troops soldiers commanders group movement alliance coalition union "
    "unions agency department administration people citizens families victims survivors villagers "
    "parents students workers employees farmers refugees prisoners detainees".split()
)

# Verb stems of asking or telling someone to do something ("urged X to report"): nothing said yet.
DIRECTIVES = (
    "urg",
    "ask",
    "call",
    "request",
    "encourag",
    "invit",
    "demand",
    "requir",
    "order",
    "instruct",
    "mandat",
    "direct",
    "appeal",
    "press",
    "allow",
    "authori",
    "permit",
    "tell",
    "told",
)

# Speech verbs whose "of" phrase is their content ("spoke of the legacy of racism").
SPEAK_OF = frozenset("speak talk write warn boast complain".split())

# Roles of people (singular): "the spokesman", "a member of …" name one person, not a body.
PERSON_ROLES = frozenset(
    "spokesperson spokesman spokeswoman member minister president official leader lawyer governor mayor "
    "commander colonel general chief director ambassador representative envoy secretary analyst expert "
    "witness resident man woman suspect driver officer captain major prosecutor judge senator deputy "
    "blogger journalist reporter correspondent trafficker capo priest bishop doctor nurse student farmer "
    "teacher survivor victim attorney businessman source soldier guerrilla rebel militant fighter".split()
)
# Titles and offices before a name ("PRESIDENT ALAN GARCIA", "Gen. Ochoa"), the ones shared by both lists below.
TITLES = frozenset(
    "president general colonel col gen minister commander captain major lieutenant sergeant "
    "mr mrs ms dr governor mayor ambassador senator deputy spokesman spokeswoman chief".split()
)
# Truecasing: the words after these are a name.
TITLE_WORDS = TITLES | frozenset("judge bishop archbishop father director leader".split())
# Words that say who someone is rather than name them ("the defence minister", "Army spokesperson"):
# no part of a name a question or a speaker is matched by.
DESCRIBING_WORDS = TITLES | frozenset(
    "defense defence foreign interior spokesperson secretary representative "
    "permanent army military police government ministry the sheikh admiral prime "
    "vice".split()
)
# "the group said", "the official said": a description that stands for the last armed group, or the
# last government, military or police source.
GROUP_HEADS = frozenset("group movement organization organisation alliance coalition rebels".split())
OFFICIAL_HEADS = frozenset("official officials spokesman spokeswoman spokesperson".split())
# Modifiers that make another person of a role ("the vice president" is not "the president").
MODIFIERS = frozenset("vice deputy former ex assistant acting interim".split())

PRONOUNS_PERSON = frozenset({"he", "she", "him", "her", "his", "hers"})
PRONOUNS_PLURAL = frozenset({"they", "them", "their", "theirs"})
PRONOUNS_FIRST = frozenset({"i", "we", "me", "us", "my", "our"})
RELATIVE = frozenset({"who", "which", "that", "whom", "whose"})
NOT_SOURCES = frozenset("it there this that what which".split())

# Speech verbs as a question names them ("what did the army say", "has X denied"), as written (no lemma):
# the forms both the question reader and the follow-up rewriter know, and what each adds.
SPEECH_FORMS = (
    "say",
    "said",
    "says",
    "claim",
    "claimed",
    "claims",
    "report",
    "reported",
    "reports",
    "state",
    "stated",
    "tell",
    "told",
    "announce",
    "announced",
    "acknowledge",
    "acknowledged",
    "admit",
    "admitted",
    "confirm",
    "confirmed",
    "deny",
    "denied",
    "think",
    "respond",
    "responded",
)
QUESTION_SPEECH_FORMS = SPEECH_FORMS + (
    "accuse",
    "accused",
    "allege",
    "alleged",
    "believe",
    "call",
    "called",
    "explain",
    "explained",
    "describe",
    "described",
    "blame",
    "blamed",
    "reject",
    "rejected",
)
FOLLOWUP_SPEECH_FORMS = SPEECH_FORMS + ("thinks", "react", "reacted", "comment", "commented", "put it", "count", "give")


def alternation(words: tuple[str, ...]) -> str:
    """A regular-expression group matching any of `words` ("(?:say|said|…)")."""
    return "(?:" + "|".join(words) + ")"


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# "jan" -> 1 … "dec" -> 12: a month's number from the first three letters of its name.
MONTH_NUMBERS = {m[:3].lower(): i for i, m in enumerate(MONTHS, start=1)}


# Subjects that hold no attitude of their own: object pronouns and demonstratives.
OBJECT_FORMS = frozenset("it there this these those her him them me us whom".split())
# Modals of what has not happened ("could threaten to …", "would see …").
HYPOTHETICAL = frozenset("could might may would should".split())
# Prepositions that introduce what an attitude is about ("concern about …", "anger over …").
ABOUT = frozenset("about over for with at regarding on of".split())
# The stance of an attitude verb that is not a claim.
ATTITUDE_STANCE: dict[str, Stance] = {**{v: "intention" for v in INTENTION}, **{v: "decision" for v in DECREES}}
# Copulas before a stance adjective ("were concerned about …").
COPULAS = frozenset(
    "is are was were be been being 's 're 'm am remain remains remained seem seems seemed appear "
    "appears appeared".split()
)
# What a personal pronoun stands for.
PERSONAL = {"he": "person", "she": "person", "it": "thing", "they": "plural"}
# Focus adverbs before a source ("even China"): no part of it.
FOCUS = frozenset(("even", "also"))
DASHES = frozenset(("—", "--", "―", "-", "–"))


# -- words of quotations and statements (quotes.py) ----------------------------------------------------------
# First and second person inside a quotation are the quoted speaker's own words ("I think …").
INSIDE_QUOTE_ONLY = frozenset("i we you me us".split())
LAYOUT_CUES = frozenset(":―")  # '"PENCE: …' and '… ― Name' mark the speaker of a quotation
# A written statement that gives details ("The statement detailed …"): its verbs and its nouns.
DETAILING = frozenset("detail list outline describe specify report add say state announce claim".split())
STATEMENTS = frozenset(
    "statement statements communique communiqué release declaration bulletin letter report message".split()
)
