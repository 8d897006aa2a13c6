"""spaCy's attribute rules by table lookup: the `attribute_ruler` of en_core_web_sm (fine tag ->
part of speech and morphology, plus word exceptions) applied without spaCy's Matcher, which costs
a quarter of the whole parse on this machine. Same rules, same order, same result: the rules are
read from the model's own ruler, every match is found and applied in the ruler's order (later
rules win), and a rule this lookup cannot express keeps the original component in place.

`use_lookup(nlp)` swaps the component in a loaded pipeline; it returns False (and changes nothing)
when the pipeline has no attribute ruler or a pattern it does not support.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

NAME = "assistant_attribute_rules"
_FEATURES = ("TAG", "LOWER", "DEP", "IS_SPACE")
_REMEMBERED = 200_000  # feature combinations whose first-token matches are kept

Test = Callable[[int], bool]


@dataclass(frozen=True)
class _Pattern:
    rule: int  # the ruler's rule index: later rules are applied later
    tests: tuple[tuple[tuple[int, Test], ...], ...]  # per token: (feature column, test)
    target: int  # which token of the match gets the attributes


class AttributeRules:
    """The ruler's patterns, indexed by the fine tag or lower-case form of their first token."""

    def __init__(self, ruler: Any) -> None:
        strings = ruler.vocab.strings
        self.attrs, self.strings = ruler.attrs, strings
        self.by_tag: dict[int, list[_Pattern]] = {}
        self.by_lower: dict[int, list[_Pattern]] = {}
        self.general: list[_Pattern] = []
        self._first: dict[tuple[int, ...], tuple[_Pattern, ...]] = {}
        for rule, spec in enumerate(ruler.patterns):
            for tokens in spec["patterns"]:
                n = len(tokens)
                index = spec.get("index", 0)
                target = index if index >= 0 else n + index
                pattern = _Pattern(
                    rule=rule,
                    target=target,
                    tests=tuple(
                        tuple((_FEATURES.index(k), self._test(k, v)) for k, v in tok.items()) for tok in tokens
                    ),
                )
                first = tokens[0]
                if isinstance(first.get("TAG"), str):
                    self.by_tag.setdefault(strings.add(first["TAG"]), []).append(pattern)
                elif isinstance(first.get("LOWER"), str):
                    self.by_lower.setdefault(strings.add(first["LOWER"]), []).append(pattern)
                elif isinstance(first.get("LOWER"), dict) and set(first["LOWER"]) == {"IN"}:
                    for word in first["LOWER"]["IN"]:
                        self.by_lower.setdefault(strings.add(word), []).append(pattern)
                else:
                    self.general.append(pattern)

    def _test(self, key: str, value: Any) -> Test:
        if key not in _FEATURES:
            raise ValueError(f"unsupported attribute {key}")
        if key == "IS_SPACE":
            if not isinstance(value, bool):
                raise ValueError(f"unsupported IS_SPACE value {value!r}")
            return lambda v: bool(v) == value
        if isinstance(value, str):
            h = self.strings.add(value) if value else 0
            return lambda v: v == h
        if isinstance(value, dict) and len(value) == 1:
            ((op, arg),) = value.items()
            if op in ("IN", "NOT_IN") and isinstance(arg, list):
                hashes = frozenset(self.strings.add(a) if a else 0 for a in arg)
                return (lambda v: v in hashes) if op == "IN" else (lambda v: v not in hashes)
            if op == "REGEX" and isinstance(arg, str):
                rx, seen = re.compile(arg), {}
                return lambda v: seen[v] if v in seen else seen.setdefault(v, bool(rx.search(self.strings[v])))
        raise ValueError(f"unsupported {key} pattern {value!r}")

    def _starting(self, row: list[int]) -> tuple[_Pattern, ...]:
        """The patterns whose first token matches a token with these features (remembered: the
        same tag, word and dependency recur, and a few patterns would otherwise be tried on every token)."""
        key = tuple(row)
        hit = self._first.get(key)
        if hit is None:
            hit = tuple(
                p
                for p in (*self.by_tag.get(row[0], ()), *self.by_lower.get(row[1], ()), *self.general)
                if all(test(row[col]) for col, test in p.tests[0])
            )
            if len(self._first) >= _REMEMBERED:
                self._first.clear()
            self._first[key] = hit
        return hit

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.tokens._retokenize import set_token_attrs

        rows = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        found: list[tuple[int, int, int]] = []  # (rule, start, token)
        for i, row in enumerate(rows):
            for p in self._starting(row):
                n = len(p.tests)
                if (
                    n == 1
                    or i + n <= len(rows)
                    and all(test(rows[i + j][col]) for j in range(1, n) for col, test in p.tests[j])
                ):
                    found.append((p.rule, i, i + p.target))
        for rule, _, t in sorted(set(found)):
            set_token_attrs(doc[t], self.attrs[rule])
        return doc


def _make(nlp, name):  # type: ignore[no-untyped-def]
    # No annotations: older confection (spaCy 3.8.6's) validates factory arguments against them and
    # cannot resolve the string "Language" that `from __future__ import annotations` leaves.
    return AttributeRules(nlp.get_pipe("attribute_ruler"))


def use_lookup(nlp: Language) -> bool:
    """Run the attribute rules by lookup instead of the pipeline's `attribute_ruler` (disabled)."""
    from spacy.language import Language

    if "attribute_ruler" not in nlp.pipe_names:
        return False
    if not Language.has_factory(NAME):
        Language.factory(NAME, func=_make)
    try:
        nlp.add_pipe(NAME, after="attribute_ruler")
    except (ValueError, KeyError, TypeError):
        return False
    nlp.disable_pipe("attribute_ruler")
    return True
