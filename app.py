"""Web chat over the assistant (Gradio). A thin shell: it reads the options, builds the resources
once and starts the page; the page itself (layout, handlers, HTML) lives in `assistant/web/`.

    python app.py [--host 127.0.0.1] [--port 7860] [--auth user:pass] [--index DIR] [--corpus DIR]
                  [--chroma-url URL] [--max-upload-mb 50]

The page answers at once; the index is opened (and, when empty, built from --corpus) in a
background thread while a status line says how far it has got. The Gradio API exposes `ask`,
which returns the same JSON as `assistant ask --json`.
"""

import argparse
import atexit
import hashlib
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path

from assistant.config import Settings, quiet_runtime

quiet_runtime()

HERE = Path(__file__).resolve().parent
DEFAULT_PORT = 7860


def port_is_free(host: str, port: int) -> bool:
    """Nothing listens on `port` at `host` (as far as a bind says; the server's own bind decides)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def choose_port(host: str, asked: int | None) -> int:
    """`asked` if given and free (else exit saying so); without --port the first free one from 7860."""
    if asked is not None:
        if port_is_free(host, asked):
            return asked
        sys.exit(
            f"Port {asked} on {host} is in use (another ./run.sh or app.py?). Choose another with "
            f"--port, e.g. --port {asked + 1}."
        )
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 40):
        if port_is_free(host, port):
            if port != DEFAULT_PORT:
                print(
                    f"Port {DEFAULT_PORT} is in use (another ./run.sh or app.py?); using {port} instead "
                    "(choose one with --port).",
                    flush=True,
                )
            return port
    sys.exit(f"Ports {DEFAULT_PORT}-{DEFAULT_PORT + 39} on {host} are all in use; choose one with --port.")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ap.add_argument(
        "--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}, or the next free one when it is taken)"
    )
    ap.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the page may be opened under besides the bound address and localhost "
        "(repeatable; e.g. the name of a reverse proxy)",
    )
    ap.add_argument("--auth", help="user:password required to open the page")
    ap.add_argument("--index", help="index folder (default: $ASSISTANT_INDEX or ~/.local/share/assistant/index)")
    ap.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    ap.add_argument("--corpus", default=str(HERE / "corpus"), help="folder indexed when the index is empty")
    ap.add_argument("--max-upload-mb", type=int, default=50, help="largest file the page accepts (default 50)")
    args = ap.parse_args(argv)
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not (sep and user and password):
            ap.error("--auth must be user:password")
        auth = (user, password)
    port = choose_port(args.host, args.port)
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    url = f"http://{'[' + shown_host + ']' if ':' in shown_host else shown_host}:{port}/"

    # Gradio serves files only from its upload folder: a private one for this process, removed on exit.
    tmp = Path(tempfile.mkdtemp(prefix="assistant-web-")).resolve()
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the folder is removed on kill too
    os.environ["GRADIO_TEMP_DIR"] = str(tmp)
    # Gradio checks the page it has just started over HTTP: never through an HTTP(S)_PROXY (offline
    # behind an unreachable proxy, the start would fail).
    local = ["127.0.0.1", "localhost", "::1"] + ([args.host] if args.host not in ("0.0.0.0", "::", "") else [])
    for var in ("NO_PROXY", "no_proxy"):
        os.environ[var] = ",".join(dict.fromkeys([*filter(None, os.environ.get(var, "").split(",")), *local]))

    import gradio as gr
    from starlette.middleware import Middleware

    from assistant.web import STATIC
    from assistant.web.guard import Guard, HostPolicy
    from assistant.web.layout import build
    from assistant.web.workspace import Workspace

    settings = Settings.from_env(index_dir=args.index, chroma_url=args.chroma_url)
    key = hashlib.sha256(f"{settings.chroma_url or settings.index_dir}|{settings.collection}".encode()).hexdigest()
    ws = Workspace(
        settings,
        corpus=Path(args.corpus) if args.corpus else None,
        staging=settings.cache_dir / "uploads" / key[:16],
        url=url,
    )
    demo = build(ws, upload_root=tmp, tmp=tmp)
    demo.queue(default_concurrency_limit=2, max_size=64)
    hosts = HostPolicy.for_binding(args.host, allow=args.allow_host)
    guard = Middleware(
        Guard, allowed_files=str(tmp), hosts=hosts, hint=f"Open {url} or start the app with --allow-host NAME."
    )
    try:
        demo.launch(
            server_name=args.host,
            server_port=port,
            auth=auth,
            share=False,
            ssr_mode=False,
            max_file_size=f"{args.max_upload_mb}mb",
            css_paths=[STATIC / "page.css"],
            show_error=True,
            quiet=True,
            theme=gr.themes.Default(primary_hue="blue"),
            footer_links=["api"],
            app_kwargs={"middleware": [guard]},
            prevent_thread_lock=True,
        )
    except OSError as exc:
        sys.exit(f"The web chat could not start on {args.host}:{port} ({exc}); choose another port with --port.")
    print(
        f"Web chat on {url} (index: {settings.chroma_url or settings.index_dir}); it says here when it is ready. "
        "Ctrl+C stops it.",
        flush=True,
    )
    ws.start()  # after the page is up: opening (or building) the index must not delay it
    demo.block_thread()


if __name__ == "__main__":
    main()
