"""The web studio in a real browser (headless Chromium): add a generator through
the form, watch its count rise, preview templates, stop it; and the token prompt.

bench/screenshot_studio.py takes the README's picture with the same helpers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Literal, TypeVar

import pytest
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.service.browser import Studio, chrome, studio

TOKEN = "s3cret-studio-token"
TEMPLATE = "{ id: std.native('get_integer')(1, 10), word: 'hello' }"
T = TypeVar("T")


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with chrome() as driver:
        yield driver


@pytest.fixture(scope="module")
def service() -> Iterator[Studio]:
    with studio() as server:
        yield server


def until(
    driver: WebDriver,
    condition: Callable[[WebDriver], T | None | Literal[False]],
    what: str,
    seconds: float = 10,
) -> T:
    """condition's first truthy answer; fails naming what did not happen."""
    try:
        found = WebDriverWait(driver, seconds, poll_frequency=0.05).until(condition)
    except TimeoutException:
        pytest.fail(
            f"waited {seconds} s in vain for {what}; page: {page_state(driver)}"
        )
    assert found is not None and found is not False
    return found


def page_state(driver: WebDriver) -> str:
    """What the page shows that may explain a wait in vain."""
    shown = {
        selector: driver.find_element(By.CSS_SELECTOR, selector).text
        for selector in ("#auth-error", "#form-error", "#preview-error")
        + ("#generators-error", "#generators tbody")
    }
    return repr({selector: value for selector, value in shown.items() if value})


def text(driver: WebDriver, selector: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, selector).text)


def shown(driver: WebDriver, selector: str) -> bool:
    return bool(driver.find_element(By.CSS_SELECTOR, selector).is_displayed())


def fill(driver: WebDriver, selector: str, value: str) -> None:
    field = driver.find_element(By.CSS_SELECTOR, selector)
    field.clear()
    field.send_keys(value)


def pick(driver: WebDriver, selector: str, value: str) -> None:
    Select(driver.find_element(By.CSS_SELECTOR, selector)).select_by_value(value)


def open_studio(driver: WebDriver, server: Studio) -> None:
    """Open the page and wait until /config filled the provider list."""
    driver.get(server.url)
    until(
        driver,
        lambda d: d.find_elements(
            By.CSS_SELECTOR, "#provider option[value='starfleet_account']"
        ),
        "the provider list from GET /config",
    )


def row_of(driver: WebDriver, generator_id: str) -> WebElement | None:
    rows = driver.find_elements(
        By.CSS_SELECTOR, f"#generators tr[data-id='{generator_id}']"
    )
    return rows[0] if rows else None


def sent(driver: WebDriver, generator_id: str) -> int:
    row = row_of(driver, generator_id)
    assert row is not None, f"no row for generator {generator_id}"
    return int(row.find_element(By.CSS_SELECTOR, ".sent").text)


def rises(driver: WebDriver, generator_id: str, above: int) -> int:
    """The row's sent count once a refresh shows it above `above`."""

    def higher(d: WebDriver) -> int | None:
        try:
            value = sent(d, generator_id)
        except StaleElementReferenceException:
            return None
        return value if value > above else None

    return until(driver, higher, f"generator {generator_id}'s sent count above {above}")


def preview_events(driver: WebDriver) -> list[dict[str, object]]:
    shown = text(driver, "#preview")
    events = json.loads(shown)
    assert isinstance(events, list) and events, shown
    return events


def add_generator(driver: WebDriver, server: Studio) -> str:
    """Add a starfleet_account generator through the form; its id."""
    before = {status["id"] for status in server.get("generators")["generators"]}
    pick(driver, "#source", "provider")
    pick(driver, "#provider", "starfleet_account")
    pick(driver, "#destination", "none")
    assert not driver.find_element(By.CSS_SELECTOR, "#topic").is_displayed()
    fill(driver, "#count", "0")
    fill(driver, "#interval", "50ms")
    driver.find_element(By.CSS_SELECTOR, "#add").click()

    def new_row(d: WebDriver) -> str | None:
        for row in d.find_elements(By.CSS_SELECTOR, "#generators tr[data-id]"):
            if row.get_attribute("data-id") not in before:
                return row.get_attribute("data-id")
        return None

    generator_id = until(driver, new_row, "a new row in the generator table")
    assert text(driver, "#form-error") == ""
    row = row_of(driver, generator_id)
    assert row is not None
    assert "starfleet_account" in row.find_element(By.CSS_SELECTOR, ".source").text
    assert row.find_element(By.CSS_SELECTOR, ".destination").text == "none"
    assert row.find_element(By.CSS_SELECTOR, ".active").text == "yes"
    return generator_id


