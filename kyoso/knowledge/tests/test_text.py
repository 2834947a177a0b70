"""Japanese text analysis for knowledge search: terms, offsets, query terms, snippets."""

import html
import re
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor

from kyoso.knowledge import text
from kyoso.knowledge.text import (
    QueryTerm,
    analyse,
    index_terms,
    query_terms,
    snippet,
    surface_map,
)


def terms(value: str) -> list[str]:
    return [token.term for token in analyse(value)]


def assert_offsets(value: str) -> None:
    tokens = analyse(value)
    assert tokens
    for token in tokens:
        assert value[token.start : token.end] == token.surface
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)


def unmarked(fragment: str) -> str:
    """The snippet's text with <mark> removed, asserting marks are the only tags."""
    assert fragment.count("<mark>") == fragment.count("</mark>")
    assert not re.search(r"<mark>(?:(?!</mark>).)*<mark>", fragment)  # never nested
    bare = fragment.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare
    assert ">" not in bare
    assert '"' not in bare
    assert "'" not in bare
    return html.unescape(bare)


# --- tokenizer ----------------------------------------------------------------------


def test_tokenizer_is_created_once_without_deprecation_warnings():
    text._sudachi.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert terms("申請") == ["申請"]
    assert text._sudachi() is text._sudachi()


def test_concurrent_threads_share_the_tokenizer_safely():
    sample = "電子申請の問合せ窓口について説明します。" * 50
    expected = index_terms(sample)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(index_terms, [sample] * 16))
    assert all(result == expected for result in results)


# --- normalisation ------------------------------------------------------------------


def test_okurigana_variants_share_one_term():
    assert terms("問合せ") == terms("問い合わせ") == ["問い合わせ"]


def test_verb_form_used_as_a_noun_is_indexed_as_the_noun():
    # Sudachi reads this 問い合わせ as the verb 問い合わせる (連用形).
    assert "問い合わせ" in terms("お問い合わせください")
    assert terms("申込みを受け付けます") == ["申し込み", "受け付け"]
    assert terms("申し込んだ") == ["申し込む"]  # other verb forms keep the dictionary form


def test_full_width_and_half_width_forms_give_the_same_terms():
    assert index_terms("ＤＸ推進") == index_terms("DX推進") == ["dx", "推進"]
    assert index_terms("ｵｰﾌﾟﾝﾃﾞｰﾀ") == index_terms("オープンデータ") == ["オープン", "データ"]
    assert terms("ｶﾞｲﾄﾞﾗｲﾝ") == terms("ガイドライン")
    assert terms("ＢＰＲ　２０２４") == terms("bpr 2024") == ["bpr", "2024"]


def to_wide_and_half_width(value: str) -> str:
    """ASCII → full-width (ＤＸ), katakana → half-width (ﾃﾞｰﾀ): what NFKC undoes."""
    half = {unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0xFF66, 0xFF9E)}
    for kana in "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ":
        base, mark = unicodedata.normalize("NFD", kana)
        half[kana] = half[base] + ("ﾞ" if mark == "\u3099" else "ﾟ")
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else half.get(c, c) for c in value)


def test_width_variants_of_a_whole_paragraph_index_alike():
    value = (
        "DX推進計画（2024年度版）では、オープンデータのガイドラインとBPRを扱います。"
        "サーバーやクラウドのセキュリティポリシー、RPAとAI-OCRの導入、"
        "デジタル・ガバメントの電子申請システムについてもご説明します。"
    )
    variant = to_wide_and_half_width(value)
    assert variant != value
    assert len(variant) > len(value)  # half-width ﾃﾞ is two characters
    assert index_terms(variant) == index_terms(value)
    assert_offsets(variant)


def test_katakana_spelling_variants_known_to_the_dictionary():
    assert terms("コンピュータ") == terms("コンピューター") == ["コンピューター"]
    assert terms("サーバ") == terms("サーバー") == ["サーバー"]


def test_alphanumerics_are_kept_lower_cased():
    assert terms("BPRとRPA、LGWAN・AIを2024年に") == ["bpr", "rpa", "lgwan", "ai", "2024", "年"]
    # Hyphenated numbers come apart at the symbol.
    assert terms("住所は3-12-5") == ["住所", "3", "12", "5"]


def test_every_term_is_a_single_unicode61_token():
    # Letters and digits only, so FTS5 sees the same term count and positions as PostgreSQL.
    assert terms("Wi-Fi・Ｗｉ－Ｆｉ・WiFi") == ["wifi", "wifi", "wifi"]
    assert terms("50%、3.11") == ["50", "311"]
    value = "ＤＸ推進（ver.2）：e-Gov、AI-OCR、C++、50%、#9、〆切、3.11、①"
    assert all(term.isalnum() for term in index_terms(value))


