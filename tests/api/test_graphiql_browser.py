"""GraphiQL as a developer uses it, offline: headless Chromium with every host but loopback
unresolvable runs a query, and the console shows no CSP violation or failed load."""

from __future__ import annotations

import asyncio
import shutil

from edxelera_gql.app import create_app
from tests.support.browser import need
from tests.support.factories import make_program
from tests.support.paystack import serve

SLUG = "graphiql-offline"
QUERY = "{ programs(first: 5) { nodes { slug } } }"
EDITOR = ".graphiql-query-editor .CodeMirror"
INJECTED_STYLE = """return [...document.querySelectorAll("style")].some(
    (s) => s.textContent.includes("with-scroll-bars-hidden"))"""


def _use_graphiql(url: str) -> tuple[str, list[dict[str, object]]]:
    """Runs the query and opens a dialog (GraphiQL injects a style then); returns the result
    pane's text and the browser log."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        # Offline but for the app: a CDN request would fail, and show in the log.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or ""))
    try:
        wait = WebDriverWait(driver, 30)
        driver.get(f"{url}/graphql")
        wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, EDITOR))).click()
        # What typing does, without CodeMirror's auto-closed brackets getting in the way.
        driver.execute_script(
            f"document.querySelector('{EDITOR}').CodeMirror.setValue(arguments[0])", QUERY
        )
        driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
        response = (By.CSS_SELECTOR, ".graphiql-response")
        wait.until(ec.text_to_be_present_in_element(response, SLUG))
        result = driver.find_element(*response).text
        settings = "//button[@aria-label='Open settings dialog']"
        driver.find_element(By.XPATH, settings).click()
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".graphiql-dialog")))
        # The dialog's scroll lock adds its <style>; the CSP judges it as it is inserted.
        wait.until(lambda d: d.execute_script(INJECTED_STYLE))
        return result, driver.get_log("browser")
    finally:
        driver.quit()


async def test_graphiql_runs_a_query_offline_under_its_csp(settings, clock, sessionmaker) -> None:
    need("chromium", "chromedriver")
    app = create_app(settings, clock=clock, setup_logging=False)
    server = await serve(app, lifespan="on")
    try:
        async with sessionmaker() as session, session.begin():
            await make_program(session, slug=SLUG)
        # Selenium blocks: off the event loop, which serves the page meanwhile.
        result, log = await asyncio.to_thread(_use_graphiql, server.url)
    finally:
        await server.stop()
    assert f'"slug": "{SLUG}"' in result
    # A CSP violation, a failed load (a CDN, a 404) or a script error is logged as SEVERE.
    assert [e["message"] for e in log if e["level"] in {"SEVERE", "WARNING"}] == []
