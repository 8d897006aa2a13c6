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
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
ARTIFACTS = ROOT / "test-artifacts"
READY = 600_000  # ms: the first start indexes the seed article (spaCy and the model load once)
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
    (folder / "tmp").mkdir(exist_ok=True)  # the app's temp files land here
    (folder / "home").mkdir(exist_ok=True)  # what the app writes under ~ shows here
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        ASSISTANT_CACHE=str(cache_dir),
        TMPDIR=str(folder / "tmp"),
        HOME=str(folder / "home"),
    )
    for name in (
        "GRADIO_ANALYTICS_ENABLED",
        "ANONYMIZED_TELEMETRY",
        "HF_HUB_DISABLE_TELEMETRY",
        "ORT_DISABLE_TELEMETRY",
    ):
        env.pop(name, None)  # the app turns telemetry off by itself
    log = open(folder / f"app-{port}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "app.py"),
            "--port",
            str(port),
            "--index",
            str(index),
            "--corpus",
            str(corpus),
            *extra,
        ],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
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
        f"document.querySelectorAll('#chat .turn .answer:not(.waiting)').length > {n}", timeout=ANSWER
    )
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
    wait_for_summary(page)
    return page.inner_text("#ingest-summary")


def wait_for_summary(page) -> None:
    page.wait_for_function(
        "(document.querySelector('#ingest-summary')?.innerText || '').match(/searchable|Nothing/)", timeout=ANSWER * 2
    )


def results_text(page) -> str:
    return page.inner_text("#ingest-results")


# -- tests ------------------------------------------------------------------------------------------


def test_page_answers_before_the_index_is_ready(web: WebApp):
    assert web.first_status and not web.first_status.startswith("Ready"), web.first_status


def test_contested_question_shows_each_source_with_its_own_figure(session: Session):
    page = session.page
    ask(page, "How many Wagner fighters were killed at Tinzaouatene?")
    turn = last_turn(page)
    assert "Accounts differ" in turn.locator(".verdict").inner_text()
    cards = {c.locator("header .src").inner_text(): c for c in turn.locator(".accounts .claim").all()}
    baza = next(v for k, v in cards.items() if "Baza" in k)
    local = next(v for k, v in cards.items() if k.startswith("Local sources"))
    mossa = next(v for k, v in cards.items() if "Mossa Ag Inzoma" in k)
    assert "at least 20" in baza.inner_text() and "media" in baza.locator(".stype").inner_text()
    assert "at least 15" in local.inner_text() and local.get_attribute("data-type") == "local sources"
    assert local.locator(".stype").count() == 0  # no "Local sources local sources"
    assert "dozens" in mossa.inner_text() and "armed group" in mossa.locator(".stype").inner_text()

    # one line compares the accounts, a chart shows the numbers: Baza 20, local sources 15
    line = turn.locator(".compare").inner_text()
    assert line.startswith("Wagner fighters killed:"), line
    assert "at least 20 — The Baza Telegram" in line and "at least 15 — Local sources" in line and "dozens" in line
    bars = {
        g.locator("tspan.name").text_content(): (
            g.locator("tspan.value").text_content(),
            g.locator("rect").bounding_box()["width"],
        )
        for g in turn.locator(".fig-chart svg g.bar").all()
    }
    baza_bar = next(v for k, v in bars.items() if "Baza" in k)
    local_bar = next(v for k, v in bars.items() if "Local sources" in k)
    assert baza_bar[0] == "at least 20" and local_bar[0] == "at least 15", bars
    assert abs(local_bar[1] / baza_bar[1] - 15 / 20) < 0.02, bars  # bar lengths in proportion
    assert turn.locator(".fig-chart svg[role=img]").get_attribute("aria-labelledby")
    assert turn.locator("ol.sources > li.source-doc").count() == 1  # one document: its title once
    assert turn.locator("ol.sources li.source-doc li").count() >= 3
    turn.scroll_into_view_if_needed()
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
    assert page.inner_text("#passage mark.hl") == (
        "The Baza Telegram news channel, linked to Russian security, reported at least 20 Wagner fighters were killed."
    )
    passage = page.inner_text("#passage")
    assert "Major Triumph for Mali Rebels" in passage  # title
    assert "Mossa Ag Inzoma" in passage  # surrounding document text
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
    army_cards = turn.locator(".claim[data-type=military]").count()
    notice = turn.locator(".verdict.silent-source").all_inner_texts()
    assert army_cards or (notice and "the army’s own account" in notice[0]), turn.inner_text()
    assert turn.locator(".interp .chip").is_visible()
    page.screenshot(path=str(ARTIFACTS / "web-3-follow-up.png"), full_page=True)

    # "Ask as a new question": what was typed, asked on its own (no rewrite, no chip)
    n = page.locator("#chat .turn").count()
    turn.locator("button.ask-new").click()
    page.wait_for_function(
        f"document.querySelectorAll('#chat .turn .answer:not(.waiting)').length > {n}", timeout=ANSWER
    )
    settle(page)
    again = last_turn(page)
    assert again.locator(".q").inner_text().endswith("And what did the army say?")
    assert again.locator(".interp").count() == 0


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


