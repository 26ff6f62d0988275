#!/usr/bin/python3
"""The kit's console in headless Chromium, as a coordinator uses it on a phone.

Drives the real `digikit run` (two simulated cameras) and a real MediaWiki on 127.0.0.1
(scripts/mediawiki-test-server.sh) with Debian's chromium + chromedriver through
python3-selenium. With DIGIKIT_CONSOLE_SCREENSHOTS=DIR it also saves each page at phone
and desktop size there (scripts/console-screenshots.sh does that for docs/).

Environment: DIGIKIT_SOURCE_DIR (the checkout); DIGIKIT_BINARY, the digikit to run.
The 2 s from Capture to the new spread on the phone is the product's latency: it is held to
an optimized build (scripts/console-browser-test.sh). ctest runs this test against its own
build too; a sanitizer build (-O0, AddressSanitizer) renders, checks and stores each photo
several times slower, so there DIGIKIT_CONSOLE_LATENCY_LIMIT_S gives its own bound, and the
time taken is printed either way. Exits 77 (skipped) only when chromium, chromedriver or
python3-selenium is not installed.
"""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SKIPPED = 77  # ctest's SKIP_RETURN_CODE for this test

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("console browser test skipped: python3-selenium is not installed (scripts/install-deps.sh installs it)",
          file=sys.stderr)
    sys.exit(SKIPPED)

