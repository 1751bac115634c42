"""The pages in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium), headless.

One `dutygraph serve` for the module, on a free loopback port with its own STORE_DIR and an account
with a password (made on the server's accounts file before it starts), killed at the end; one
Chromium for the module, a new browser context per test. What is proved, each against what the
project computes in process (the parsed source, a canned question on the built graph, the
validation of the same records):

- browsing: home → a unit → a measure → a content item, whose text is the source's verbatim, and
  back through the history;
- the header's search finds a unit by its Chinese and by its English name;
- a canned question runs in the SPARQL editor (YASGUI) and shows its rows;
- the example records uploaded through the form (file picker, drag and drop with the asynchronous
  progress, and without JavaScript) show the expected result, under its units and measure, with
  links to the duty, the item and the record;
- the graph view draws, and a click on a node opens its page;
- the language switch changes the page, and the choice sticks;
- screenshots of the main pages (desktop and phone) are written to test-artefacts/screenshots/.

Every test also checks that no request left 127.0.0.1 (data: and blob: URLs aside) and that the
browser's console logged no error and no page raised one (the `watch` fixture). The browser is
never downloaded: `playwright install` is not used; scripts/system-deps.sh installs Debian's chromium.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import sync_playwright

from dutygraph.queries import run_canned_query
from dutygraph.records_input import load_records
from dutygraph.validation import validate_records
from dutygraph.web import browse_words, validation_words  # noqa: F401  (registers the pages' words)
from dutygraph.web.accounts import AccountStore
from dutygraph.web.i18n import MESSAGES

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# without the background-networking flags Chromium's own connections to Google leave the machine
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = REPO / "test-artefacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ACCOUNT, PASSWORD = "office", "a-long-password-123"
EXAMPLE = REPO / "data" / "examples" / "2024-breaks-sit-in.ttl"
RUN_PATH = re.compile(r"^/runs/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
AUDIT_OFFICE = "/id/unit/audit-office"
TIMEOUT_MS = 20_000


def word(key: str, lang: str) -> str:
    """An interface word of the pages (web/i18n.py and the modules that register theirs)."""
    return MESSAGES[key][lang]


def bword(key: str, lang: str) -> str:
    """A word of the browsing pages' own table (web/browse_words.py)."""
    return browse_words.MESSAGES[key][lang]


# -- the server ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`dutygraph serve` on a free loopback port over its own store; its output goes to a log file."""

    def __init__(self, root: Path):
        self.store_dir = root / "store"
        self.store_dir.mkdir(parents=True)
        self.log_path = root / "serve.log"
        self.port = free_port()
        AccountStore(self.store_dir / "accounts.sqlite3").create(ACCOUNT, PASSWORD)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DUTYGRAPH_")}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dutygraph.cli", "serve", "--port", str(self.port), "--store", str(self.store_dir)],
                env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=root,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"dutygraph serve did not start:\n{self.log()}")
                time.sleep(0.05)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def path_of(self, url: str) -> str:
        parts = urlsplit(url)
        assert (parts.hostname, parts.port) == ("127.0.0.1", self.port), url
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = Server(tmp_path_factory.mktemp("browser-serve"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run scripts/system-deps.sh (as root) to install Debian's chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


# -- a context per test, watched -----------------------------------------------------------------

class Watch:
    """What the browser did in a test's contexts: requests elsewhere, console errors, page errors."""

    def __init__(self, server: Server):
        self.server = server
        self.requests: list[str] = []
        self.elsewhere: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    def attach(self, context) -> None:
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))

    def _request(self, request) -> None:
        url = request.url
        self.requests.append(f"{request.method} {url}")
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            return
        if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port != self.server.port:
            self.elsewhere.append(url)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        self.console_errors.append(f"{message.text} (at {where or '?'}; page {message.page.url if message.page else '?'})")

    def problems(self) -> list[str]:
        out = [f"a request left 127.0.0.1:{self.server.port}: {url}" for url in self.elsewhere]
        out += [f"console error: {text}" for text in self.console_errors]
        out += [f"page error: {text}" for text in self.page_errors]
        return out


@pytest.fixture
def watch(server):
    return Watch(server)