def test_upload_a_document_then_ask_about_it_then_delete_it(
    session: Session, web: WebApp, tmp_path: Path, cache_dir: Path
):
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
    assert leftovers == []  # uploaded temp files are gone

    summary = upload(page, [doc])  # the same file again
    assert "1 already in the library (duplicate). Nothing new was added." in summary, summary
    assert "duplicate" in results_text(page) and "searchable" not in summary

    page.get_by_role("tab", name="Ask").click()
    ask(page, "How many public wells in Kidal have run dry?")
    turn = last_turn(page)
    assert "14 of the 22 public wells" in turn.inner_text()
    assert "Water shortages hit Kidal" in turn.locator("ol.sources").inner_text()

    page.get_by_role("tab", name="Library").click()
    page.click("#delete-picker input")
    page.get_by_role("option", name="Water shortages hit Kidal", exact=False).click()
    page.click("#delete-button")
    page.wait_for_function(
        "!document.querySelector('#documents').innerText.includes('Water shortages')", timeout=ANSWER
    )


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
    assert "<img src=x onerror=alert(1)>" in shown  # visible as text
    assert "<script>" in shown
    for where in ("#chat", "#passage", "#claims-table", "#documents"):
        assert page.locator(f"{where} img, {where} script, {where} iframe").count() == 0, where
        hrefs = page.eval_on_selector_all(f"{where} a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert not [h for h in hrefs if h.lower().startswith("javascript")], hrefs
    page.screenshot(path=str(ARTIFACTS / "web-5-markup-as-text.png"), full_page=True)
    assert session.dialogs == []  # no script ran
    assert session.remote == []  # no remote image was fetched


def test_api_ask_returns_the_cli_json(web: WebApp):
    from gradio_client import Client

    question = "How many Wagner fighters were killed?"
    got = json.loads(Client(web.url + "/", verbose=False).predict(question, api_name="/ask"))
    cli = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "--json", question, "--index", str(web.index)],
        capture_output=True,
        text=True,
        env=web.env,
        timeout=600,
    )
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert got == json.loads(cli.stdout)
    assert any("Baza" in c["source"] for c in got["claims"])


def test_file_route_serves_only_gradios_own_files(web: WebApp):
    probes = [
        "/etc/passwd",
        "../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        str(web.index / "chroma.sqlite3"),
        str(SEED),
        "http://198.51.100.7/x.png",
        "/tmp/../etc/passwd",
    ]
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
        if state == "0A":  # LISTEN
            addr, port = local.split(":")
            listening.add((addr, int(port, 16)))
    assert ("0100007F", web.port) in listening  # 127.0.0.1
    assert ("00000000", web.port) not in listening  # not 0.0.0.0


