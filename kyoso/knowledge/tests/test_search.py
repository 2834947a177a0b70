"""search(query, user, filters): Japanese matching, ranking, visibility, facets, the index.

These run on SQLite (FTS5) and, in CI, on PostgreSQL (tsvector): the same assertions on
both engines are what "both give the same results" means here.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from kyoso.knowledge import search as search_module
from kyoso.knowledge.actions import delete_entry, set_published
from kyoso.knowledge.models import SearchDocument
from kyoso.knowledge.search import search

from .fixtures import KnowledgeTestCase


def titles(result) -> list[str]:
    return [hit.entry.title for hit in result.hits]


class JapaneseMatchingTest(KnowledgeTestCase):
    def test_spelling_variants_find_the_same_entry(self):
        # The entry says 問合せ; 問い合わせ and 問合せ are one word to the search.
        for query in ("問い合わせ", "問合せ", "問合わせ"):
            self.assertIn("書かない窓口の導入", titles(search(query, self.staff_kainan)), query)

    def test_full_and_half_width_match(self):
        for query in ("電子申請", "電子申請　ひな形", "電子申請 ﾌｫｰﾑ"):
            result = search(query, self.staff_kainan)
            self.assertEqual(titles(result)[0], "電子申請フォームのひな形", query)
        self.assertEqual(
            titles(search("ＢＰＲ", self.advisor)), titles(search("BPR", self.advisor))
        )

    def test_a_compound_is_found_by_its_parts_and_as_a_whole(self):
        self.assertIn("電子申請フォームのひな形", titles(search("申請", self.staff_kainan)))
        self.assertIn("電子申請フォームのひな形", titles(search("電子 申請", self.staff_kainan)))

    def test_title_words_rank_first(self):
        # 窓口 is in the title of one entry and only in the body of none other visible.
        result = search("窓口", self.staff_kainan)
        self.assertEqual(titles(result)[0], "書かない窓口の導入")

    def test_every_word_must_match_else_any_word(self):
        result = search("電子申請 様式", self.staff_kainan)
        self.assertTrue(result.matched_all)
        self.assertEqual(titles(result), ["電子申請フォームのひな形"])
        result = search("電子申請 住民票", self.staff_kainan)
        self.assertFalse(result.matched_all)  # no entry has both: either is shown
        self.assertEqual(set(titles(result)), {"電子申請フォームのひな形", "書かない窓口の導入"})

    def test_few_with_every_word_are_followed_by_those_with_some(self):
        # Only the counter entry has both 住民票 and 申請; the template has 申請 alone.
        result = search("住民票 申請", self.staff_kainan)
        self.assertEqual(result.with_every_word, 1)
        self.assertEqual(result.total, 2)
        self.assertFalse(result.matched_all)
        self.assertEqual(titles(result), [self.counter.title, self.template.title])
        from unittest import mock

        with mock.patch.object(search_module, "FEW_WITH_EVERY_WORD", 1):
            result = search("住民票 申請", self.staff_kainan)
        self.assertEqual((titles(result), result.total), ([self.counter.title], 1))
        self.assertTrue(result.matched_all)

    def test_snippet_highlights_the_surface_of_a_variant_and_escapes_the_rest(self):
        hit = search("問い合わせ", self.staff_kainan).hits[0]
        self.assertIn("<mark>問合せ</mark>", hit.snippet)
        self.entry("記号<script>を含む記事", body="<script>alert(1)</script> 申請 & 窓口")
        hit = next(h for h in search("申請", self.staff_kainan).hits if "記号" in h.entry.title)
        self.assertNotIn("<script>", hit.snippet)
        self.assertIn("&lt;script&gt;", hit.snippet)

    def test_empty_and_stopword_queries_list_the_newest(self):
        for query in ("", "   ", "の"):
            result = search(query, self.advisor)
            self.assertEqual(result.total, 3, query)  # published only; the draft is not
            self.assertEqual(result.hits[0].entry, self.internal)  # newest first


class VisibilityTest(KnowledgeTestCase):
    def test_each_persona_finds_and_counts_only_what_it_may_see(self):
        expected = {
            "anonymous": {"書かない窓口の導入"},
            "staff_kainan": {"書かない窓口の導入", "電子申請フォームのひな形"},
            "staff_wakayama": {"書かない窓口の導入", "電子申請フォームのひな形"},
            "advisor": {
                "書かない窓口の導入",
                "電子申請フォームのひな形",
                "オープンデータ公開の内部手順",
            },
            "prefecture_admin": {
                "書かない窓口の導入",
                "電子申請フォームのひな形",
                "オープンデータ公開の内部手順",
            },
        }
        for persona, wanted in expected.items():
            user = self.personas[persona] or AnonymousUser()
            result = search("", user)
            self.assertEqual(set(titles(result)), wanted, persona)
            self.assertEqual(result.total, len(wanted), persona)
            counted = sum(v.count for v in result.facets["kind"])
            self.assertEqual(counted, len(wanted), persona)

    def test_word_searches_are_limited_inside_the_index_for_each_persona(self):
        # No entry has all three words, so each visible entry with any of them is found.
        expected = {
            "anonymous": {self.counter.title},
            "staff_kainan": {self.counter.title, self.template.title},
            "advisor": {self.counter.title, self.template.title, self.internal.title},
        }
        for persona, wanted in expected.items():
            user = self.personas[persona] or AnonymousUser()
            result = search("窓口 様式 オープンデータ", user)
            self.assertFalse(result.matched_all, persona)
            self.assertEqual(set(titles(result)), wanted, persona)
            self.assertEqual(result.total, len(wanted), persona)
            self.assertEqual(sum(v.count for v in result.facets["kind"]), len(wanted), persona)
        self.assertEqual(search("窓口 様式 オープンデータ", None).total, 3)  # the operator

    def test_drafts_are_never_found_even_by_their_author(self):
        result = search("問い合わせ 対応", self.staff_wakayama)
        self.assertNotIn(self.draft.title, titles(result))

    def test_prefecture_only_entries_stay_with_their_prefecture(self):
        from kyoso.accounts.actions import save_account
        from kyoso.accounts.models import Role
        from kyoso.municipalities.models import Prefecture

        osaka = Prefecture.objects.get(code="270008")
        osaka.enabled = True
        osaka.save(update_fields=["enabled"])
        other = save_account(
            email="osaka@test.kyoso.jp", name="大阪 顧問", role=Role.ADVISOR, prefecture=osaka
        )
        self.assertNotIn(self.internal.title, titles(search("オープンデータ", other)))
        self.assertIn(self.internal.title, titles(search("オープンデータ", self.advisor)))


class FacetTest(KnowledgeTestCase):
    def test_facet_counts_and_filters(self):
        result = search("", self.advisor)
        kinds = {v.value: v.count for v in result.facets["kind"]}
        self.assertEqual(kinds, {"case": 1, "document": 2})
        themes = {v.label: v.count for v in result.facets["theme"]}
        self.assertEqual(themes, {"窓口BPR・庁内BPR": 2, "オープンデータ・利活用": 1})
        items = {v.value: v.count for v in result.facets["item"]}
        self.assertEqual(items, {"3-3": 2, "D4": 1, "5-7": 1})
        municipalities = {v.label: v.count for v in result.facets["municipality"]}
        self.assertEqual(municipalities, {"和歌山市": 1, "海南市": 1})
        self.assertEqual({v.label for v in result.facets["region"]}, {"海草振興局"})
        self.assertEqual([v.label for v in result.facets["year"]], ["令和6年度"])

        filtered = search("", self.advisor, {"item": "3-3", "kind": "document"})
        self.assertEqual(titles(filtered), ["電子申請フォームのひな形"])
        selected = [v for v in filtered.facets["kind"] if v.selected]
        self.assertEqual([v.value for v in selected], ["document"])
        by_theme = search("", self.advisor, {"theme": str(self.data.pk)})
        self.assertEqual(titles(by_theme), ["オープンデータ公開の内部手順"])
        by_tag = search("", self.advisor, {"tag": "書かない窓口"})
        self.assertEqual(titles(by_tag), ["書かない窓口の導入"])

    def test_filters_narrow_a_word_search(self):
        words = "窓口 様式 オープンデータ"
        cases = {
            "kind": ("document", {self.template.title, self.internal.title}),
            "item": ("3-3", {self.counter.title, self.template.title}),
            "theme": (str(self.data.pk), {self.internal.title}),
            "tag": ("書かない窓口", {self.counter.title}),
            "municipality": (self.kainan_city.code, {self.template.title}),
            "year": ("2024", {self.counter.title, self.template.title, self.internal.title}),
        }
        for facet, (value, wanted) in cases.items():
            result = search(words, self.advisor, {facet: value})
            self.assertEqual(set(titles(result)), wanted, facet)
            self.assertEqual(result.total, len(wanted), facet)
        both = search(words, self.advisor, {"item": "3-3", "kind": "document"})
        self.assertEqual(titles(both), [self.template.title])
        # A filter never widens what the user may see.
        hidden = search(words, self.staff_kainan, {"theme": str(self.data.pk)})
        self.assertEqual(hidden.total, 0)

    def test_a_filtered_list_is_the_same_whichever_way_it_is_read(self):
        from unittest import mock

        lists = []
        for narrow in (0, 10_000):  # walk the newest-first index, or sort the few
            with mock.patch.object(search_module, "NARROW_FILTER", narrow):
                result = search("", self.advisor, {"item": "3-3"})
            lists.append((titles(result), result.total))
        self.assertEqual(lists[0], lists[1])
        self.assertEqual(lists[0], ([self.template.title, self.counter.title], 2))

    def test_unknown_filters_are_ignored_and_a_filter_can_empty_the_result(self):
        result = search("窓口", self.advisor, {"colour": "red", "municipality": ""})
        self.assertGreater(result.total, 0)
        none = search("窓口", self.advisor, {"year": "1999"})
        self.assertEqual((none.total, none.hits, none.facets), (0, [], {}))


class IndexTest(KnowledgeTestCase):
    def test_the_index_follows_publish_edit_and_delete(self):
        self.assertIn(self.counter.title, titles(search("書かない", self.advisor)))
        set_published(self.counter, False, user=self.advisor)
        self.assertNotIn(self.counter.title, titles(search("書かない", self.advisor)))
        set_published(self.counter, True, user=self.advisor)
        self.assertIn(self.counter.title, titles(search("書かない", self.advisor)))
        delete_entry(self.counter)
        self.assertEqual(search("書かない", self.advisor).total, 0)
        self.assertFalse(SearchDocument.objects.filter(entry_id=self.counter.pk).exists())

    def test_reindex_rebuilds_the_same_index(self):
        before = [(h.entry.pk, round(h.score, 6)) for h in search("窓口 申請", self.advisor).hits]
        search_module._engine().clear()
        self.assertEqual(search("窓口", self.advisor).total, 0)
        call_command("reindex_knowledge", stdout=_Sink(), stderr=_Sink())
        after = [(h.entry.pk, round(h.score, 6)) for h in search("窓口 申請", self.advisor).hits]
        self.assertEqual(before, after)
        self.assertEqual(SearchDocument.objects.count(), 3)


class _Sink:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


class FacetSampleTest(KnowledgeTestCase):
    def test_large_results_count_facets_over_the_best_matches_only(self):
        from unittest import mock

        with mock.patch.object(search_module, "FACET_SAMPLE", 1):
            result = search("", self.advisor)
        self.assertTrue(result.facets_sampled)
        self.assertEqual(result.total, 3)  # the total stays exact
        self.assertEqual(sum(v.count for v in result.facets["kind"]), 1)
        self.assertFalse(search("", self.advisor).facets_sampled)


class RankWindowTest(KnowledgeTestCase):
    def test_a_broad_search_ranks_its_newest_matches_and_counts_them_all(self):
        from unittest import mock

        words = "窓口 様式 オープンデータ"
        with mock.patch.object(search_module, "RANK_WINDOW", 2):
            result = search(words, self.advisor)
        self.assertEqual((result.total, result.ranked_total), (3, 2))
        newest_two = {self.template.title, self.internal.title}  # created after the counter
        self.assertEqual(set(titles(result)), newest_two)
        with mock.patch.object(search_module, "RANK_WINDOW", 3):
            result = search(words, self.advisor)
        self.assertEqual((result.total, result.ranked_total), (3, 3))
        self.assertEqual(len(result.hits), 3)