def test_add_watch_preview_and_stop(browser: WebDriver, service: Studio) -> None:
    open_studio(browser, service)
    generator_id = add_generator(browser, service)

    # The count rises across refreshes of the table, without reloading the page.
    marker = browser.execute_script("return window.studioMarker = Math.random();")
    first = rises(browser, generator_id, -1)
    second = rises(browser, generator_id, first)
    rises(browser, generator_id, second)
    assert browser.execute_script("return window.studioMarker;") == marker

    # The provider's preview shows sample events.
    until(
        browser, lambda d: text(d, "#preview").startswith("["), "the provider's preview"
    )
    assert all(isinstance(event, dict) for event in preview_events(browser))

    # A Jsonnet template: the preview follows the text as it is edited.
    pick(browser, "#source", "template")
    fill(browser, "#template", TEMPLATE)
    until(
        browser,
        lambda d: '"word": "hello"' in text(d, "#preview"),
        "the template's preview",
    )
    events = preview_events(browser)
    assert all(event["word"] == "hello" for event in events), events
    assert all(1 <= int(str(event["id"])) <= 10 for event in events), events
    assert text(browser, "#preview-error") == ""

    # A broken template: one line naming line:column, and no stale events.
    fill(browser, "#template", "{\n  id: 1,\n  word: ,\n}")
    error = until(browser, lambda d: text(d, "#preview-error"), "the template's error")
    assert re.search(r":\d+:\d+", error), error
    assert "\n" not in error
    assert not browser.find_element(By.CSS_SELECTOR, "#preview").is_displayed()

    # Stop: the row becomes inactive or leaves the table.
    row = row_of(browser, generator_id)
    assert row is not None
    row.find_element(By.CSS_SELECTOR, "button.stop").click()

    def stopped(d: WebDriver) -> bool:
        try:
            row = row_of(d, generator_id)
            return (
                row is None or row.find_element(By.CSS_SELECTOR, ".active").text == "no"
            )
        except StaleElementReferenceException:
            return False

    until(browser, stopped, f"generator {generator_id} stopped")
    statuses = {s["id"]: s for s in service.get("generators")["generators"]}
    assert generator_id not in statuses or not statuses[generator_id]["active"]


def test_values_and_errors_are_text_not_markup(
    browser: WebDriver, service: Studio
) -> None:
    open_studio(browser, service)
    pick(browser, "#source", "template")
    fill(browser, "#template", "{ word: '<img id=injected src=x>' }")
    until(
        browser,
        lambda d: "<img id=injected" in text(d, "#preview"),
        "the markup as text",
    )
    assert not browser.find_elements(By.ID, "injected")

    # The API's refusal is one line next to the form, also as text.
    pick(browser, "#destination", "none")
    fill(browser, "#count", "3")
    fill(browser, "#interval", "<b id=bold>soon</b>")
    browser.find_element(By.CSS_SELECTOR, "#add").click()
    error = until(browser, lambda d: text(d, "#form-error"), "the add request's error")
    assert "interval" in error and "\n" not in error, error
    assert not browser.find_elements(By.ID, "bold")


def test_the_page_asks_for_the_token(browser: WebDriver) -> None:
    with studio(token=TOKEN) as server:
        assert server.get("config")["auth"] is True
        browser.get(server.url)
        until(browser, lambda d: shown(d, "#token"), "the token prompt")

        # A wrong token is refused, and the page asks again.
        browser.find_element(By.CSS_SELECTOR, "#token").send_keys("wrong-token")
        browser.find_element(By.CSS_SELECTOR, "#token-save").click()
        until(browser, lambda d: "refused" in text(d, "#auth-error"), "the refusal")
        assert browser.find_element(By.CSS_SELECTOR, "#token").is_displayed()

        browser.find_element(By.CSS_SELECTOR, "#token").send_keys(TOKEN)
        browser.find_element(By.CSS_SELECTOR, "#token-save").click()
        until(
            browser,
            lambda d: not d.find_element(By.CSS_SELECTOR, "#auth").is_displayed(),
            "the prompt gone",
        )
        open_studio(browser, server)  # a reload keeps the token: no prompt
        assert not browser.find_element(By.CSS_SELECTOR, "#auth").is_displayed()
        assert (
            browser.execute_script("return sessionStorage.getItem('datagen.token');")
            == TOKEN
        )

        generator_id = add_generator(browser, server)
        rises(browser, generator_id, 0)
        until(
            browser,
            lambda d: text(d, "#preview").startswith("["),
            "the preview with the token",
        )
        assert text(browser, "#generators-error") == ""
