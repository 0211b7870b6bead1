"""The README's picture of the web studio: `python bench/screenshot_studio.py
[docs/images/studio.png]` starts `generate.py serve` on a free port, adds
generators, previews a template in headless Chromium and saves the page.

Needs Debian's chromium and chromium-driver, like the studio's browser test
(whose helpers it uses)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

from tests.service.browser import chrome, studio  # noqa: E402

OUTPUT = ROOT / "docs" / "images" / "studio.png"
TEMPLATE = """local n = std.native;
{
  id: n('get_integer')(1, 1000),
  time: n('get_timestamp')('2026-01-01', '2026-01-31', '1h'),
  country: n('get_one_of')('fr, jp, us'),
  name: n('get_rand_data')()['first_name'],
}
"""


def generator(source: dict[str, str], count: int, interval: str) -> dict[str, object]:
    """An add request sending source's events nowhere (destination `none`)."""
    return {
        "destinations": [{"id": "d", "type": "none"}],
        "events": [{"id": "e", **source, "count": count, "interval": interval}],
        "schedules": [{"destination_id": "d", "event_id": "e"}],
    }


def main(output: Path) -> None:
    with studio() as server, chrome() as browser:
        server.post("generator/add", generator({"provider": "order"}, 100_000, "20ms"))
        server.post("generator/add", generator({"template": TEMPLATE}, 0, "100ms"))
        browser.get(server.url)
        wait = WebDriverWait(browser, 10)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#provider option"))
        Select(browser.find_element(By.ID, "source")).select_by_value("template")
        Select(browser.find_element(By.ID, "destination")).select_by_value("none")
        browser.execute_script(
            "const t = document.getElementById('template');"
            "t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
            TEMPLATE,
        )
        wait.until(lambda d: '"country"' in d.find_element(By.ID, "preview").text)
        Select(browser.find_element(By.ID, "source")).select_by_value("provider")
        Select(browser.find_element(By.ID, "provider")).select_by_value(
            "starfleet_account"
        )
        browser.find_element(By.ID, "count").clear()
        browser.find_element(By.ID, "count").send_keys("0")
        browser.find_element(By.ID, "interval").clear()
        browser.find_element(By.ID, "interval").send_keys("50ms")
        browser.find_element(By.ID, "add").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr[data-id]")) == 3)
        Select(browser.find_element(By.ID, "source")).select_by_value("template")
        wait.until(lambda d: '"country"' in d.find_element(By.ID, "preview").text)
        time.sleep(2.5)  # counts rise over a few refreshes
        output.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(output))
    print(output)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
