"""Rebuild corpus/ from ../shared/data (what the data's SOURCE.md files allow to ship).

    python scripts/build_corpus.py [--shared ../shared] [--muc4-splits dev test]

corpus/seed/        the seed article
corpus/un-sc/       ten UN Security Council documents (PDF)
corpus/muc4.jsonl   MUC-4 reports, one JSON record per line. The wire copy's hard line wraps are
                    joined (paragraph breaks kept) so that a quoted passage is also a verbatim
                    span of the file itself.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def unwrap(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(re.sub(r"\s*\n\s*", " ", p).strip() for p in paragraphs if p.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=HERE.parent / "shared")
    ap.add_argument("--muc4-splits", nargs="+", default=["dev", "test"])
    a = ap.parse_args()
    data = a.shared / "data"
    out = HERE / "corpus"
    (out / "seed").mkdir(parents=True, exist_ok=True)
    (out / "un-sc").mkdir(parents=True, exist_ok=True)
    for f in (data / "seed").glob("*.txt"):
        shutil.copy2(f, out / "seed" / f.name)
    for f in (data / "un-sc-reports").glob("*.pdf"):
        shutil.copy2(f, out / "un-sc" / f.name)
    with open(out / "muc4.jsonl", "w", encoding="utf-8") as fh:
        for split in a.muc4_splits:
            for key, rec in json.loads((data / "muc4" / f"{split}.json").read_text()).items():
                text = unwrap(rec["doc"])
                first = " ".join(text.split()[:9])
                fh.write(
                    json.dumps(
                        {"id": key, "title": f"{key}: {first}…", "outlet": "FBIS (MUC-4 corpus)", "text": text},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    print(f"corpus written to {out}")


if __name__ == "__main__":
    main()
