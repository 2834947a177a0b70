"""The knowledge base in the real browser: write and publish a case, find it from another
municipality with a spelling variant, narrow by a facet."""

import pytest

from kyoso.assessments import actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.consultations.models import Theme
from kyoso.municipalities.models import Prefecture
from tests.browser.test_shell_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def themes(personas):
    actions.save_survey_definition(wakayama_survey(2024))  # the item codes entries cite
    wakayama = Prefecture.objects.get(code="300004")
    return Theme.objects.create(prefecture=wakayama, name="窓口BPR・庁内BPR")


def test_staff_publish_a_case_that_another_municipality_finds(
    page, live_server, personas, themes, artifacts
):
    log_in(page, live_server.url, personas["staff_wakayama"].email)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="ナレッジ").click()
    page.get_by_role("link", name="記事を書く").click()
    page.get_by_label("種類").select_option("case")
    page.get_by_label("タイトル").fill("窓口の問合せを半分にした取組")
    page.get_by_label("本文（Markdown）").fill(
        "## 背景\n\n問合せが多かった。\n\n## 取組\n\nFAQ を整備。"
    )
    page.get_by_label("窓口BPR・庁内BPR").check()
    page.get_by_label("関連するアセスメント項目").fill("3-3")
    page.get_by_label("公開範囲").select_option("members")
    page.get_by_role("button", name="公開する").click()
    page.get_by_text("公開しました。").wait_for()
    assert page.get_by_role("heading", name="窓口の問合せを半分にした取組").is_visible()
    assert page.locator(".prose h3", has_text="背景").is_visible()

    page.context.clear_cookies()
    log_in(page, live_server.url, personas["staff_kainan"].email)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/knowledge/")
    page.get_by_label("キーワード").fill("問い合わせ")
    page.get_by_role("button", name="検索").click()
    hit = page.locator(".hit", has_text="窓口の問合せを半分にした取組")
    hit.wait_for()
    assert hit.locator("mark").first.inner_text() == "問合せ"
    page.locator(".facet a", has_text="3-3").click()
    page.wait_for_url("**item=3-3**")
    assert page.locator(".hit").count() == 1
    page.screenshot(path=artifacts / "knowledge-search.png", full_page=True)
