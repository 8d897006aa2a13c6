"""Command line: `assistant ingest|ask|attributions|documents|delete|web`.

JSON output (--json) is stable: other programs parse it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .config import Settings, quiet_runtime
from .errors import AssistantError, ConfigError
from .types import SOURCE_TYPES


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(index_dir=getattr(args, "index", None), chroma_url=getattr(args, "chroma_url", None))


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .errors import IngestInterrupted, IngestStopped
    from .pipeline import ingest, open_assistant

    assistant = open_assistant(_settings(args))
    bar = tqdm(total=0, unit="file", desc="ingest", file=sys.stderr, disable=args.quiet)

    def progress(stage: str, done: int, total: int) -> None:
        with _ctrl_c_after():  # never inside tqdm's lock: a leaked lock hangs the exit
            if stage == "files":
                bar.total = total
                bar.n = done
                bar.refresh()
            elif stage == "chunks":
                bar.set_postfix_str(f"+{done} chunks", refresh=True)
            elif stage == "keyword index" and done == 0:
                bar.set_description("keyword index")

    try:
        report = ingest([Path(p) for p in args.paths], assistant=assistant, progress=progress)
    except IngestStopped as stopped:  # the index failed, the disk filled up, or Ctrl-C: what got in
        bar.close()
        _print_report(stopped.report, json_out=args.json)  # type: ignore[arg-type]
        print(f"error: {stopped}", file=sys.stderr)
        if isinstance(stopped, IngestInterrupted):
            # Everything committed is written and the index released; the embedding threads may still
            # be on a batch that will not be stored, and waiting for them at exit can deadlock on
            # tqdm's lock (held by a thread the signal interrupted): leave now.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 2
    bar.close()
    _print_report(report, json_out=args.json)
    return 1 if report.failed else 0


@contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back until the block is done."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _print_report(report: Any, *, json_out: bool) -> None:
    from .present import report_dict

    data = report_dict(report)
    if json_out:
        _print_json(data)
        return
    for f in data["files"]:
        extra = f" ({f['chunks']} chunks)" if f["chunks"] else ""
        why = f": {f['reason']}" if f["reason"] else ""
        print(f"{f['status']:>9}  {f['path']}{extra}{why}")
    s = data["summary"]
    others = "".join(f", {s[k]} {k}" for k in ("duplicate", "skipped") if s.get(k))
    print(
        f"{s['files']} files: {s['added']} added, {s['updated']} updated, {s['unchanged']} unchanged{others}, "
        f"{s['failed']} failed; {s['chunks']} chunks in {s['seconds']} s"
    )


def _filters(args: argparse.Namespace):  # -> Filters
    from .types import Filters

    return Filters(
        doc_ids=tuple(args.doc or ()),
        outlets=tuple(args.outlet or ()),
        date_from=args.date_from,
        date_to=args.date_to,
        source_types=tuple(args.source_type or ()),
        source=args.source,
    )


def cmd_ask(args: argparse.Namespace) -> int:
    from .errors import IndexError_
    from .pipeline import ask, index_location, open_assistant, writer_at_work
    from .present import answer_dict, answer_markdown, error_dict

    if args.question != "-" and not args.question.strip():
        raise ConfigError('the question is empty; ask something, e.g. assistant ask "Who attacked the convoy?"')
    if args.date_from and args.date_to and _first_day(args.date_from) > _last_day(args.date_to):
        raise ConfigError(f"--from {args.date_from} is after --to {args.date_to}: no date can be in that range")
    assistant = open_assistant(_settings(args), create=False)
    if (busy := writer_at_work(assistant)) is not None:
        print(
            f"note: {index_location(assistant)} is being written by pid {busy.pid} on {busy.host} ({busy.purpose}, "
            f"since {time.strftime('%H:%M:%S', time.localtime(busy.since))}); the answers come from the documents "
            "stored so far",
            file=sys.stderr,
        )
    filters = _filters(args)
    unanswered = 0
    questions = _stdin_questions() if args.question == "-" else iter([(1, args.question, None)])
    for no, q, problem in questions:
        try:
            if problem is not None:
                raise ConfigError(problem)
            answer = ask(q, assistant=assistant, k=args.k, filters=filters)
        except IndexError_:
            raise  # the index itself failed: no later question can be answered
        except AssistantError as exc:
            if args.question != "-":
                raise
            unanswered += 1
            if args.json:
                _print_json(error_dict(q, str(exc)))
            else:
                print(f"error: line {no}: {exc}", file=sys.stderr)
            continue
        if args.json:
            _print_json(answer_dict(answer))
        else:
            print(answer_markdown(answer))
            print()
    return 1 if unanswered else 0


def _stdin_questions() -> Iterator[tuple[int, str, str | None]]:
    """(line number, question, why it cannot be asked or None) for each non-blank line of stdin,
    read as bytes: a line that is not UTF-8 is reported on its own and the next ones are asked."""
    for no, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            q = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            yield (
                no,
                raw.decode("utf-8", errors="replace").strip(),
                f"line {no} is not UTF-8 text (save the questions as UTF-8); not asked",
            )
            continue
        if q:
            yield no, q, None


def cmd_attributions(args: argparse.Namespace) -> int:
    from .pipeline import attributions_of_file
    from .present import attribution_dicts

    analysed = attributions_of_file(Path(args.path), settings=_settings(args))
    out: list[dict[str, Any]] = []
    for one in analysed:
        rows = attribution_dicts(one.document, one.analysis, one.contents, narration=args.narration)
        if len(analysed) > 1:
            for r in rows:
                r["record"] = one.document.key
        out.extend(rows)
    if args.json:
        _print_json(out)
    else:
        for r in out:
            who = r["source"] if r["source"] == r["source_resolved"] else f"{r['source']} → {r['source_resolved']}"
            print(f"[{r['stance']}] {who} ({r['source_type']}) {r['cue'] or ''}: {r['sentence']}")
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    from .pipeline import open_assistant
    from .present import document_dict

    rows = [document_dict(d) for d in open_assistant(_settings(args), create=False).documents()]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"{r['doc_id']}  {r['chunks']:>5} chunks  {r['date'] or '':10}  {(r['title'] or '')[:80]}")
        print(f"{len(rows)} documents")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from .pipeline import delete, open_assistant

    n = delete(args.doc_ids, assistant=open_assistant(_settings(args), create=False))
    print(f"deleted {n} of {len(args.doc_ids)} documents")
    return 0 if n == len(args.doc_ids) else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant",
        description="Ask conflict reports questions; every answer cites its passages and says who made each claim.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def index_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--index", help="index folder (default: $ASSISTANT_INDEX or ~/.local/share/assistant/index)")
        sp.add_argument("--chroma-url", help="use a Chroma server (http://HOST:PORT) instead of the embedded store")

    sp = sub.add_parser("ingest", help="add files and folders (txt, md, html, pdf, json, jsonl) to the index")
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--json", action="store_true", help="print the report as JSON")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    index_options(sp)
    sp.set_defaults(func=cmd_ingest)

    sp = sub.add_parser("ask", help="ask a question ('-' reads one question per line from stdin)")
    sp.add_argument("question")
    sp.add_argument("-k", type=_at_least_one, default=None, help="number of cited passages (default 5)")
    sp.add_argument("--json", action="store_true", help="one JSON object per answer")
    sp.add_argument("--source", help="only passages credited to a source whose name contains this")
    sp.add_argument("--source-type", action="append", choices=SOURCE_TYPES, help="only these source types")
    sp.add_argument("--doc", action="append", help="only this document id (repeatable)")
    sp.add_argument("--outlet", action="append", help="only this outlet (repeatable)")
    sp.add_argument("--from", dest="date_from", type=_date, help="earliest document date (yyyy[-mm[-dd]])")
    sp.add_argument("--to", dest="date_to", type=_date, help="latest document date (yyyy[-mm[-dd]])")
    index_options(sp)
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("attributions", help="who says what in one document (no index needed)")
    sp.add_argument("path")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--narration", action="store_true", help="also list sentences credited to the narrator")
    sp.set_defaults(func=cmd_attributions)

    sp = sub.add_parser("documents", help="list indexed documents")
    sp.add_argument("--json", action="store_true")
    index_options(sp)
    sp.set_defaults(func=cmd_documents)

    sp = sub.add_parser("delete", help="remove documents by id")
    sp.add_argument("doc_ids", nargs="+")
    index_options(sp)
    sp.set_defaults(func=cmd_delete)

    return p


def _at_least_one(text: str) -> int:
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if k < 1:
        raise argparse.ArgumentTypeError(f"{k} passages: give at least 1")
    return k


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _date(text: str) -> str:
    """A yyyy, yyyy-mm or yyyy-mm-dd date that exists."""
    m = _DATE.fullmatch(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write yyyy, yyyy-mm or yyyy-mm-dd (e.g. 2025-06)")
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        datetime.date(year, 1 if month is None else month, 1 if day is None else day)  # type: ignore[arg-type]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date ({exc})") from None
    return m.group(0)


def _first_day(date: str) -> tuple[int, ...]:
    return tuple(map(int, (date + "-01-01").split("-")[:3]))


def _last_day(date: str) -> tuple[int, ...]:
    return tuple(map(int, (date + "-12-31"[len(date) - 4 :]).split("-")[:3])) if len(date) < 10 else _first_day(date)


def main(argv: list[str] | None = None) -> int:
    quiet_runtime()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (`| head`)
        sys.stderr.close()
        return 1


if __name__ == "__main__":
    sys.exit(main())