# --- filtering ----------------------------------------------------------------------


def test_particles_auxiliaries_and_punctuation_are_dropped():
    assert index_terms("電子申請の手続きを検討しています。") == [
        *("電子申請", "電子", "申請", "手続き", "検討"),
    ]
    assert terms("「行政」、（手続）！？…　\n") == ["行政", "手続き"]


def test_content_words_are_kept_in_dictionary_form():
    assert terms("新しいシステムが重要な役割を果たした") == [
        *("新しい", "システム", "重要", "役割", "果たす"),
    ]


def test_stopwords_and_single_hiragana_are_dropped():
    assert terms("これはすることができるものです") == []
    assert terms("資料があります") == ["資料"]  # あり is not turned into the noun 有り
    assert terms("制度について、市における取組に関する条例によって") == [
        *("制度", "市", "取り組み", "条例"),
    ]
    assert terms("ご確認ください") == ["確認"]  # honorific ご and ください go
    assert all(term not in text.STOPWORDS for term in index_terms("それをしたのでこうなった"))


def test_suffixes_and_words_in_most_documents_are_not_terms():
    # 化, 向け, 等 alone mean nothing a searcher asks for; ほか/他 and 時/とき are everywhere.
    assert terms("デジタル化を進める時") == ["デジタル", "進める"]
    assert terms("ほかの団体向けの研修等") == ["団体", "研修"]
    assert [(t.term, t.parts) for t in query_terms("地域情報化")] == [
        ("地域", ()),
        ("情報化", ("情報",)),  # its suffix part 化 is not required
    ]


# --- compounds ----------------------------------------------------------------------


def test_compound_nouns_also_yield_their_parts():
    (token,) = analyse("電子申請")
    assert (token.term, token.parts) == ("電子申請", ("電子", "申請"))
    assert index_terms("電子申請システム") == ["電子申請", "電子", "申請", "システム"]
    assert "問い合わせ" in analyse("お問合せ先")[-1].parts


def test_compound_parts_line_up_with_the_split_phrase():
    # A phrase query "電子 申請" matches both spellings at consecutive positions.
    compound = index_terms("電子申請を開始")
    spaced = index_terms("電子の申請を開始")
    assert compound[1:3] == spaced[0:2] == ["電子", "申請"]


def test_words_that_do_not_split_have_no_parts():
    assert [t.parts for t in analyse("申請の手続き")] == [(), ()]


# --- offsets ------------------------------------------------------------------------


def test_offsets_point_into_the_original_text_after_width_changes():
    value = "ｵｰﾌﾟﾝﾃﾞｰﾀとＤＸ推進、ﬁleとｶﾞｲﾄﾞﾗｲﾝの問合せ😀𠮷野家のサーバ"
    assert_offsets(value)
    by_term = {token.term: token for token in analyse(value)}
    assert by_term["問い合わせ"].start == value.index("問合せ")
    assert by_term["ガイドライン"].surface == "ｶﾞｲﾄﾞﾗｲﾝ"
    assert by_term["dx"].surface == "ＤＸ"
    assert by_term["サーバー"].end == len(value)


def test_long_input_is_split_into_chunks_with_offsets_kept():
    body = "電子申請の手続きについて、ｵｰﾌﾟﾝﾃﾞｰﾀとＤＸの観点から説明します。\n" * 1500
    value = body + "最後にｻｰﾊﾞの問合せ"
    assert len(value.encode()) > 60_000
    tokens = analyse(value)
    for token in tokens:
        assert value[token.start : token.end] == token.surface
    assert [t.term for t in tokens[-2:]] == ["サーバー", "問い合わせ"]
    assert tokens[-1].start == len(value) - len("問合せ")
    assert sum(t.term == "電子申請" for t in tokens) == 1500  # no word cut at a chunk edge


def test_chunks_stay_under_sudachis_byte_limit_and_end_at_sentences():
    value = "電子申請の手続きについて説明します。" * 6000
    chunks = list(text._chunks(value))
    assert len(chunks) > 1
    assert "".join(piece for _, piece in chunks) == value
    for offset, piece in chunks:
        assert value[offset : offset + len(piece)] == piece
        assert len(piece.encode()) < 49_149
    assert all(piece.endswith("。") for _, piece in chunks)


def test_text_without_sentence_breaks_is_still_tokenised():
    value = "電子申請" * 20_000 + "ｻｰﾊﾞ"
    tokens = analyse(value)
    assert len(tokens) == 20_001
    assert (tokens[-1].term, tokens[-1].start) == ("サーバー", 80_000)