def test_auth_protects_page_and_api_and_uploads_are_limited(web: WebApp, tmp_path: Path, cache_dir: Path):
    app = start_app(
        tmp_path,
        index=web.index,
        corpus=tmp_path,
        cache_dir=cache_dir,
        extra=["--auth", "analyst:s3cret", "--max-upload-mb", "1"],
    )
    try:
        assert httpx.get(app.url + "/config", timeout=10).status_code in (401, 403)
        from gradio_client import Client

        with pytest.raises(Exception):  # noqa: B017  (gradio_client's error for a refused login differs between versions)
            Client(app.url + "/", verbose=False)
        client = Client(app.url + "/", auth=("analyst", "s3cret"), verbose=False)
        assert "/ask" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]

        login = httpx.post(app.url + "/login", data={"username": "analyst", "password": "s3cret"})
        cookie = login.headers["set-cookie"].split(";", 1)[0]  # Secure cookie: httpx will not resend it
        small = httpx.post(
            app.url + "/gradio_api/upload", headers={"cookie": cookie}, files={"files": ("small.txt", b"a few words")}
        )
        assert small.status_code == 200, small.text
        big = httpx.post(
            app.url + "/gradio_api/upload",
            headers={"cookie": cookie},
            files={"files": ("big.txt", b"x" * (2 * 1024 * 1024))},
        )
        assert big.status_code == 413, big.text

        # failed logins slow down: three answered at once, then a wait that doubles
        tries = [
            httpx.post(app.url + "/login", data={"username": "analyst", "password": f"guess{i}"}) for i in range(6)
        ]
        assert [t.status_code for t in tries[:3]] == [400, 400, 400]
        assert all(t.status_code == 429 and int(t.headers["retry-after"]) >= 1 for t in tries[3:]), [
            (t.status_code, t.headers.get("retry-after")) for t in tries
        ]
        held = httpx.post(app.url + "/login", data={"username": "analyst", "password": "s3cret"})
        assert held.status_code == 429  # even the right password waits
    finally:
        stop_app(app)


# -- reading at a glance, on any screen -------------------------------------------------------------

CONTRAST_JS = """(selectors) => {
  const parse = (c) => {
    const m = (c || '').match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const over = (top, under) => under.map((v, i) => top[i] * top[3] + v * (1 - top[3]));
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const low = [];
  let checked = 0;
  for (const root of document.querySelectorAll(selectors)) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || el.closest('title, desc, style, script')) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || el.getClientRects().length === 0) continue;
      const bg = background(el);
      const fg = over(parse(el.closest('svg') ? cs.fill : cs.color), bg);
      const [a, b] = [lum(fg), lum(bg)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      checked += 1;
      if (ratio < need) low.push(`${ratio.toFixed(2)} ${el.className || el.tagName}: ${n.textContent.trim().slice(0, 40)}`);
    }
  }
  return {checked, low};
}"""

WRAPPED_WORDS_JS = """(selector) => {
  const wrapped = [];
  for (const cell of document.querySelectorAll(selector)) {
    if (!cell.getClientRects().length) continue;
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(n.textContent))) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
        if (lines.size > 1) wrapped.push(m[0]);
      }
    }
  }
  return wrapped;
}"""
OUR_TEXT = "#chat, #passage, #claims-table, #status-line, #ingest-summary"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_all_text_of_the_answer_meets_wcag_aa_contrast(browser, web: WebApp, theme: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=theme)
    page = context.new_page()
    try:
        page.goto(web.url + f"/?__theme={theme}")
        page.wait_for_selector("#status-line.ready", timeout=READY)
        ask(page, "How many Wagner fighters were killed at Tinzaouatene?")
        ask(page, "And what did the army say?")  # the chip, "Ask as a new question"
        ask(page, "How many Wagner fighters were killed in 2030 according to the weather service?")
        last_turn(page).locator("button.cite, button.ask-new").first.click()
        page.wait_for_timeout(500)
        settle(page)
        got = page.evaluate(CONTRAST_JS, OUR_TEXT)
        assert got["checked"] > 50 and got["low"] == [], got["low"]
        if theme == "dark":
            page.screenshot(path=str(ARTIFACTS / "web-8-dark.png"), full_page=True)
    finally:
        context.close()


def test_phone_width_claims_are_cards_and_no_header_breaks_inside_a_word(browser, web: WebApp):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(web.url + "/")
        page.wait_for_selector("#status-line.ready", timeout=READY)
        ask(page, "How many Wagner fighters were killed at Tinzaouatene?")
        rows = page.locator("#claims-table tr")
        assert rows.count() >= 3
        assert rows.first.evaluate("r => getComputedStyle(r).display") == "block"  # a card per claim
        label = page.locator("#claims-table td").first.evaluate("td => getComputedStyle(td, '::before').content")
        assert "source" in label, label  # labelled lines
        assert page.evaluate(WRAPPED_WORDS_JS, "th") == []
        page.screenshot(path=str(ARTIFACTS / "web-7-phone.png"), full_page=True)
        page.get_by_role("tab", name="Library").click()
        page.wait_for_selector("#documents th")
        assert page.evaluate(WRAPPED_WORDS_JS, "th") == []
        page.screenshot(path=str(ARTIFACTS / "web-7-phone-library.png"), full_page=True)
        page.set_viewport_size({"width": 700, "height": 900})  # just over the card width
        page.get_by_role("tab", name="Ask").click()
        assert page.locator("#claims-table thead").is_visible()
        assert page.evaluate(WRAPPED_WORDS_JS, "th") == []
    finally:
        context.close()


