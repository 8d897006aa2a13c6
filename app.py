"""Web chat over the assistant (Gradio). A thin shell: it builds the resources once and calls
the library; answering, attribution and rendering live in `assistant/`.

    python app.py [--host 127.0.0.1] [--port 7860] [--auth user:pass] [--index DIR] [--corpus DIR]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import Settings, quiet_runtime

quiet_runtime()

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7860)
    ap.add_argument("--auth", help="user:password required to open the page")
    ap.add_argument("--index", help="index folder (default: $ASSISTANT_INDEX or ~/.local/share/assistant/index)")
    ap.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    ap.add_argument("--corpus", default=str(HERE / "corpus"), help="folder indexed on first start")
    args = ap.parse_args(argv)

    import gradio as gr
    from tqdm import tqdm

    from assistant.pipeline import ask, ingest, open_assistant
    from assistant.render import answer_markdown

    assistant = open_assistant(Settings.from_env(index_dir=args.index, chroma_url=args.chroma_url))
    if not assistant.documents():
        bar = tqdm(unit="file", desc="building the index", file=sys.stderr)

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "files":
                bar.total, bar.n = total, done
                bar.refresh()

        ingest([Path(args.corpus)], assistant=assistant, progress=progress)
        bar.close()

    def respond(message: str, history: list) -> str:
        return answer_markdown(ask(message, assistant=assistant))

    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    gr.ChatInterface(respond, title="Conflict reports: who said what").launch(
        server_name=args.host, server_port=args.port, auth=auth, share=False)


if __name__ == "__main__":
    main()
