"""The web face: the Gradio page (`layout`), its handlers as plain functions (`handlers`), the open
index behind it (`workspace`), its HTML (`html`) and Library tables (`tables`), and the HTTP guard
in front of it (`guard`). Only `layout` imports Gradio."""

from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"  # the page's CSS and JavaScript files
