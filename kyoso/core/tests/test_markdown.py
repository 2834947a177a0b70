"""Users' Markdown becomes safe HTML: raw HTML never reaches the page."""

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from kyoso.core.markdown import render_markdown

XSS_CASES = [
    ("script_tag", "<script>alert(1)</script>"),
    ("script_block", "<div>\n<script>alert(1)</script>\n</div>"),
    ("img_onerror", '<img src="x" onerror="alert(1)">'),
    ("img_onerror_inline", "本文 <img src=x onerror=alert(1)> 続き"),
    ("iframe", '<iframe src="https://evil.example/"></iframe>'),
    ("style_attribute", '<p style="position:fixed;top:0">偽の画面</p>'),
    ("raw_link", '<a href="javascript:alert(1)">押す</a>'),
    ("svg_onload", "<svg onload=alert(1)>"),
    ("markdown_javascript_link", "[押す](javascript:alert(1))"),
    ("entity_encoded_scheme", "[押す](jav&#x61;script:alert(1))"),
    ("upper_case_scheme", "[押す](JAVASCRIPT:alert(1))"),
    ("leading_space_scheme", "[押す](  javascript:alert(1))"),
    ("data_url", "[押す](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("vbscript", "[押す](vbscript:msgbox(1))"),
    ("image_javascript", "![図](javascript:alert(1))"),
    ("link_title_breakout", '[押す](https://example.jp/ "x\\" onmouseover=\\"alert(1)")'),
    ("html_comment", "<!-- <script>alert(1)</script> -->"),
]


class _Elements(HTMLParser):
    """Every start tag of a fragment, with its attributes, as a browser would parse it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize(("case", "text"), XSS_CASES, ids=[case for case, _ in XSS_CASES])
def test_raw_html_and_script_urls_never_reach_the_page(case, text):
    html = str(render_markdown(text))
    for tag, attributes in _Elements(html).found:
        assert tag in {"p", "a", "br"}, html
        assert set(attributes) <= {"href", "rel"}, html
        href = attributes.get("href")
        assert href is None or href.startswith(("http://", "https://", "mailto:")), html


def test_typed_html_is_shown_as_text_not_dropped():
    html = render_markdown("<script>alert(1)</script>")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    "url",
    ["http://example.jp/a", "https://www.pref.wakayama.lg.jp/", "mailto:dx@example.lg.jp"],
)
def test_http_https_and_mailto_links_are_kept_with_safe_rel(url):
    html = render_markdown(f"[資料]({url})")
    assert html == f'<p><a href="{url}" rel="noopener noreferrer nofollow">資料</a></p>'


@pytest.mark.parametrize(
    "url", ["ftp://example.jp/a", "file:///etc/passwd", "tel:0734000000", "data:,x"]
)
def test_other_schemes_lose_their_href_but_keep_the_text(url):
    html = render_markdown(f"[資料]({url})")
    assert html == '<p><a rel="noopener noreferrer nofollow">資料</a></p>'


def test_automatic_e_mail_link_is_readable_mailto():
    # Python-Markdown hides addresses in entities; the cleaner must keep the link working.
    html = render_markdown("<dx@example.lg.jp>")
    assert 'href="mailto:dx@example.lg.jp"' in html
    assert ">dx@example.lg.jp</a>" in html


def test_headings_are_shifted_below_the_pages_own_h1_and_h2():
    html = render_markdown("# 議事録\n\n## 議題\n\n### 詳細\n\n#### 補足\n\n##### 五\n\n###### 六")
    assert re.findall(r"<(h\d)>", html) == ["h3", "h4", "h5", "h6", "h6", "h6"]
    assert "<h1" not in html and "<h2" not in html


def test_underlined_headings_are_shifted_too():
    assert render_markdown("議事録\n===") == "<h3>議事録</h3>"
    assert render_markdown("議事録\n===\n\n議題\n---") == "<h3>議事録</h3>\n<h4>議題</h4>"


def test_a_text_starting_with_level_two_headings_starts_at_h3():
    html = render_markdown("## 背景\n\n### 詳細\n\n## 成果")
    assert re.findall(r"<(h\d)>", html) == ["h3", "h4", "h3"]


def test_japanese_minutes_render_with_lists_tables_and_emphasis():
    text = (
        "# 第3回 定例相談（海南市）\n"
        "\n"
        "参加者：デジタル推進課 田中、DXアドバイザー 紀ノ国\n"
        "日時：令和6年5月10日\n"
        "\n"
        "- **電子申請**の対象手続きを拡大する\n"
        "- 問い合わせ窓口を*一本化*する\n"
        "\n"
        "1. 現状の整理\n"
        "2. 次回までの宿題\n"
        "\n"
        "| 項目 | 担当 |\n"
        "|---|---|\n"
        "| 書かない窓口 | 市民課 |\n"
        "\n"
        "> 「まずは小さく始める」\n"
        "\n"
        "```\n"
        "手順 <1> & <2>\n"
        "```\n"
    )
    html = render_markdown(text)
    assert "<h3>第3回 定例相談（海南市）</h3>" in html
    # A line break inside a paragraph stays a line break; Japanese has no spaces to join.
    assert "参加者：デジタル推進課 田中、DXアドバイザー 紀ノ国<br>\n日時：令和6年5月10日" in html
    assert "<li><strong>電子申請</strong>の対象手続きを拡大する</li>" in html
    assert "<li>問い合わせ窓口を<em>一本化</em>する</li>" in html
    assert "<ol>\n<li>現状の整理</li>" in html
    assert "<th>項目</th>" in html and "<td>書かない窓口</td>" in html
    assert "<blockquote>\n<p>「まずは小さく始める」</p>\n</blockquote>" in html
    assert "<pre><code>手順 &lt;1&gt; &amp; &lt;2&gt;\n</code></pre>" in html


def test_table_alignment_styles_are_removed():
    html = render_markdown("| 左 | 右 |\n|:--|--:|\n| a | b |")
    assert "style" not in html
    assert "<th>左</th>" in html and "<td>b</td>" in html


def test_images_become_links_so_the_alt_text_is_not_lost():
    html = render_markdown("![構成図](https://example.jp/zu.png)")
    assert html == (
        '<p><a href="https://example.jp/zu.png" rel="noopener noreferrer nofollow">構成図</a></p>'
    )


def test_result_is_safe_string_and_empty_text_is_empty():
    assert isinstance(render_markdown("本文"), SafeString)
    assert render_markdown("") == ""


def test_template_filter_renders_without_double_escaping():
    template = Template("{% load kyoso_markdown %}{{ text|markdown }}")
    html = template.render(Context({"text": "**重要** <b>x</b>"}))
    assert html == "<p><strong>重要</strong> &lt;b&gt;x&lt;/b&gt;</p>"


def test_template_filter_treats_none_as_empty():
    template = Template("{% load kyoso_markdown %}[{{ text|markdown }}]")
    assert template.render(Context({"text": None})) == "[]"


def test_relative_links_to_other_kyoso_pages_are_kept():
    html = render_markdown("[前回の議事録](/consultations/12/)")
    assert html == (
        '<p><a href="/consultations/12/" rel="noopener noreferrer nofollow">前回の議事録</a></p>'
    )
