"""Write the MUC-4 training reports that scripts/data/conflict_train.jsonl asks about, one text file
each, from ../shared/data/muc4/train.json (they are not in the bundled corpus):

    python scripts/conflict_train_docs.py OUT_DIR [--shared ../shared]
    assistant ingest corpus OUT_DIR --index DIR      # the --conflict-index of scripts/fit_answer_model.py

The questions on the UN reports need only the bundled corpus. Each text is the report's "doc" field
byte for byte.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    a = ap.parse_args()
    wanted = sorted(
        {
            q["doc"].split(":", 1)[1]
            for q in map(json.loads, open(ROOT / "scripts" / "data" / "conflict_train.jsonl"))
            if q["doc"].startswith("muc4:")
        }
    )
    reports = json.loads((a.shared / "data" / "muc4" / "train.json").read_text())
    a.out.mkdir(parents=True, exist_ok=True)
    for key in wanted:
        (a.out / f"muc4_{key}.txt").write_text(reports[key]["doc"])
    print(f"{len(wanted)} reports written to {a.out}")


if __name__ == "__main__":
    main()
