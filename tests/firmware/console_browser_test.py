#!/usr/bin/python3
"""The kit's console in headless Chromium, as a coordinator uses it on a phone.

Drives the real `digikit run` (two simulated cameras) and a real MediaWiki on 127.0.0.1
(scripts/mediawiki-test-server.sh) with Debian's chromium + chromedriver through
python3-selenium. With DIGIKIT_CONSOLE_SCREENSHOTS=DIR it also saves each page at phone
and desktop size there (scripts/console-screenshots.sh does that for docs/).

Environment: DIGIKIT_SOURCE_DIR (the checkout); the digikit to run is DIGIKIT_CONSOLE_BINARY
(scripts/test.sh builds an optimized one: the 2 s from Capture to the new spread on the
phone is the product's latency, not a sanitizer build's) or else DIGIKIT_BINARY.
"""
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

DIGIKIT = os.environ.get("DIGIKIT_CONSOLE_BINARY") or os.environ.get("DIGIKIT_BINARY", "digikit")
SOURCE = os.environ.get("DIGIKIT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SCREENSHOTS = os.environ.get("DIGIKIT_CONSOLE_SCREENSHOTS")
SIM_SIZE = os.environ.get("DIGIKIT_CONSOLE_SIM_SIZE", "800x600").split("x")
PASSWORD = "reading room 7"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
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
        self.wiki_dir = os.path.join(self.dir, "wiki")
        env = dict(os.environ, DIGIKIT_WIKI_OWNER_PID=str(os.getpid()))
        subprocess.run(["bash", os.path.join(SOURCE, "scripts", "mediawiki-test-server.sh"), "start", self.wiki_dir],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        self.wiki = dict(line.split("=", 1) for line in open(os.path.join(self.wiki_dir, "wiki.env")).read().split()
                         if "=" in line)
        self.credentials = os.path.join(self.dir, "credentials.toml")
        with open(self.credentials, "w") as out:
            out.write(open(os.path.join(self.wiki_dir, "credentials.toml")).read())
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
                      f'[console]\nlisten = "127.0.0.1:0"\n{devices}')
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.daemon = subprocess.Popen([DIGIKIT, "--config", self.config, "run"], stdout=open(self.log_path, "w"),
                                       stderr=subprocess.STDOUT)
        self.url = self.wait_for_console()

    def wait_for_console(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(r"console: (http://127\.0\.0\.1:\d+/)", open(self.log_path).read())
            if found and self.digikit("status").returncode == 0:
                return found.group(1)
            if self.daemon.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("the daemon's console did not start:\n" + open(self.log_path).read())

    def digikit(self, *args):
        return subprocess.run([DIGIKIT, "--config", self.config, *args], capture_output=True, text=True)

    def json(self, *args):
        result = self.digikit(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def stop(self):
        self.daemon.send_signal(signal.SIGTERM)
        code = self.daemon.wait(timeout=60)
        subprocess.run(["bash", os.path.join(SOURCE, "scripts", "mediawiki-test-server.sh"), "stop", self.wiki_dir],
                       stdout=subprocess.DEVNULL, check=False)
        return code


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS + ["--user-data-dir=" + tempfile.mkdtemp(prefix="digikit-chromium-")]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@unittest.skipIf(missing_tools(), f"{missing_tools()} is not installed (scripts/install-deps.sh installs it)")
class ConsoleInTheBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kit = Kit()
        cls.browser = start_browser()
        cls.set_viewport(PHONE)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        code = cls.kit.stop()
        assert code == 0, "the daemon did not stop cleanly:\n" + open(cls.kit.log_path).read()

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

    def visible_text(self, element_id):
        return self.browser.find_element(By.ID, element_id).text

    def log_in(self):
        self.browser.get(self.kit.url)
        self.wait(lambda: self.browser.find_element(By.ID, "password").is_displayed(), message="no login form")
        self.screenshot("login")
        self.browser.find_element(By.ID, "password").send_keys("not it\n")
        self.wait(lambda: "Wrong password" in self.visible_text("login-error"), message="no wrong-password message")
        field = self.browser.find_element(By.ID, "password")
        field.clear()
        field.send_keys(PASSWORD + "\n")
        self.wait(lambda: self.browser.find_element(By.ID, "kit").is_displayed(), message="the Kit page did not open")
        self.wait(lambda: self.visible_text("signal-text") not in ("", "…"), message="no live state")

    def screenshot(self, name):
        if not SCREENSHOTS:
            return
        os.makedirs(SCREENSHOTS, exist_ok=True)
        for size, metrics in (("phone", PHONE), ("desktop", DESKTOP)):
            self.set_viewport(metrics)
            time.sleep(0.3)  # layout settles
            shot = self.browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})  # as a person sees it
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
        # Within 2 s: both thumbnails of spread 1, loaded, with the first look's verdict.
        self.wait(lambda: len([img for img in self.css("#spread img.thumb")
                               if "0001_" in img.get_attribute("src")
                               and self.browser.execute_script("return arguments[0].naturalWidth", img) > 0]) == 2
                  and len(self.css("#spread .verdict")) == 2, seconds=2,
                  message="the new spread's thumbnails and verdict did not appear within 2 s")
        took = time.monotonic() - pressed
        self.assertTrue(self.browser.execute_script("return window.sameDocument === true"), "the page reloaded")
        verdicts = [v.text for v in self.css("#spread .verdict")]
        for verdict in verdicts:
            self.assertRegex(verdict, r"^(Looks good|Retake\? .+)$")
        status = self.kit.json("status")
        self.assertEqual(status["book"]["captures"], 1)
        self.assertEqual(self.visible_text("stat-captures"), "1")
        print(f"capture -> thumbnails and verdict on the phone in {took:.2f} s: {verdicts}", file=sys.stderr)

        for _ in range(3):  # a few spreads, so the pages-per-hour and the grid have something to show
            self.click(self.browser.find_element(By.ID, "btn-capture"))
            time.sleep(0.2)
            self.wait(lambda: not self.browser.find_element(By.ID, "btn-capture").get_attribute("disabled"), 30)
        self.wait(lambda: self.kit.json("status")["processing_backlog"] == 0, 60)
        self.wait(lambda: self.visible_text("spread-number") == "(spread 4)", message="spread 4 not shown")
        self.wait(lambda: len([img for img in self.css("#spread img.thumb")
                               if self.browser.execute_script("return arguments[0].naturalWidth", img) > 0]) == 2)
        self.screenshot("kit")

    def test_2_a_bad_title_is_refused_on_the_field_and_a_good_one_saved(self):
        book = self.kit.json("status")["book"]["id"]
        self.browser.get(self.kit.url + f"#book/{book}")
        self.wait(lambda: self.css("#f-title"), message="no book form")
        title = self.browser.find_element(By.ID, "f-title")
        # Longer than any title may be (4096 bytes): typed in, it would take a while.
        self.browser.execute_script("arguments[0].value = 'Flora ' + 'x'.repeat(5000)", title)
        self.click(self.browser.find_element(By.CSS_SELECTOR, "#book-form button[type=submit]"))
        self.wait(lambda: self.visible_text("e-title") != "", message="no error next to the title")
        self.assertIn("title", self.visible_text("e-title"))
        self.assertIn("invalid", title.get_attribute("class"))
        self.assertEqual(self.kit.json("book", "show", book)["metadata"]["title"], "")
        self.screenshot("book-error")

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
        self.screenshot("book")
        self.browser.get(self.kit.url + "#books")
        self.wait(lambda: self.css("#book-list .book-item a"))
        self.screenshot("books")

    def test_3_a_failed_upload_is_retried_from_the_queue(self):
        self.browser.get(self.kit.url + "#kit")
        self.wait(lambda: self.browser.find_element(By.ID, "btn-end").is_displayed())
        end = self.browser.find_element(By.ID, "btn-end")
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", end)
        ActionChains(self.browser).click_and_hold(end).pause(0.3).release().perform()
        self.wait(lambda: "Hold End book" in self.visible_text("toast"), message="a short press was not refused")
        self.assertEqual(self.kit.json("status")["state"], "book_open")
        ActionChains(self.browser).click_and_hold(end).pause(2.0).release().perform()
        book = self.kit.json("status")["book"]
        self.wait(lambda: self.kit.json("status")["state"] == "idle", 30, "End book (held) did not close the book")
        queue = self.wait(lambda: self.kit.json("queue") or None, 60, "nothing was queued")
        self.assertEqual(len(queue), book["pages"])  # every page's JPEG access copy

        # Someone else's file already has the first page's name on the wiki: that item fails.
        import mwclient
        wiki = mwclient.Site(re.sub(r"^http://", "", self.kit.wiki["API_URL"]).rsplit("/", 1)[0], path="/",
                             scheme="http")
        wiki.login(self.kit.wiki["USERNAME"], self.kit.wiki["PASSWORD"])
        other = os.path.join(self.kit.dir, "theirs.jpg")
        subprocess.run([DIGIKIT, "capture", "--config", self.kit.config, "--device", "CAM-R", "--out", other],
                       check=True, capture_output=True)
        wiki.upload(open(other, "rb"), filename=queue[0]["target"], description="someone else's", ignore=False)
        sync = self.kit.digikit("sync", "--once")
        self.assertEqual(sync.returncode, 1, sync.stdout + sync.stderr)
        failed = [item for item in self.kit.json("queue") if item["state"] == "failed"]
        self.assertEqual([item["id"] for item in failed], [queue[0]["id"]])

        self.browser.get(self.kit.url + "#queue")
        item = f'#queue-list li[data-id="{failed[0]["id"]}"]'
        self.wait(lambda: self.css(item), message="the failed item is not listed")
        self.assertIn("exists", self.css(item)[0].text)
        self.assertIn(failed[0]["target"], self.css(item)[0].text)
        self.screenshot("queue")
        self.click(self.css(item + " button")[0])  # Retry
        self.wait(lambda: self.css(item) and "queued" in self.css(item)[0].text, message="not shown queued again")
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
    unittest.main(verbosity=2)
