"""The shopper widget, the chat and the agent console in a real browser: Debian's Chromium driven by Playwright
against a real `shopassist demo` server process on its own SQLite database.

Screenshots go to test-artifacts/ (kept out of git): look at them after a change to the pages.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect, sync_playwright

from assistant.desk.agents import DEMO_AGENT
from assistant.pipeline import Assistant
from harness.server_process import data_dir_with, free_port, stop, wait_until_serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# A turn on a busy two-core machine can take seconds; the chat's agent poll adds up to two more.
TIMEOUT_MS = 30_000
PHONE = {"width": 390, "height": 844}
expect.set_options(timeout=TIMEOUT_MS)
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's data directory."""
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="module")
def server(assistant: Assistant, home: Path) -> Iterator[str]:
    """`shopassist demo` in its own process and data directory, with the session's index and intent model
    copied in so that nothing is rebuilt; the base URL."""
    data_dir_with(home, assistant.settings.index_dir)
    port = free_port()
    log_path = home / "server.log"
    log = log_path.open("w")
    command = [sys.executable, "-m", "cli", "demo", "--data-dir", str(home), "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, f"{base}/healthz", 180, log_path)
        yield base
    finally:
        stop(process, timeout=10)
        log.close()


@pytest.fixture(scope="module")
def database(server: str, home: Path) -> Path:
    """The server's SQLite file, for checking what the pages stored."""
    return home / "shopassist.db"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        # --no-sandbox: the tests may run as root in a container, where Chromium's sandbox cannot start.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def new_page(browser: Browser, viewport: dict) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return context, page


def say(chat, text: str) -> None:
    box = chat.get_by_placeholder("Type a message…")
    box.fill(text)
    box.press("Enter")


@pytest.fixture(scope="module")
def shopper(browser: Browser, server: str) -> Iterator[Page]:
    """A shopper on the demo store with the widget, desktop-sized; one page for the whole module, so the
    scenarios continue one conversation."""
    context, page = new_page(browser, DESKTOP)
    page.goto(f"{server}/store")
    yield page
    context.close()


def widget_chat(page: Page):
    return page.frame_locator("#shopassist-widget iframe")


def assert_fits(frame: Frame) -> None:
    """Nothing of the chat is out of reach sideways: no horizontal scroll, and every card, chip and the cart
    inside the frame's width (the cards' own row scrolls, three whole cards at a time), each card's picture
    loaded."""
    width = frame.evaluate("() => document.documentElement.clientWidth")
    assert frame.evaluate("() => document.documentElement.scrollWidth") <= width
    boxes = frame.evaluate(
        """() => [...document.querySelectorAll('#cards .card:nth-child(-n+3), .chips button, #cart')]
            .filter(e => e.offsetParent).map(e => [e.getBoundingClientRect().left, e.getBoundingClientRect().right])"""
    )
    assert boxes and all(left >= 0 and right <= width for left, right in boxes), (width, boxes)
    # Pictures load one by one, slower when the machine is busy: wait for them, then look at what came.
    frame.wait_for_function(
        "() => [...document.querySelectorAll('#cards .card img')].every(i => i.complete && i.naturalWidth)",
        timeout=20_000,
    )
    pictures = frame.evaluate(
        "() => [...document.querySelectorAll('#cards .card img')].map(i => [i.complete && i.naturalWidth, i.src])"
    )
    assert pictures and all(loaded and "/images/" in src for loaded, src in pictures), pictures
    assert len({src for _, src in pictures}) == len(pictures)


def test_a_shopper_finds_adds_and_buys_through_the_store_widget(shopper: Page, database: Path) -> None:
    page = shopper
    expect(page.locator("#shopassist-widget .greeting")).to_have_text("Hi! Need help finding something?")
    page.locator("#shopassist-widget button.button").click()
    chat = widget_chat(page)
    say(chat, "show me running shoes under 100")
    cards = chat.locator("#cards .card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 2
    expect(chat.locator(".stage")).to_have_count(0)  # the journey stage is for agents, not shoppers
    first_title = cards.first.locator(".title").inner_text()

    cards.first.get_by_role("button", name="Add to cart").click()
    expect(chat.locator("#cart")).to_contain_text(first_title)
    expect(chat.locator("#cart")).to_contain_text("Total")
    assert_fits(page.frames[-1])
    page.locator("#shopassist-widget .panel").screenshot(path=ARTIFACTS / "widget-panel.png")

    chat.locator("#checkout").click()
    form = chat.locator("#checkout-form").first  # Gradio puts a group's id on two nested elements
    expect(form).to_be_visible()
    form.get_by_label("Shipping address").fill("12 Main Street, Springfield")
    form.get_by_label("Card number, last 4 digits").fill("4242")
    form.get_by_role("button", name="Review order").click()
    chat.locator("#place-order").click()
    expect(chat.get_by_text("is placed").last).to_be_visible()
    chat.locator("#chat").scroll_into_view_if_needed()  # the clicks scrolled the chat's panels into view
    page.screenshot(path=ARTIFACTS / "widget-store.png")

    # The checkout form went through the conversation: the order is in the database with the form's details.
    with sqlite3.connect(database) as connection:
        address, payment = connection.execute(
            "SELECT shipping_address, payment_method FROM orders ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert (address, payment) == ("12 Main Street, Springfield", "card ending 4242")


def test_thumbs_are_stored_per_reply(shopper: Page, database: Path) -> None:
    chat = widget_chat(shopper)
    chat.get_by_role("button", name="Like", exact=True).last.click()  # on the order confirmation
    deadline = time.monotonic() + 10
    rated = []
    while time.monotonic() < deadline and not rated:
        with sqlite3.connect(database) as connection:
            rated = connection.execute(
                "SELECT text, feedback FROM messages WHERE feedback IS NOT NULL"
            ).fetchall()
        time.sleep(0.2)
    assert len(rated) == 1 and rated[0][1] == "up" and "is placed" in rated[0][0]


def test_the_widget_keeps_the_conversation_across_page_loads(shopper: Page) -> None:
    shopper.reload()
    # Open before: it opens again by itself, with the conversation and its panels restored.
    chat = widget_chat(shopper)
    expect(chat.get_by_text("is placed").last).to_be_visible()
    expect(chat.get_by_text("show me running shoes under 100", exact=True)).to_be_visible()


def test_the_widget_on_a_phone_fits_its_width_and_shows_pictures(browser: Browser, server: str) -> None:
    context, page = new_page(browser, PHONE)
    page.goto(f"{server}/store")
    page.locator("#shopassist-widget button.button").click()
    chat = widget_chat(page)
    say(chat, "show me yoga mats")
    expect(chat.locator("#cards .card").nth(2)).to_be_visible()
    expect(chat.locator("#cards .card img").first).to_have_js_property("complete", True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_fits(page.frames[-1])
    page.screenshot(path=ARTIFACTS / "widget-phone.png")
    context.close()


def test_an_agent_sees_the_purchase_and_takes_over_another_conversation(
    browser: Browser, server: str, shopper: Page
) -> None:
    agent_context, console = new_page(browser, DESKTOP)
    console.goto(f"{server}/console/")
    console.get_by_label("username").fill(DEMO_AGENT[0])
    console.get_by_label("password").fill(DEMO_AGENT[1])
    console.get_by_role("button", name="Login").click()
    lines = console.locator("#conversations button.conversation")
    # One line per conversation, named by what the shopper first said, with its stage in plain words.
    bought = lines.filter(has_text="show me running shoes under 100")
    expect(bought).to_have_count(1)
    expect(bought.locator(".stage-name")).to_have_text("Purchased")
    expect(bought.locator(".when")).to_have_text(re.compile(r"just now|\d+ min ago"))

    # A second shopper, on a phone, asks for a person: their conversation is listed first, waiting.
    phone_context, phone = new_page(browser, PHONE)
    phone.goto(f"{server}/")
    question = "I need help choosing a gift for my dad"
    say(phone, question)
    expect(phone.locator('[data-testid="bot"]').first).to_be_visible()
    phone.locator("#talk-to-a-person").click()
    expect(phone.locator("#handoff")).to_contain_text("A person from our team will join")

    # The list refreshes by itself: the waiting conversation shows up first, and a click opens it.
    expect(lines.first.locator(".waiting")).to_have_text("⚑ waiting")
    expect(lines.first.locator(".words")).to_have_text(question)
    lines.first.click()
    expect(lines.first).to_have_attribute("aria-pressed", "true")
    expect(console.locator("#transcript")).to_contain_text(question)
    console.get_by_role("button", name="Take over").click()
    expect(console.locator("#transcript")).to_contain_text("An agent is answering")
    console.locator("#agent-message textarea").fill("Hi, I'm Dana from the store. What does your dad like?")
    console.get_by_role("button", name="Send", exact=True).click()
    expect(console.locator("#transcript")).to_contain_text("I'm Dana from the store")
    # The agent's own message is in view: the transcript scrolls to the newest.
    messages = console.locator("#transcript .messages")
    assert messages.evaluate("box => box.scrollTop + box.clientHeight >= box.scrollHeight - 2")

    expect(phone.get_by_text("I'm Dana from the store")).to_be_visible()
    expect(phone.locator("#handoff")).to_contain_text("A person is answering you")
    phone.screenshot(path=ARTIFACTS / "chat-phone.png")
    console.screenshot(path=ARTIFACTS / "console.png", full_page=True)

    console.get_by_role("tab", name="Journey").click()
    expect(
        console.get_by_text("asked for a person").or_(console.get_by_text("searched")).first
    ).to_be_visible()
    console.get_by_role("tab", name="Analytics").click()
    expect(console.get_by_text("Searches that found nothing")).to_be_visible()
    expect(console.get_by_text("journeys (all time)")).to_contain_text("purchased")
    charts = console.locator("img").filter(visible=True)
    expect(charts).to_have_count(2)  # the funnel and the journey map
    console.screenshot(path=ARTIFACTS / "console-analytics.png", full_page=True)
    phone_context.close()
    agent_context.close()


@pytest.fixture
def other_shop(server: str) -> Iterator[str]:
    """Another shop's page, served by its own little web server (another origin), embedding the widget with
    its own colour, greeting and side: one script tag is all it takes."""
    page = (
        f'<!doctype html><html><body><h1>Another shop</h1><script src="{server}/widget.js" '
        'data-color="#ff0000" data-greeting="Hola! Can I help?" data-position="left"></script></body></html>'
    ).encode()

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_args) -> None:  # quiet: pytest shows what matters
            pass

    shop = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=shop.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{shop.server_address[1]}/"
    shop.shutdown()


def test_the_widget_takes_its_colors_greeting_and_side_from_data_attributes(
    browser: Browser, server: str, other_shop: str
) -> None:
    context, page = new_page(browser, DESKTOP)
    page.goto(other_shop)
    widget = page.locator("#shopassist-widget")
    expect(widget.locator(".greeting")).to_have_text("Hola! Can I help?")
    button = widget.locator("button.button")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 0, 0)"
    assert button.bounding_box()["x"] < DESKTOP["width"] / 2  # on the left
    button.click()
    expect(widget.locator("iframe")).to_have_attribute("src", f"{server}/")
    expect(widget_chat(page).get_by_placeholder("Type a message…")).to_be_visible()
    context.close()