DIGIKIT = os.environ.get("DIGIKIT_BINARY", "digikit")
# From the press to both thumbnails and the verdict on the phone (the figure).
LATENCY_LIMIT_S = float(os.environ.get("DIGIKIT_CONSOLE_LATENCY_LIMIT_S", "2"))
SOURCE = os.environ.get("DIGIKIT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SCREENSHOTS = os.environ.get("DIGIKIT_CONSOLE_SCREENSHOTS")
SIM_SIZE = os.environ.get("DIGIKIT_CONSOLE_SIM_SIZE", "800x600").split("x")
PASSWORD = "reading room 7"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
PHONE_SHOT = dict(PHONE, deviceScaleFactor=1)  # the same layout, a quarter of the pixels in docs/
DESKTOP = {"width": 1280, "height": 860, "deviceScaleFactor": 1, "mobile": False}
# Flags Chromium needs in this sandbox: no sandbox as root, and no calls home.
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def missing_tools():
    for tool in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.access(tool, os.X_OK):
            return tool
    return None


class Kit:
    """A wiki, a config and a running daemon in one temporary folder."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="digikit-console-")
        self.daemon = None
        self.wiki_dir = os.path.join(self.dir, "wiki")
        env = dict(os.environ, DIGIKIT_WIKI_OWNER_PID=str(os.getpid()))
        subprocess.run(["bash", os.path.join(SOURCE, "scripts", "mediawiki-test-server.sh"), "start", self.wiki_dir],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        self.wiki = dict(line.split("=", 1) for line in read(os.path.join(self.wiki_dir, "wiki.env")).split()
                         if "=" in line)
        self.credentials = os.path.join(self.dir, "credentials.toml")
        with open(self.credentials, "w") as out:
            out.write(read(os.path.join(self.wiki_dir, "credentials.toml")))
            out.write(f'console_password = "{PASSWORD}"\n')
        os.chmod(self.credentials, 0o600)
        self.config = os.path.join(self.dir, "kit.toml")
        width, height = SIM_SIZE
        devices = "".join(f'[[device]]\ntype = "sim"\nrole = "{role}"\nserial = "{serial}"\nwidth = {width}\n'
                          f'height = {height}\nseed = {seed}\n'
                          for role, serial, seed in (("left", "CAM-L", 1), ("right", "CAM-R", 7)))
        with open(self.config, "w") as out:
            out.write(f'data_dir = "{self.dir}/data"\n[metadata]\ninstitution = "Example Library"\n'
                      f'license = "PD-old-70"\ncategories = ["Scans by the Example kit"]\n'
                      f'[commons]\napi_url = "{self.wiki["API_URL"]}"\ncredentials_file = "{self.credentials}"\n'
                      # The whole-book file (OCR, DjVu) has tests of its own; here it would only take time.
                      f'book_file = "none"\n'
                      f'[console]\nlisten = "127.0.0.1:0"\n{devices}')
        self.log_path = os.path.join(self.dir, "daemon.log")
        with open(self.log_path, "w") as log:
            self.daemon = subprocess.Popen([DIGIKIT, "--config", self.config, "run"], stdout=log,
                                           stderr=subprocess.STDOUT)
        self.url = self.wait_for_console()

    def wait_for_console(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"console: (http://127\.0\.0\.1:\d+/)", self.log())
            if found:
                return found.group(1)
            if self.daemon.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("the daemon's console did not start:\n" + self.log())

    def log(self):
        return read(self.log_path)

    def digikit(self, *args):
        return subprocess.run([DIGIKIT, "--config", self.config, *args], capture_output=True, text=True)

    def json(self, *args):
        result = self.digikit(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def stop(self):
        """Stops the daemon (its exit code is returned) and the wiki, and removes the folder."""
        code = None
        if self.daemon:
            self.daemon.send_signal(signal.SIGTERM)
            code = self.daemon.wait(timeout=60)
        subprocess.run(["bash", os.path.join(SOURCE, "scripts", "mediawiki-test-server.sh"), "stop", self.wiki_dir],
                       stdout=subprocess.DEVNULL, check=False)
        return code

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def read(path):
    with open(path) as file:
        return file.read()


def start_browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS + ["--user-data-dir=" + profile]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class ConsoleInTheBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kit = Kit()
        try:
            cls.browser = start_browser(os.path.join(cls.kit.dir, "chromium"))
        except BaseException:
            cls.kit.stop()
            cls.kit.remove()
            raise
        cls.browser.set_script_timeout(30)
        cls.set_viewport(PHONE)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        code = cls.kit.stop()
        log = cls.kit.log()
        cls.kit.remove()
        assert code == 0, "the daemon did not stop cleanly:\n" + log

    @classmethod
    def set_viewport(cls, metrics):
        cls.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)

    def wait(self, condition, seconds=10, message=""):
        return WebDriverWait(self.browser, seconds, poll_frequency=0.05).until(lambda _: condition(), message)

    def click(self, element):
        """Taps an element as a person would: scrolled into the middle of the screen first."""
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def css(self, selector):
        return self.browser.find_elements(By.CSS_SELECTOR, selector)

    # Read in one script each: the live page re-renders under a find-then-read.
    def visible_text(self, element_id):
        return self.browser.execute_script(
            "const e = document.getElementById(arguments[0]); return e && !e.closest('[hidden]') ? e.textContent.trim() : ''",
            element_id)

    def texts(self, selector):
        return self.browser.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText.trim())", selector)

    def loaded_thumbnails(self, selector, name_part=""):
        return self.browser.execute_script(
            "return [...document.querySelectorAll(arguments[0])].filter((img) => img.src.includes(arguments[1])"
            " && img.complete && img.naturalWidth > 0).length", selector, name_part)

    def api(self, path):
        """GET /api/PATH in the page's own session. The CLI is asked only where the test says
        so: each start of it costs seconds in a sanitizer build, and /api/ mirrors it."""
        return self.browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/api/' + arguments[0]).then((res) => res.json()).then(done, () => done(null))", path)

    def log_in(self):
        self.browser.get(self.kit.url)
        self.wait(lambda: self.browser.find_element(By.ID, "password").is_displayed(), message="no login form")
        self.browser.find_element(By.ID, "password").send_keys("not it\n")
        self.wait(lambda: "Wrong password" in self.visible_text("login-error"), message="no wrong-password message")
        field = self.browser.find_element(By.ID, "password")
        field.clear()
        field.send_keys(PASSWORD + "\n")
        self.wait(lambda: self.browser.find_element(By.ID, "kit").is_displayed(), message="the Kit page did not open")
        self.wait(lambda: self.visible_text("signal-text") not in ("", "…"), message="no live state")

    def screenshot(self, name):
        """The whole page (scrolled down) at phone and desktop size, once the toast is gone: docs/."""
        if not SCREENSHOTS:
            return
        os.makedirs(SCREENSHOTS, exist_ok=True)
        self.wait(lambda: self.visible_text("toast") == "", 8, "the toast stayed")
        for size, metrics in (("phone", PHONE_SHOT), ("desktop", DESKTOP)):
            self.set_viewport(metrics)
            self.browser.execute_script("window.scrollTo(0, 0)")
            time.sleep(0.5)  # layout settles, lazy thumbnails load
            # A screen as tall as the page: what is fixed to its bottom (the phone's tabs) stays there.
            height = self.browser.execute_script("return document.documentElement.scrollHeight")
            self.set_viewport(dict(metrics, height=max(metrics["height"], height)))
            time.sleep(0.3)
            shot = self.browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
            with open(os.path.join(SCREENSHOTS, f"console-{name}-{size}.png"), "wb") as out:
                out.write(base64.b64decode(shot["data"]))
        self.set_viewport(PHONE)

    def test_1_capture_shows_the_new_spread_without_reloading(self):
        self.log_in()
        self.browser.execute_script("window.sameDocument = true")
        self.click(self.css("[data-press=new-book]")[0])
        self.wait(lambda: self.visible_text("book-title") != "No book open", message="New book did not show")

        pressed = time.monotonic()
        self.click(self.browser.find_element(By.ID, "btn-capture"))
        # Both thumbnails of spread 1, loaded, with the first look's verdict.
        self.wait(lambda: self.loaded_thumbnails("#spread img.thumb", "0001_") == 2
                  and len(self.texts("#spread .verdict")) == 2, seconds=LATENCY_LIMIT_S,
                  message=f"the new spread's thumbnails and verdict did not appear within {LATENCY_LIMIT_S:g} s")
        took = time.monotonic() - pressed
        print(f"\ncapture -> both thumbnails and the verdict on the phone in {took:.2f} s "
              f"(limit {LATENCY_LIMIT_S:g} s)", file=sys.stderr)
        self.assertTrue(self.browser.execute_script("return window.sameDocument === true"), "the page reloaded")
        for verdict in self.texts("#spread .verdict"):
            self.assertRegex(verdict, r"^(Looks good|Retake\? .+)$")
        self.assertEqual(self.api("status")["book"]["captures"], 1)
        self.assertEqual(self.visible_text("stat-captures"), "1")

        # A second spread, so that the book has a grid of pages to show.
        self.click(self.browser.find_element(By.ID, "btn-capture"))
        self.wait(lambda: self.visible_text("spread-number") == "(spread 2)"
                  and self.loaded_thumbnails("#spread img.thumb", "0002_") == 2, 60, "spread 2 not shown")
        self.assertTrue(self.browser.execute_script("return window.sameDocument === true"), "the page reloaded")
        self.screenshot("kit")

    def test_2_a_bad_title_is_refused_on_the_field_and_a_good_one_saved(self):
        book = self.api("status")["book"]["id"]
        self.browser.get(self.kit.url + f"#book/{book}")
        self.wait(lambda: self.css("#f-title"), message="no book form")
        title = self.browser.find_element(By.ID, "f-title")
        # Longer than any title may be (4096 bytes): typed in, it would take a while.
        self.browser.execute_script("arguments[0].value = 'Flora ' + 'x'.repeat(5000)", title)
        self.click(self.browser.find_element(By.CSS_SELECTOR, "#book-form button[type=submit]"))
        self.wait(lambda: self.visible_text("e-title") != "", message="no error next to the title")
        self.assertIn("title", self.visible_text("e-title"))
        self.assertIn("invalid", title.get_attribute("class"))
        self.assertEqual(self.api(f"books/{book}")["metadata"]["title"], "")

        title.clear()
        title.send_keys("Flora of the Example Valley")
        for key, value in (("authors", "Jane Botanist"), ("date", "1887")):
            field = self.browser.find_element(By.ID, f"f-{key}")
            field.clear()
            field.send_keys(value)
        self.click(self.browser.find_element(By.CSS_SELECTOR, "#book-form button[type=submit]"))
        self.wait(lambda: self.visible_text("book-saved") == "Saved", message="not saved")
        self.assertEqual(self.visible_text("e-title"), "")
        shown = self.kit.json("book", "show", book)
        self.assertEqual(shown["metadata"]["title"], "Flora of the Example Valley")
        self.assertEqual(shown["metadata"]["authors"], ["Jane Botanist"])
        self.assertEqual(shown["missing_for_upload"], [])
        self.assertEqual(self.visible_text("book-heading"), "Flora of the Example Valley")
        self.wait(lambda: self.loaded_thumbnails("#page-grid img.thumb") == shown["pages"], message="no pages")
        self.screenshot("book")

        # Reprocess a page: as `digikit book reprocess ID 0001_left`; the grid shows it again.
        self.browser.execute_script("document.querySelector('#page-grid .page-cell').dataset.before = 'yes'")
        self.click(self.css('#page-grid button[data-shot="0001_left"]')[0])
        self.wait(lambda: "processing shot 0001_left" in self.visible_text("toast"), message="reprocess not done")
        self.wait(lambda: not self.css("#page-grid [data-before]")
                  and self.loaded_thumbnails("#page-grid img.thumb", "0001_left") == 1
                  and self.loaded_thumbnails("#page-grid img.thumb") == shown["pages"], 60,
                  "the reprocessed page did not come back")
        self.assertEqual(self.api(f"books/{book}")["pages"], shown["pages"])

        self.browser.get(self.kit.url + "#books")
        self.wait(lambda: self.css("#book-list .book-item a"))
        self.screenshot("books")

    def test_3_a_failed_upload_is_retried_from_the_queue(self):
        self.browser.get(self.kit.url + "#kit")
        self.wait(lambda: self.browser.find_element(By.ID, "btn-end").is_displayed())
        book = self.api("books/" + self.api("status")["book"]["id"])  # as book show counts its pages
        end = self.browser.find_element(By.ID, "btn-end")
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", end)
        ActionChains(self.browser).click_and_hold(end).pause(0.3).release().perform()
        self.wait(lambda: "Hold End book" in self.visible_text("toast"), message="a short press was not refused")
        self.assertEqual(self.api("status")["state"], "book_open")
        ActionChains(self.browser).click_and_hold(end).pause(2.0).release().perform()
        self.wait(lambda: self.api("status")["state"] == "idle", 30, "End book (held) did not close the book")
        def all_queued():  # each page's JPEG access copy
            queue = self.api("queue")
            return queue if len(queue) == book["pages"] else None
        queue = self.wait(all_queued, 60, "not every page was queued")

        # Someone else's file already has the first page's name on the wiki: that item fails.
        import mwclient
        wiki = mwclient.Site(re.sub(r"^http://", "", self.kit.wiki["API_URL"]).rsplit("/", 1)[0], path="/",
                             scheme="http")
        wiki.login(self.kit.wiki["USERNAME"], self.kit.wiki["PASSWORD"])
        theirs = os.path.join(self.kit.dir, "data", "books", book["id"], "raw", "0001_right.jpg")
        with open(theirs, "rb") as photo:
            wiki.upload(photo, filename=queue[0]["target"], description="someone else's", ignore=False)

        self.browser.get(self.kit.url + "#queue")
        self.wait(lambda: self.browser.find_element(By.ID, "btn-sync").is_displayed(), message="no Sync now")
        self.click(self.browser.find_element(By.ID, "btn-sync"))  # the daemon syncs; that item fails
        item = f'#queue-list li[data-id="{queue[0]["id"]}"]'
        self.wait(lambda: "failed" in "".join(self.texts(item)), 90, "the taken name did not fail")
        self.wait(lambda: self.api("status")["state"] == "idle", 60, "the sync did not end")
        failed = [entry for entry in self.api("queue") if entry["state"] == "failed"]
        self.assertEqual([entry["id"] for entry in failed], [queue[0]["id"]])
        self.assertIn("exists", self.texts(item)[0])
        self.assertIn(failed[0]["target"], self.texts(item)[0])
        self.screenshot("queue")
        self.click(self.css(item + " button")[0])  # Retry
        self.wait(lambda: "queued" in "".join(self.texts(item)), message="not shown queued again")
        again = [entry for entry in self.kit.json("queue") if entry["id"] == failed[0]["id"]][0]
        self.assertEqual(again["state"], "queued")

    def test_4_devices(self):
        self.browser.get(self.kit.url + "#devices")
        self.wait(lambda: len(self.css("#device-list li")) == 2, message="cameras not listed")
        text = self.visible_text("device-list")
        self.assertIn("CAM-L", text)
        self.assertIn("Ready", text)
        self.screenshot("devices")


if __name__ == "__main__":
    missing = missing_tools()
    if missing:
        print(f"console browser test skipped: {missing} is not installed (scripts/install-deps.sh installs it)",
              file=sys.stderr)
        sys.exit(SKIPPED)
    sys.exit(0 if unittest.main(verbosity=2, exit=False).result.wasSuccessful() else 1)
