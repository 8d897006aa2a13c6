"""The web chat in a real browser: Debian's chromium driven by Playwright against `app.py` started
as a subprocess on a free port with a temporary index of the seed article (one app per module).
Screenshots go to test-artifacts/."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT, SEED, stop_process

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
ARTIFACTS = ROOT / "test-artifacts"
READY = 600_000          # ms: the first start indexes the seed article (spaCy and the model load once)
ANSWER = 120_000

SMALL_DOC = """Water shortages hit Kidal as wells run dry

The regional water authority said on Monday that 14 of the 22 public wells in Kidal had run dry since March, leaving about 9,000 residents without a reliable supply.

Aid workers reported that families were walking up to 12 kilometres to collect water.
"""
HOSTILE_DOC = """Checkpoint attack near Gao <script>alert("title")</script>

Witnesses said the checkpoint near Gao was attacked by twelve gunmen at dawn <img src=x onerror=alert(1)>. The commander said <script>alert(2)</script> no soldiers were hurt. A local radio station reported that [click](javascript:alert(3)) three vehicles were burned ![x](http://198.51.100.7/track.png).
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class WebApp:
    url: str
    port: int
    proc: subprocess.Popen
    index: Path
    folder: Path
    env: dict
    first_status: str = ""


def start_app(folder: Path, *, index: Path, corpus: Path, cache_dir: Path, extra: list[str] = ()) -> WebApp:
    port = free_port()
    (folder / "tmp").mkdir(exist_ok=True)                               # the app's temp files land here
    env = dict(os.environ, HF_HUB_OFFLINE="1", ASSISTANT_CACHE=str(cache_dir), GRADIO_ANALYTICS_ENABLED="False",
               TMPDIR=str(folder / "tmp"))
    log = open(folder / f"app-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index", str(index),
                             "--corpus", str(corpus), *extra], cwd=folder, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{(folder / f'app-{port}.log').read_text()}")
        try:
            if httpx.get(url + "/", timeout=2).status_code in (200, 401):
                return WebApp(url=url, port=port, proc=proc, index=index, folder=folder, env=env)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("app.py did not answer within 180 s")


def stop_app(app: WebApp) -> None:
    stop_process(app.proc, grace=30)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, browser):
    """app.py over a temporary index of the seed article; the first page load records the status
    line the page showed while the index was still being built."""
    folder = tmp_path_factory.mktemp("web")
    corpus = folder / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    app = start_app(folder, index=folder / "index", corpus=corpus, cache_dir=cache_dir)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(app.url + "/")
    page.wait_for_selector("#status-line")
    app.first_status = page.inner_text("#status-line")
    page.screenshot(path=str(ARTIFACTS / "web-0-startup.png"))
    page.wait_for_selector("#status-line.ready", timeout=READY)
    page.close()
    yield app
    stop_app(app)


@dataclass
class Session:
    page: object
    dialogs: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)


@pytest.fixture
def session(browser, web: WebApp):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    s = Session(page=page)
    page.on("dialog", lambda d: (s.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith((web.url, "data:", "blob:")) else s.remote.append(r.url))
    page.goto(web.url + "/")
    page.wait_for_selector("#status-line.ready", timeout=READY)
    yield s
    context.close()


def ask(page, question: str) -> None:
    n = page.locator("#chat .turn").count()
    page.fill("#question textarea", question)
    page.click("#ask-button")
    page.wait_for_function(
        f"document.querySelectorAll('#chat .turn .answer:not(.waiting)').length > {n}", timeout=ANSWER)
    settle(page)


def settle(page) -> None:
    """Wait until Gradio has no event running (it fades the outputs of running events)."""
    page.wait_for_function("!document.querySelector('.pending')", timeout=ANSWER)
    page.wait_for_timeout(300)


def last_turn(page):
    return page.locator("#chat .turn").last


def upload(page, paths: list[Path]) -> str:
    page.get_by_role("tab", name="Library").click()
    page.set_input_files("#upload input[type=file]", [str(p) for p in paths])
    for p in paths:
        page.wait_for_selector(f"#upload :text('{p.stem}')", timeout=30_000)
    page.click("#add-button")
    page.wait_for_function("(document.querySelector('#ingest-summary')?.innerText || '').match(/searchable|Nothing/)",
                           timeout=ANSWER * 2)
    return page.inner_text("#ingest-summary")


def results_text(page) -> str:
    return page.inner_text("#ingest-results")


# -- tests ------------------------------------------------------------------------------------------

def test_page_answers_before_the_index_is_ready(web: WebApp):
    assert web.first_status and not web.first_status.startswith("Ready"), web.first_status


def test_contested_question_shows_each_source_with_its_own_figure(session: Session):
    page = session.page
    ask(page, "How many Wagner fighters were killed?")
    turn = last_turn(page)
    assert "Accounts differ" in turn.locator(".verdict").inner_text()
    cards = {c.locator("header .src").inner_text(): c.inner_text() for c in turn.locator(".accounts .claim").all()}
    baza = next(v for k, v in cards.items() if "Baza" in k)
    local = next(v for k, v in cards.items() if k.startswith("Local sources"))
    mossa = next(v for k, v in cards.items() if "Mossa Ag Inzoma" in k)
    assert "at least 20" in baza and "media" in baza
    assert "at least 15" in local and "local sources" in local
    assert "dozens" in mossa and "armed group" in mossa
    assert turn.locator("ol.sources li").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "web-1-contested-answer.png"), full_page=True)

    # the claims table of the current answer, and its CSV
    table = page.inner_text("#claims-table")
    assert "Baza" in table and "Mossa Ag Inzoma" in table
    with page.expect_download() as dl:
        page.click("#claims-csv")
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    assert {"source", "type", "stance", "claim", "document", "date"} <= set(rows[0])
    assert any("Baza" in r["source"] and "20" in r["claim"] for r in rows)


