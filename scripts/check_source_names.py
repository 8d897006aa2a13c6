#!/usr/bin/env python3
"""Check the source names the assistant shows for the given files: none longer than twelve words,
none a bare pronoun, a dangling possessive ("Mali's") or a caption/credit line.

    python scripts/check_source_names.py corpus/seed corpus/un-sc corpus/muc4.jsonl [--records 60]

Prints each problem (file, name, what is wrong, the sentence) and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.analyse import analyse, load_analyzer
from assistant.clean import clean
from assistant.config import Settings
from assistant.load import load_file
from assistant.sources import name_problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--records", type=int, default=60, help="at most this many records of a corpus file (jsonl)")
    args = ap.parse_args()
    settings = Settings.from_env()
    analyzer = load_analyzer(settings.spacy_model)
    files = [f for p in args.paths for f in (sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p])]
    names = problems = 0
    for f in files:
        loaded = load_file(f, pdf_timeout=settings.pdf_timeout, pdf_memory_mb=settings.pdf_memory_mb)
        for raw in loaded.documents[: args.records]:
            doc = clean(raw)
            for a in analyse(doc, analyzer=analyzer).attributions:
                names += 1
                for what in name_problems(a.source_resolved):
                    problems += 1
                    sentence = " ".join(doc.text[a.sentence_start : a.sentence_end].split())[:120]
                    print(f"{f.name}{':' + doc.key if doc.key else ''}: {a.source_resolved!r}: {what} | {sentence}")
    print(f"{names} source names in {len(files)} files, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
