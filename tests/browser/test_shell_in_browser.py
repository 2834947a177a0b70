"""Every persona logs in through the real form and sees its home; language switch works."""

import pytest

from kyoso.testing import PASSWORD

pytestmark = pytest.mark.browser

HOME_HEADINGS = {
    "prefecture_admin": "和歌山県 市町村DX推進 — 全体の状況",
    "advisor": "助言 太郎 さんのホーム",
    "staff_wakayama": "和歌山市のホーム",
    "staff_kainan": "海南市のホーム",
}


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()


@pytest.mark.parametrize("persona", list(HOME_HEADINGS))
def test_persona_logs_in_and_sees_its_home(page, live_server, personas, persona, artifacts):
    log_in(page, live_server.url, personas[persona].email)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == HOME_HEADINGS[persona]
    assert page.locator("html").get_attribute("lang") == "ja"
    # The stylesheet loaded (the navigation bar is the design system's blue 900).
    nav_colour = page.locator(".site-nav").evaluate("e => getComputedStyle(e).backgroundColor")
    assert nav_colour == "rgb(0, 23, 193)"
    page.screenshot(path=artifacts / f"home-{persona}.png", full_page=True)


def test_anonymous_sees_the_landing_page(page, live_server, personas, artifacts):
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "県と市町村が、共に DX を進める場所"
    page.screenshot(path=artifacts / "home-anonymous.png", full_page=True)


def test_language_switch_to_english_and_back(page, live_server, personas):
    log_in(page, live_server.url, personas["staff_wakayama"].email)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Municipalities", exact=True).is_visible()
    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == "和歌山市のホーム"


def test_skip_link_is_the_first_stop_and_visible_when_focused(page, live_server, personas):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "本文へ移動"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0