def test_citation_opens_the_passage_highlighted_in_its_document(session: Session):
    page = session.page
    ask(page, "How many Wagner fighters were killed?")
    card = last_turn(page).locator(".accounts .claim", has_text="Baza")
    card.locator("button.cite").first.click()
    page.wait_for_selector("#passage mark.hl")
    settle(page)
    assert page.inner_text("#passage mark.hl") == ("The Baza Telegram news channel, linked to Russian security, "
                                                   "reported at least 20 Wagner fighters were killed.")
    passage = page.inner_text("#passage")
    assert "Major Triumph for Mali Rebels" in passage                   # title
    assert "Mossa Ag Inzoma" in passage                                 # surrounding document text
    assert "credited to The Baza Telegram news channel" in passage
    page.screenshot(path=str(ARTIFACTS / "web-2-citation-opened.png"), full_page=True)


def test_follow_up_is_resolved_against_the_conversation(session: Session):
    page = session.page
    ask(page, "How many Wagner fighters were killed at Tinzaouatene?")
    ask(page, "And what did the army say?")
    turn = last_turn(page)
    asked_as = turn.locator(".interp").inner_text()
    assert "Wagner" in asked_as and "Tinzaouatene" in asked_as and "army" in asked_as
    # either the army's own account is shown, or the page says plainly that it is missing
    army_cards = turn.locator(".claim", has=page.locator(".st-military")).count()
    notice = turn.locator(".verdict.silent-source").all_inner_texts()
    assert army_cards or (notice and "the army’s own account" in notice[0]), turn.inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-3-follow-up.png"), full_page=True)


def test_filters_restrict_what_may_be_cited(session: Session):
    page = session.page
    page.click("#filters")
    page.fill("#f-source textarea, #f-source input", "Baza")
    ask(page, "How many Wagner fighters were killed?")
    turn = last_turn(page)
    assert "Searched only: source “Baza”" in turn.inner_text()
    sources = turn.locator(".claim header .src").all_inner_texts()
    assert sources and all("Baza" in s for s in sources), sources
    page.fill("#f-source textarea, #f-source input", "")
    page.fill("#f-from textarea, #f-from input", "2030")
    ask(page, "How many Wagner fighters were killed?")
    assert "do not answer this" in last_turn(page).inner_text()
    page.fill("#f-from textarea, #f-from input", "July 2024")
    ask(page, "How many Wagner fighters were killed?")
    assert "Dates are written yyyy" in last_turn(page).inner_text()


def test_unanswerable_question_says_the_reports_are_silent(session: Session):
    page = session.page
    ask(page, "What is the population of Kidal?")
    turn = last_turn(page)
    assert "do not answer this" in turn.locator(".verdict").inner_text()
    assert turn.locator(".claim").count() == 0
    assert "Baza" not in page.inner_text("#claims-table")
    page.screenshot(path=str(ARTIFACTS / "web-6-unanswerable.png"), full_page=True)


def test_upload_a_document_then_ask_about_it_then_delete_it(session: Session, web: WebApp, tmp_path: Path,
                                                           cache_dir: Path):
    page = session.page
    doc = tmp_path / "kidal_water.txt"
    doc.write_text(SMALL_DOC, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    summary = upload(page, [doc, empty])
    assert "1 added" in summary and "1 failed" in summary, summary
    results = results_text(page)
    assert "kidal_water.txt" in results and "added" in results
    assert "empty.txt" in results and "failed" in results and "no text" in results
    assert "Water shortages hit Kidal" in page.inner_text("#documents")
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "web-4-library.png"), full_page=True)
    leftovers = list((web.folder / "tmp").glob("**/kidal_water*")) + list((cache_dir / "uploads").glob("**/*.txt"))
    assert leftovers == []                                              # uploaded temp files are gone

    summary = upload(page, [doc])                                       # the same file again
    assert "1 duplicate" in summary and "duplicate" in results_text(page), summary

    page.get_by_role("tab", name="Ask").click()
    ask(page, "How many public wells in Kidal have run dry?")
    turn = last_turn(page)
    assert "14 of the 22 public wells" in turn.inner_text()
    assert "Water shortages hit Kidal" in turn.locator("ol.sources").inner_text()

    page.get_by_role("tab", name="Library").click()
    page.click("#delete-picker input")
    page.get_by_role("option", name="Water shortages hit Kidal", exact=False).click()
    page.click("#delete-button")
    page.wait_for_function("!document.querySelector('#documents').innerText.includes('Water shortages')",
                           timeout=ANSWER)