def test_library_shows_one_progress_table_during_an_upload_and_keeps_the_documents_in_view(
    session: Session, tmp_path: Path
):
    page = session.page
    paths = []
    for i, place in enumerate(("Menaka", "Bourem", "Douentza")):
        p = tmp_path / f"report_{place.lower()}.txt"
        p.write_text(
            f"Market day in {place}\n\nTraders in {place} said on Tuesday that {i + 3} stalls had reopened "
            "after the curfew was lifted, and that prices of millet had fallen.\n",
            encoding="utf-8",
        )
        paths.append(p)
    page.get_by_role("tab", name="Library").click()
    page.set_input_files("#upload input[type=file]", [str(p) for p in paths])
    for p in paths:
        page.wait_for_selector(f"#upload :text('{p.stem}')", timeout=30_000)
    documents_before = page.inner_text("#documents")
    page.click("#add-button")
    page.wait_for_selector("#ingest-summary .notice.busy", timeout=30_000)
    rows = page.inner_text("#ingest-results")
    assert all(p.name in rows for p in paths), rows  # a row per file …
    assert any(state in rows for state in ("reading…", "indexing…", "waiting", "keyword index")), rows
    assert page.locator("#documents").is_visible()  # … and the document list stays
    box = page.locator("#documents").bounding_box()
    covered = page.evaluate(
        "([x, y]) => !document.querySelector('#documents').contains(document.elementFromPoint(x, y))",
        [box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 60)],
    )
    assert not covered
    visible_bars = [
        b for b in page.locator("#component-0 ~ * .eta-bar, .progress-text, .eta-bar").all() if b.is_visible()
    ]
    assert visible_bars == []  # no Gradio progress overlays
    page.screenshot(path=str(ARTIFACTS / "web-4-library-uploading.png"), full_page=True)
    assert page.inner_text("#documents") == documents_before
    wait_for_summary(page)
    assert page.inner_text("#ingest-summary").startswith("3 files: 3 added. The 3 new documents are searchable now.")
    assert "Market day in Menaka" in page.inner_text("#documents")


# -- the server refuses what it should ------------------------------------------------------------


def test_requests_for_another_host_are_refused_and_the_page_cannot_be_framed(web: WebApp):
    for path in ("/", "/config", "/gradio_api/info"):
        r = httpx.get(web.url + path, headers={"Host": "attacker.example"}, timeout=10)
        assert r.status_code == 403 and "does not answer to the host name" in r.text, (path, r.status_code)
    r = httpx.post(
        web.url + "/gradio_api/queue/join", headers={"Origin": "https://attacker.example"}, json={}, timeout=10
    )
    assert r.status_code == 403
    page = httpx.get(web.url + "/", timeout=10)
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert httpx.get(web.url.replace("127.0.0.1", "localhost") + "/config", timeout=10).status_code == 200


def test_terminal_says_what_happens_and_no_dependency_keeps_telemetry(web: WebApp):
    log = next(web.folder.glob(f"app-{web.port}.log")).read_text(encoding="utf-8")
    assert "Building the index from" in log and "Indexed 1 document (" in log
    assert f"The chat is ready: http://127.0.0.1:{web.port}/" in log
    assert not [ln for ln in log.splitlines() if "warn" in ln.lower()], log[-3000:]
    home = web.folder / "home"
    assert not (home / ".cache" / "Microsoft").exists()  # ONNX Runtime's device id and event queue
    assert not (home / ".cache" / "huggingface").exists()


def test_a_busy_port_is_named_with_the_option_to_use(web: WebApp, tmp_path: Path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "--port", str(web.port), "--index", str(tmp_path / "index")],
        capture_output=True,
        text=True,
        timeout=120,
        env=web.env,
    )
    assert done.returncode != 0
    assert f"Port {web.port} on 127.0.0.1 is in use" in done.stderr and "--port" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