def test_input_that_expands_under_normalisation_is_split_further():
    # ﷺ becomes 18 characters under NFKC, so a 10,000-character chunk overflows Sudachi.
    value = "ﷺ" * 12_000 + "申請"
    (*_, last) = analyse(value)
    assert (last.term, last.start) == ("申請", 12_000)


def test_analysis_is_deterministic():
    value = "電子申請の問合せ窓口。ＤＸ推進計画とｵｰﾌﾟﾝﾃﾞｰﾀ。" * 20
    assert analyse(value) == analyse(value)
    assert index_terms(value) == index_terms(value)
    assert surface_map(value) == surface_map(value)


def test_empty_and_blank_text():
    assert analyse("") == []
    assert index_terms(" \n\u3000") == []
    assert surface_map("") == {}


# --- query terms and surfaces -------------------------------------------------------


def test_query_terms_are_unique_and_in_order():
    assert query_terms("申請 電子申請 申請 ＤＸ dx") == [
        QueryTerm("申請", ()),
        QueryTerm("電子申請", ("電子", "申請")),
        QueryTerm("dx", ()),
    ]


def test_empty_or_stopword_only_query_gives_no_terms():
    assert query_terms("") == []
    assert query_terms("　 ") == []
    assert query_terms("これはすること") == []


def test_surface_map_records_original_spellings_of_each_term():
    assert surface_map("問合せ窓口")["問い合わせ"] == ["問合せ"]
    surfaces = surface_map("お問合せ先と問い合わせ、ＤＸとDX")
    assert surfaces["問い合わせ"] == ["問合せ", "問い合わせ"]  # part surface first
    assert surfaces["問い合わせ先"] == ["問合せ先"]
    assert surfaces["dx"] == ["ＤＸ", "DX"]


def test_surface_map_limits_surfaces_per_term():
    assert surface_map("問合せと問い合わせ", limit=1) == {"問い合わせ": ["問合せ"]}


# --- snippets -----------------------------------------------------------------------


def test_snippet_marks_matches_and_escapes_html():
    value = "本文に<script>alert('x')</script>と A&B があります。DXです"
    result = snippet(value, {"script", "dx", "&"})
    assert "<script>" not in result
    assert result.count("<mark>script</mark>") == 2
    assert "<mark>DX</mark>" in result  # ASCII matched case-insensitively
    assert "A<mark>&amp;</mark>B" in result
    assert unmarked(result) == value


def test_snippet_marks_are_never_inserted_into_entities():
    result = snippet("Amp&amp; & <amp>", {"amp"})
    assert result == "<mark>Amp</mark>&amp;<mark>amp</mark>; &amp; &lt;<mark>amp</mark>&gt;"
    assert unmarked(result) == "Amp&amp; & <amp>"


def test_snippet_prefers_the_longer_overlapping_surface():
    assert snippet("電子申請と電子", {"電子", "電子申請"}) == (
        "<mark>電子申請</mark>と<mark>電子</mark>"
    )
    assert snippet("電子申請と申請", {"申請", "電子申請"}) == (
        "<mark>電子申請</mark>と<mark>申請</mark>"
    )


def test_snippet_picks_the_densest_window_with_ellipses():
    value = "あ" * 100 + "申請" + "い" * 100 + "申請と申請と電子申請" + "う" * 100
    result = snippet(value, {"申請", "電子申請"}, length=40)
    assert result.startswith("…")
    assert result.endswith("…")
    assert "<mark>申請</mark>と<mark>申請</mark>と<mark>電子申請</mark>" in result
    assert "あ" not in result
    assert len(unmarked(result)) <= 40 + 2


def test_snippet_without_matches_shows_the_start():
    value = "電子申請の手続き。" * 30
    result = snippet(value, {"存在しない"}, length=20)
    assert result == value[:20] + "…"
    assert snippet("短い本文", set()) == "短い本文"


def test_snippet_collapses_whitespace_and_hides_markdown_marks():
    value = "# 見出し\n\n> 引用文\n- 項目\n* 別項目\n12. 手順\n\n本文　です  #タグ\n"
    assert snippet(value, {"手順"}) == "見出し 引用文 項目 別項目 <mark>手順</mark> 本文 です #タグ"


def test_index_document_gives_terms_and_surfaces_of_one_pass():
    text_ = "住民票の問合せと電子申請。問い合わせ窓口。"
    terms, surfaces = text.index_document(text_)
    assert terms == text.index_terms(text_)
    assert surfaces == text.surface_map(text_)
    assert surfaces["問い合わせ"] == ["問合せ", "問い合わせ"]