def test_markup_inside_a_document_is_shown_as_text(session: Session, tmp_path: Path):
    page = session.page
    doc = tmp_path / "checkpoint <b>note<img src=x onerror=alert(9)>.txt"
    doc.write_text(HOSTILE_DOC, encoding="utf-8")
    summary = upload(page, [doc])
    assert "1 added" in summary, summary
    page.get_by_role("tab", name="Ask").click()
    ask(page, "Who attacked the checkpoint near Gao?")
    turn = last_turn(page)
    turn.locator("button.cite").first.click()
    page.wait_for_selector("#passage mark.hl")
    settle(page)
    shown = turn.inner_text() + page.inner_text("#passage")
    assert "<img src=x onerror=alert(1)>" in shown                      # visible as text
    assert "<script>" in shown
    for where in ("#chat", "#passage", "#claims-table", "#documents"):
        assert page.locator(f"{where} img, {where} script, {where} iframe").count() == 0, where
        hrefs = page.eval_on_selector_all(f"{where} a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert not [h for h in hrefs if h.lower().startswith("javascript")], hrefs
    page.screenshot(path=str(ARTIFACTS / "web-5-markup-as-text.png"), full_page=True)
    assert session.dialogs == []                                        # no script ran
    assert session.remote == []                                         # no remote image was fetched


def test_api_ask_returns_the_cli_json(web: WebApp):
    from gradio_client import Client

    question = "How many Wagner fighters were killed?"
    got = json.loads(Client(web.url + "/", verbose=False).predict(question, api_name="/ask"))
    cli = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "--json", question, "--index", str(web.index)],
                         capture_output=True, text=True, env=web.env, timeout=600)
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert got == json.loads(cli.stdout)
    assert any("Baza" in c["source"] for c in got["claims"])


def test_file_route_serves_only_gradios_own_files(web: WebApp):
    probes = ["/etc/passwd", "../../../../etc/passwd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
              "%252e%252e%252f%252e%252e%252fetc%252fpasswd", str(web.index / "chroma.sqlite3"), str(SEED),
              "http://198.51.100.7/x.png", "/tmp/../etc/passwd"]
    with httpx.Client(base_url=web.url) as client:
        for probe in probes:
            for prefix in ("/gradio_api/file=", "/file=", "/gradio_api/file/"):
                r = client.get(prefix + probe)
                assert r.status_code in (403, 404), (prefix + probe, r.status_code)
                assert "root:" not in r.text
        page = client.get("/")
        assert "img-src 'self' data: blob:" in page.headers["content-security-policy"]


def test_binds_localhost_only(web: WebApp):
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A":                                               # LISTEN
            addr, port = local.split(":")
            listening.add((addr, int(port, 16)))
    assert ("0100007F", web.port) in listening                          # 127.0.0.1
    assert ("00000000", web.port) not in listening                      # not 0.0.0.0


def test_auth_protects_page_and_api_and_uploads_are_limited(web: WebApp, tmp_path: Path, cache_dir: Path):
    app = start_app(tmp_path, index=web.index, corpus=tmp_path, cache_dir=cache_dir,
                    extra=["--auth", "analyst:s3cret", "--max-upload-mb", "1"])
    try:
        assert httpx.get(app.url + "/config", timeout=10).status_code in (401, 403)
        from gradio_client import Client
        with pytest.raises(Exception):
            Client(app.url + "/", verbose=False)
        client = Client(app.url + "/", auth=("analyst", "s3cret"), verbose=False)
        assert "/ask" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]

        login = httpx.post(app.url + "/login", data={"username": "analyst", "password": "s3cret"})
        cookie = login.headers["set-cookie"].split(";", 1)[0]            # Secure cookie: httpx will not resend it
        small = httpx.post(app.url + "/gradio_api/upload", headers={"cookie": cookie},
                           files={"files": ("small.txt", b"a few words")})
        assert small.status_code == 200, small.text
        big = httpx.post(app.url + "/gradio_api/upload", headers={"cookie": cookie},
                         files={"files": ("big.txt", b"x" * (2 * 1024 * 1024))})
        assert big.status_code == 413, big.text
    finally:
        stop_app(app)
