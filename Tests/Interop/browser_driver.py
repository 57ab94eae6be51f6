#!/usr/bin/env python3
"""Drives Debian's headless Chromium through chromedriver with Selenium, one JSON command per
line on stdin, one JSON reply per line on stdout, so a Swift test can interleave browser steps
with real `conclave` processes.

Commands (each reply is {"ok": true, ...} or {"ok": false, "error": "..."}):
  {"op": "open", "url": U}
  {"op": "wait", "css": S, "text": T, "timeout": seconds}   -> {"elapsed": seconds}
  {"op": "click", "css": S, "text": T}                       first match whose text contains T
  {"op": "type", "css": S, "text": T}                        replaces the field's value
  {"op": "submit", "css": S}                                 submits the form
  {"op": "select", "css": S, "value": V}
  {"op": "texts", "css": S}                                  -> {"texts": [...]}
  {"op": "active"}                                           -> {"id": focused element id}
  {"op": "tab"}                                              presses Tab
  {"op": "screenshot", "path": P}
  {"op": "quit"}
Nothing here reaches the network: chromedriver and Chromium come from Debian, Selenium
Manager is switched off (SE_OFFLINE), and the page is on 127.0.0.1.
"""
import json
import os
import sys
import tempfile
import time

os.environ["SE_OFFLINE"] = "true"
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


def find_binary(*names):
    for name in names:
        for directory in ("/usr/bin", "/usr/lib/chromium", "/usr/local/bin"):
            path = os.path.join(directory, name)
            if os.path.exists(path):
                return path
    raise SystemExit("not found: " + " or ".join(names))


def start():
    options = webdriver.ChromeOptions()
    options.binary_location = find_binary("chromium", "chromium-browser")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,900", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-sync", "--disable-component-update",
                     "--user-data-dir=" + tempfile.mkdtemp(prefix="conclave-chromium-")):
        options.add_argument(argument)
    service = Service(executable_path=find_binary("chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def texts(driver, css):
    """The rendered text of every match, read in one script: the page re-renders parts of itself
    as events arrive, so element handles can go stale between two Selenium calls."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map((e) => e.innerText)", css)


def matching(driver, css, text):
    for element in driver.find_elements(By.CSS_SELECTOR, css):
        if text is None or text in element.text:
            return element
    return None


def retrying(action, seconds=5):
    """Runs `action`, again while the element it found was replaced under it."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except StaleElementReferenceException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run(driver, command):
    op = command["op"]
    if op == "open":
        driver.get(command["url"])
        return {}
    if op == "wait":
        started = time.monotonic()
        deadline = started + float(command.get("timeout", 10))
        wanted = command.get("text")
        while True:
            seen = texts(driver, command["css"])
            if any(wanted is None or wanted in text for text in seen):
                return {"elapsed": time.monotonic() - started}
            if time.monotonic() > deadline:
                raise RuntimeError("timed out waiting for %r in %s; saw %r" % (wanted, command["css"], seen[-5:]))
            time.sleep(0.02)
    if op == "click":
        def click():
            element = matching(driver, command["css"], command.get("text"))
            if element is None:
                raise RuntimeError("nothing to click: %s %r" % (command["css"], command.get("text")))
            element.click()
        retrying(click)
        return {}
    if op == "type":
        def type_text():
            element = driver.find_element(By.CSS_SELECTOR, command["css"])
            element.clear()
            element.send_keys(command["text"])
        retrying(type_text)
        return {}
    if op == "submit":
        driver.execute_script("arguments[0].requestSubmit()", driver.find_element(By.CSS_SELECTOR, command["css"]))
        return {}
    if op == "select":
        retrying(lambda: Select(driver.find_element(By.CSS_SELECTOR, command["css"])).select_by_value(command["value"]))
        return {}
    if op == "texts":
        return {"texts": texts(driver, command["css"])}
    if op == "active":
        return {"id": driver.switch_to.active_element.get_attribute("id") or "", "tag": driver.switch_to.active_element.tag_name}
    if op == "tab":
        driver.switch_to.active_element.send_keys(Keys.TAB)
        return {}
    if op == "screenshot":
        os.makedirs(os.path.dirname(command["path"]), exist_ok=True)
        driver.save_screenshot(command["path"])
        return {}
    raise RuntimeError("unknown op " + op)


def main():
    driver = start()
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    try:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            command = json.loads(line)
            if command["op"] == "quit":
                break
            try:
                reply = run(driver, command)
                reply["ok"] = True
            except Exception as error:  # reported to the test, which fails with it
                reply = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
            print(json.dumps(reply), flush=True)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