@pytest.fixture
def new_context(browser, server, watch):
    """new_context(locale=…, **options): a watched browser context; all are closed and checked at the end."""
    made = []

    def make(locale: str = "zh-CN", **options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        watch.attach(context)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    problems = watch.problems()
    if problems:
        pytest.fail("the browser went astray:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_context):
    """A page of a watched zh-CN desktop context."""
    return new_context().new_page()


# -- what the project says, in process -----------------------------------------------------------

@pytest.fixture(scope="module")
def expected_run() -> dict:
    """`dutygraph validate data/examples/2024-breaks-sit-in.ttl --format json`, computed in process."""
    return validate_records(load_records([EXAMPLE]).quads).as_json()


def source_item(table, measure: int, number: int):
    for category in table.categories:
        for m in category.measures:
            if m.number == measure:
                return m.items[number - 1]
    raise AssertionError(f"no measure {measure} in the source")


# -- helpers -------------------------------------------------------------------------------------

def path_of(page, server: Server) -> str:
    return server.path_of(page.url)


def h1(page) -> str:
    return page.locator("main h1").first.text_content().strip()


def headings(page) -> list[str]:
    return [text.strip() for text in page.locator("main h2").all_text_contents()]


def sign_in(page, server: Server, next_path: str = "/validate") -> None:
    page.goto(server.url("/login?next=" + quote(next_path, safe="")))
    page.fill("#name", ACCOUNT)
    page.fill("#password", PASSWORD)
    page.click("main form[action='/login'] button[type=submit]")
    page.wait_for_url(server.url(next_path))


def wait_for_run_page(page, server: Server) -> str:
    page.wait_for_url(re.compile(rf"^{re.escape(server.url('/runs/'))}[0-9]{{8}}T"), timeout=60_000)
    page.wait_for_load_state()
    path = path_of(page, server)
    assert RUN_PATH.match(path), path
    return path


def upload_with_the_picker(page, server: Server) -> str:
    """On /validate: choose the example with the file input, send the form; the run page's path."""
    page.set_input_files("#files", str(EXAMPLE))
    page.click("#submit")
    return wait_for_run_page(page, server)


def run_tab(page, name: str, *, keyboard: bool = False) -> int:
    """Choose the canned question's tab in the editor and run it (▶ or Ctrl+Enter); its number of rows."""
    before = int(page.evaluate("() => document.body.dataset.editorQueries || '0'"))
    page.click(f"#tab-canned-{name}")
    panel = page.locator(f"#canned-{name}")
    panel.wait_for(state="visible")
    if keyboard:
        panel.locator(".CodeMirror").click()
        page.keyboard.press("Control+Enter")
    else:
        panel.locator(".yasqe_queryButton").click()
    page.wait_for_selector(f"body[data-editor-queries='{before + 1}'][data-editor-query='done']")
    assert page.evaluate("() => document.body.dataset.editorResult") == "ok"
    panel.locator(".yasr table tbody tr").first.wait_for()
    return panel.locator(".yasr table tbody tr").count()


def shoot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- 1. browsing ---------------------------------------------------------------------------------

def test_home_unit_measure_item_and_back(page, server, table):
    page.goto(server.url("/"))
    home_title = h1(page)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.locator("table.browse-units").get_by_role("link", name="审计处", exact=True).click()
    page.wait_for_url(server.url(AUDIT_OFFICE))
    assert h1(page) == "审计处"
    assert page.locator(".other-label").text_content() == "Audit Office"
    # the unit page lists exactly the items whose 责任单位 cell names 审计处, in the source's order
    owed = [f"item-{m.number}-{i.number}" for c in table.categories for m in c.measures for i in m.items
            if "审计处" in i.units]
    assert owed == page.locator("#owes ~ .browse-group .browse-item").evaluate_all("els => els.map(e => e.id)")
    assert "item-11-1" in owed

    page.locator("h4.measure a[href='/id/measure/11']").click()
    page.wait_for_url(server.url("/id/measure/11"))
    measure = source_item(table, 11, 1).measure
    assert h1(page) == f"11. {measure.title}"

    page.locator("#item-11-1 h3 a").click()
    page.wait_for_url(server.url("/id/item/11-1"))
    item = source_item(table, 11, 1)
    assert item.units == ["审计处"]
    # the item's text, exactly as in data/source/changgongdang-2022-61.txt at the item's place
    raw = (REPO / "data" / "source" / "changgongdang-2022-61.txt").read_text(encoding="utf-8")
    assert raw[item.span.start:item.span.end] == item.text
    verbatim = page.locator("main .verbatim").first
    assert verbatim.get_attribute("lang") == "zh-Hans"
    assert verbatim.text_content() == item.text
    assert verbatim.is_visible()
    assert page.locator("main .tag a[href='/id/unit/audit-office']").text_content() == "审计处"

    page.go_back()
    assert path_of(page, server) == "/id/measure/11" and h1(page).startswith("11.")
    page.go_back()
    assert path_of(page, server) == AUDIT_OFFICE and h1(page) == "审计处"
    page.go_back()
    assert path_of(page, server) == "/" and h1(page) == home_title


# -- 2. search -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["审计处", "Audit Office"])
def test_the_header_search_finds_the_audit_office(page, server, name):
    page.goto(server.url("/id/measure/1"))
    box = page.locator("header.site form.search input[name=q]")
    box.fill(name)
    box.press("Enter")
    page.wait_for_url(server.url("/search?q=" + quote(name.replace(" ", "+"), safe="+")))
    assert page.locator("main input[name=q]").input_value() == name
    hit = page.locator(f"#kind-unit > ol > li > a[href='{AUDIT_OFFICE}']")
    assert hit.text_content() == "审计处"
    marked = page.locator(f"#kind-unit > ol > li:has(> a[href='{AUDIT_OFFICE}']) mark").all_text_contents()
    assert name.lower() in [m.lower() for m in marked]
    hit.click()
    page.wait_for_url(server.url(AUDIT_OFFICE))
    assert h1(page) == "审计处"


# -- 3. the SPARQL editor ------------------------------------------------------------------------

def test_a_canned_question_runs_in_the_editor(page, server, store, watch):
    page.goto(server.url("/editor"))
    page.wait_for_selector("body[data-editor-ready='true']")
    assert page.locator("#yasgui [role=tab][id^='tab-canned-']").count() >= 17

    # 组织部's duties (the tab's example parameter), with the ▶ button
    answer = run_canned_query(store, "unit-duties", {"unit": "组织部"})
    rows = run_tab(page, "unit-duties")
    assert rows == len(answer.rows) == 35
    panel = page.locator("#canned-unit-duties")
    headers = [h.strip() for h in panel.locator(".yasr table thead th").all_text_contents()]
    assert headers[1:] == answer.variables
    shown = [t.strip() for t in panel.locator(".yasr table tbody tr td:nth-child(2)").all_text_contents()]
    assert shown == [row["item"].value for row in answer.rows]

    # the 37 measures by category, with Ctrl+Enter
    answer = run_canned_query(store, "measures-by-category")
    rows = run_tab(page, "measures-by-category", keyboard=True)
    assert rows == len(answer.rows) == 37
    texts = page.locator("#canned-measures-by-category .yasr table tbody tr").all_text_contents()
    for text, row in zip(texts, answer.rows):
        assert f'"{row["measure_zh"].value}"@zh' in text
    # both went to this site's endpoint
    assert watch.requests.count(f"POST {server.url('/sparql')}") == 2, watch.requests


# -- 4. uploads ----------------------------------------------------------------------------------

def check_run_page(page, server: Server, run_path: str, expected: dict, lang: str = "zh") -> None:
    """The run page shows the expected results, under each unit and under the measure, with their links."""
    run_id = run_path.rsplit("/", 1)[1]
    counts = expected["counts"]
    verdict = word("run.counts", lang).format(violations=counts["Violation"], warnings=counts["Warning"],
                                              infos=counts["Info"])
    assert page.locator("p.verdict").text_content().strip() == verdict
    results = expected["results"]
    assert page.locator("#by-unit article.result").count() == sum(len(r["units"]) for r in results)
    assert page.locator("#by-measure article.result").count() == len(results)
    for r in results:
        record = f"/runs/{run_id}/records/resource?iri={quote(r['focus'], safe='')}"
        places = [f"#by-unit #unit-{u['iri'].rsplit('/', 1)[1]}" for u in r["units"]] + [f"#by-measure #measure-{r['measure']}"]
        for place in places:
            group = page.locator(place)
            article = group.locator(f"article.result-{r['severity']}")
            assert article.count() == 1, place
            assert article.locator(".badge").text_content().strip() == word(f"severity.{r['severity']}", lang)
            assert article.locator("a.duty").get_attribute("href") == f"/shapes/duties#{r['shape']}"
            assert article.locator("a.duty").text_content().strip() == r["duty"][lang]
            assert article.locator("p.message").text_content().strip() == r["message"][lang]
            assert article.locator("a.item").get_attribute("href") == f"/id/item/{r['item_key']}"
            assert article.locator(f"a[href='/id/measure/{r['measure']}']").count() == 1
            assert article.locator("a.record").get_attribute("href") == record
            assert article.locator("a.record").text_content().strip() == r["focus"]
        for u in r["units"]:
            key = u["iri"].rsplit("/", 1)[1]
            assert page.locator(f"#by-unit #unit-{key} > h3 a").get_attribute("href") == f"/id/unit/{key}"
            assert page.locator(f"#by-unit #unit-{key} > h3 a").text_content().strip() == u[lang]
    # the JSON download is the report computed in process
    kept = page.request.get(server.url(run_path + "?format=json")).json()
    assert {k: kept[k] for k in ("conforms", "years", "counts", "results")} == expected


def test_the_example_uploaded_through_the_form(new_context, server, expected_run):
    assert expected_run["conforms"] is False and len(expected_run["results"]) == 1
    result = expected_run["results"][0]
    page = new_context().new_page()
    sign_in(page, server)
    assert page.locator("#upload input[type=file]#files").count() == 1
    run_path = upload_with_the_picker(page, server)
    check_run_page(page, server, run_path, expected_run)

    # the links: the record, the item and the duty open their pages
    unit_key = result["units"][0]["iri"].rsplit("/", 1)[1]
    article = page.locator(f"#by-unit #unit-{unit_key} article.result")
    article.locator("a.record").click()
    page.wait_for_url(re.compile(re.escape(server.url(run_path + "/records/resource?iri="))))
    assert page.locator("main .record-iri code").text_content().strip() == result["focus"]
    assert page.locator("main article.result").count() == 1
    page.go_back()
    article.locator("a.item").click()
    page.wait_for_url(server.url(f"/id/item/{result['item_key']}"))
    assert h1(page).startswith(result["item_key"])
    page.go_back()
    article.locator("a.duty").click()
    page.wait_for_url(server.url(f"/shapes/duties#{result['shape']}"))
    assert page.locator(f"[id='{result['shape']}']").is_visible()

    # the same file dropped on the form: the asynchronous path, its progress and the job's states
    page.goto(server.url("/validate"))
    words = json.loads(page.locator("#validate-data").text_content())["words"]
    states: list[str] = []
    busy: list[list[bool]] = []
    page.expose_function("dutygraphUploadState", lambda text: states.append(text))
    page.expose_function("dutygraphUploadBusy", lambda shown: busy.append(shown))
    page.evaluate("""() => {
        const text = document.getElementById('progress-text');
        new MutationObserver(() => window.dutygraphUploadState(text.textContent))
            .observe(text, {childList: true, characterData: true, subtree: true});
        // after validate.js's own submit handler (registered first): is the progress shown, the button off?
        document.getElementById('upload').addEventListener('submit', () => window.dutygraphUploadBusy(
            [!document.getElementById('progress').hidden, document.getElementById('submit').disabled]));
    }""")
    answers: list[tuple[str, int]] = []
    page.on("response", lambda response: answers.append((f"{response.request.method} {server.path_of(response.url)}", response.status)))
    dropped = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, {type: 'text/turtle'}));
            return transfer;
        }""", [EXAMPLE.name, EXAMPLE.read_text(encoding="utf-8")])
    page.dispatch_event("#drop-zone", "dragenter", {"dataTransfer": dropped})
    page.dispatch_event("#drop-zone", "dragover", {"dataTransfer": dropped})
    assert "drop-active" in page.locator("#drop-zone").get_attribute("class")
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": dropped})
    assert "drop-active" not in page.locator("#drop-zone").get_attribute("class")
    assert page.evaluate("() => Array.from(document.getElementById('files').files, f => f.name)") == [EXAMPLE.name]
    listed = page.locator("#file-list li.file-ok")
    assert listed.count() == 1 and listed.locator(".file-name").text_content() == EXAMPLE.name
    assert listed.locator(".tag").text_content() == "turtle"
    page.click("#submit")
    dropped_path = wait_for_run_page(page, server)
    assert busy == [[True, True]], busy
    assert dropped_path != run_path
    check_run_page(page, server, dropped_path, expected_run)
    assert states[0] == words["uploading"] and states[-1] == words["done"], states
    assert ("POST /validate?async=1", 202) in answers, answers
    assert any(re.fullmatch(r"GET /jobs/[0-9a-f]{24}", what) and status == 200 for what, status in answers), answers


def test_the_upload_form_without_javascript(new_context, server, expected_run):
    """Without scripts the form posts as it is and is answered by a redirect (303) to the run page."""
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, server)
    answers: list[tuple[str, int]] = []
    page.on("response", lambda response: answers.append((f"{response.request.method} {server.path_of(response.url)}", response.status)))
    run_path = upload_with_the_picker(page, server)
    assert ("POST /validate", 303) in answers, answers
    check_run_page(page, server, run_path, expected_run)


# -- 5. the graph view ---------------------------------------------------------------------------

def test_the_graph_view_draws_and_a_click_opens_the_page(page, server):
    page.goto(server.url("/graph?focus=audit-office"))
    page.wait_for_selector("body[data-graph-ready='true']")
    data = page.request.get(server.url("/graph.json?focus=audit-office")).json()
    assert page.evaluate("() => document.body.dataset.graphNodes") == str(len(data["nodes"]))
    assert page.evaluate("() => document.body.dataset.graphEdges") == str(len(data["edges"]))
    drawn = page.evaluate("() => window.dutygraphGraph.nodes().map(n => n.id()).sort()")
    assert drawn == sorted(node["id"] for node in data["nodes"])
    # something is painted: count the non-transparent pixels of cytoscape's canvases
    painted = page.evaluate("""() => Array.from(document.querySelectorAll('#graph canvas')).reduce((sum, canvas) => {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) n += 1;
        return sum + n;
    }, 0)""")
    assert painted > 20_000, painted
    # every node lies inside the drawing
    box = page.locator("#graph").bounding_box()
    outside = page.evaluate("""([w, h]) => window.dutygraphGraph.nodes().filter(n => {
        const p = n.renderedPosition(); return p.x < 0 || p.y < 0 || p.x > w || p.y > h; }).map(n => n.id())""",
                            [box["width"], box["height"]])
    assert outside == []

    target = "https://w3id.org/dutygraph/id/item/11-1"
    position = page.evaluate("(id) => window.dutygraphGraph.getElementById(id).renderedPosition()", target)
    page.evaluate("([y]) => window.scrollTo(0, document.getElementById('graph').getBoundingClientRect().top + window.scrollY + y - window.innerHeight / 2)",
                  [position["y"]])
    # let the scroll event reach cytoscape (it caches where its container is), then point at the node:
    # the hover line names it, so cytoscape sees the node under the pointer, and the click opens it
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    box = page.locator("#graph").bounding_box()
    x, y = box["x"] + position["x"], box["y"] + position["y"]
    assert 0 < y < DESKTOP["height"], (x, y)
    page.mouse.move(x, y)
    full = page.evaluate("(id) => window.dutygraphGraph.getElementById(id).data('full')", target)
    page.wait_for_function("(full) => document.getElementById('graph-hover').textContent.endsWith(full)", arg=full)
    page.mouse.click(x, y)
    page.wait_for_url(server.url("/id/item/11-1"))
    assert h1(page).startswith("11-1")


# -- 6. the language switch ----------------------------------------------------------------------

def test_the_language_switch(page, server):
    page.goto(server.url("/"))  # the context's locale zh-CN: Accept-Language zh-CN
    zh_headings = [bword("home.categories", "zh"), bword("home.units", "zh")]
    en_headings = [bword("home.categories", "en"), bword("home.units", "en")]
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert headings(page)[:2] == zh_headings
    switch = page.locator("header.site a.lang-switch")
    assert switch.text_content() == word("nav.switch", "zh") == "English"

    switch.click()
    page.wait_for_load_state()
    assert path_of(page, server) == "/"  # ?lang=en redirected back to the page, without it
    assert page.locator("html").get_attribute("lang") == "en"
    assert headings(page)[:2] == en_headings
    assert page.locator("header.site nav a[href='/']").first.text_content() == word("nav.home", "en")
    assert switch.text_content() == word("nav.switch", "en") == "中文"

    # it sticks: the next page is in English too
    page.locator("table.browse-units a[href='/id/unit/audit-office']").click()
    page.wait_for_url(server.url(AUDIT_OFFICE))
    assert page.locator("html").get_attribute("lang") == "en"
    assert h1(page) == "Audit Office"
    assert headings(page)[0] == bword("res.owes", "en")

    # and back to Chinese, which sticks as well
    page.locator("header.site a.lang-switch").click()
    page.wait_for_url(server.url(AUDIT_OFFICE))
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert h1(page) == "审计处"
    assert headings(page)[0] == bword("res.owes", "zh")
    page.goto(server.url("/"))
    assert headings(page)[:2] == zh_headings


# -- 7. screenshots ------------------------------------------------------------------------------

def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_screenshots_of_the_main_pages(new_context, server):
    shots: list[tuple[Path, int]] = []
    page = new_context().new_page()

    for name, path in [("home", "/"), ("unit", AUDIT_OFFICE), ("item", "/id/item/11-1"),
                       ("search", "/search?q=" + quote("审计处"))]:
        page.goto(server.url(path))
        shots.append((shoot(page, name), DESKTOP["width"]))

    page.goto(server.url("/editor"))
    page.wait_for_selector("body[data-editor-ready='true']")
    run_tab(page, "unit-duties")
    shots.append((shoot(page, "editor-results"), DESKTOP["width"]))

    page.goto(server.url("/graph?focus=audit-office"))
    page.wait_for_selector("body[data-graph-ready='true']")
    shots.append((shoot(page, "graph"), DESKTOP["width"]))

    page.goto(server.url("/login"))
    shots.append((shoot(page, "sign-in"), DESKTOP["width"]))
    sign_in(page, server)
    shots.append((shoot(page, "upload-form"), DESKTOP["width"]))
    run_path = upload_with_the_picker(page, server)
    shots.append((shoot(page, "run"), DESKTOP["width"]))
    page.goto(server.url("/runs"))
    assert page.locator(f"main a[href='{run_path}']").count() >= 1
    shots.append((shoot(page, "runs"), DESKTOP["width"]))
    page.goto(server.url("/runs/overview"))
    shots.append((shoot(page, "compliance-overview"), DESKTOP["width"]))

    # the same in English, where untranslated words would show
    for name, path in [("home-en", "/"), ("unit-en", AUDIT_OFFICE), ("run-en", run_path)]:
        page.goto(server.url(path + ("&" if "?" in path else "?") + "lang=en"))
        assert page.locator("html").get_attribute("lang") == "en"
        shots.append((shoot(page, name), DESKTOP["width"]))

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    for name, path in [("home-phone", "/"), ("unit-phone", AUDIT_OFFICE)]:
        phone.goto(server.url(path))
        # nothing wider than the phone: no sideways scrolling
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], name
        shots.append((shoot(phone, name), PHONE["width"]))

    for path, width in shots:
        assert path.exists(), path
        assert path.stat().st_size > 20_000, (path, path.stat().st_size)
        assert png_size(path)[0] == width, (path, png_size(path))


# -- a known fault of the pages ------------------------------------------------------------------

def test_every_page_has_an_icon(page, server):
    """Regression: each page names the site's icon (whose loading the watch checks), so that Chromium
    does not ask for /favicon.ico and log its 404 as a console error."""
    missing = []
    for path in ("/", AUDIT_OFFICE, "/search?q=x", "/login", "/editor", "/graph"):
        page.goto(server.url(path))
        if page.locator("head link[rel~='icon']").count() == 0:
            missing.append(path)
    if missing:
        status = page.request.get(server.url("/favicon.ico")).status
        assert status == 200, f"no icon named by {missing}, and /favicon.ico is {status}"
