"""Japanese text analysis for knowledge search: tokens, index terms, snippets.

Pure module (standard library + SudachiPy); the search code builds SQLite FTS5 text
(``" ".join(index_terms(text))`` under the unicode61 tokenizer) and PostgreSQL
tsvectors (``'term':position``) from it, so both backends see the same terms.

How text becomes terms:

* Sudachi (SplitMode.C, the longest units) tokenises the ORIGINAL text. Its input
  plugin applies NFKC and lower-cases before analysis and reports offsets in the
  original text, so ``ＤＸ``/``DX`` and ``ｵｰﾌﾟﾝﾃﾞｰﾀ``/``オープンデータ`` analyse alike while
  ``text[start:end]`` stays the surface the reader saw.
* A term is the dictionary's normalised form, NFKC'd and lower-cased
  (問合せ → 問い合わせ, サーバ → サーバー, ＤＸ → dx), letters and digits only
  (wi-fi → wifi), so it is exactly one unicode61 token and needs no quoting in a
  tsvector literal. Sudachi also maps some English words to katakana
  (file → ファイル, Hello → ハロー); queries get the same mapping.
* A verb in 連用形 that the dictionary also lists as a noun is indexed as that noun:
  お問い合わせください is the verb 問い合わせる to Sudachi, but readers and
  searchers mean 問い合わせ. Other verb forms keep the verb (問い合わせる).
* Nouns of 3+ characters also yield their SplitMode.A parts (電子申請 → 電子, 申請;
  問い合わせ先 → 問い合わせ, 先), placed right after the compound in
  ``index_terms`` so a phrase query "電子 申請" also matches 電子の申請. Shorter nouns
  were measured: their splits are only 強/み, 何/回, so split() is not called.

Measured on this machine (shared 2-core AMD EPYC, best of 9 runs): ``analyse`` takes
about 18 ms per 10,000 characters of Japanese prose (~0.55 M chars/s; Sudachi's own
tokenize is ~10 ms of that, ~1.0 M chars/s), 22 ms for Markdown-heavy text
(docs/user-guide.ja.md). The first call loads the dictionary (~30 ms). ``snippet`` takes
~2 ms on a 20,000-character document.
"""

from __future__ import annotations

import html
import re
import string
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from sudachipy import Dictionary, Morpheme, MorphemeList, SplitMode, Tokenizer
from sudachipy.errors import SudachiError

# Closed-class parts of speech that never help a search: symbols, spaces, particles,
# auxiliaries, pronouns (これ, それ), conjunctions, interjections, adnominals (この, その),
# and suffixes (デジタル化 → 化, 職員向け → 向け, 市町村等 → 等): alone they mean nothing a
# searcher asks for, and as required query terms they cost recall (デジタル化 required 化,
# so text about デジタル without 化 was missed) and time (化 is in most documents, and
# ranking counts every document of every query term).
DROP_POS = frozenset(
    {
        "補助記号",
        "空白",
        "記号",
        "助詞",
        "助動詞",
        "代名詞",
        "接続詞",
        "感動詞",
        "連体詞",
        "接尾辞",
    }
)

# Content words so frequent in Japanese prose that they would match every document.
# Compared with terms, so both the kana and Sudachi's normalised spellings are listed
# (する → 為る, ある/在る → 有る, できる → 出来る, こと/事, もの → 物 ...). The polite
# helpers ください (下さる) and いただく (頂く) fill every page of municipal prose; Sudachi
# splits the compound particles について, において/における, によって, に関する and
# に対する into a particle and a verb (つく, おく, よる, 関する, 対する).
STOPWORDS: frozenset[str] = frozenset().union(
    ("する", "為る", "ある", "有る", "在る", "いる", "居る", "おる", "なる", "成る"),
    ("できる", "出来る", "いう", "言う", "ない", "無い"),
    ("下さる", "くださる", "頂く", "いただく"),
    ("つく", "おく", "よる", "関する", "対する"),
    ("こと", "事", "もの", "物", "ため", "為", "よう", "様", "これ", "それ", "等"),
    ("時", "とき", "他", "ほか", "外"),  # 〜する時, ほかの団体: in most documents
)

# Sudachi rejects input over 49,149 UTF-8 bytes (and over 65,535 after its own
# normalisation). 10,000 characters are at most 40,000 bytes, leaving room for NFKC
# expansion; a chunk that still fails is halved (see _tokenize).
_CHUNK_CHARS = 10_000
_BOUNDARY = re.compile(r"[。！？!?\n]")

_DROP, _KEEP, _NOUN, _VERB_RENYOU = range(4)

_lock = threading.Lock()  # a Sudachi Tokenizer raises if used by two threads at once


@dataclass(frozen=True)
class Token:
    term: str  # normalised search term (lower-case)
    surface: str  # exactly text[start:end] of the original text
    start: int  # character offsets into the original text
    end: int
    parts: tuple[str, ...] = ()  # terms of the SplitMode.A parts when it splits


@dataclass(frozen=True)
class QueryTerm:
    term: str  # the whole token's normalised term
    parts: tuple[str, ...]  # its A-mode parts' terms, if it splits (else empty)


@lru_cache(maxsize=1)
def _sudachi() -> tuple[Dictionary, Tokenizer]:
    # Loading the dictionary costs ~30 ms and tens of MB: do it once per process.
    # Dictionary.create() is deprecated in SudachiPy 0.7; tokenizer() is its successor.
    dictionary = Dictionary(dict="core")
    return dictionary, dictionary.tokenizer(SplitMode.C)


@cache
def _pos_kind(pos_id: int) -> int:
    # A POS id covers the whole 6-field tag, conjugation form included, so one cached
    # lookup per id replaces a part_of_speech() tuple per token.
    pos = _sudachi()[0].pos_of(pos_id) or ("",) * 6
    if pos[0] in DROP_POS:
        return _DROP
    if pos[0] == "名詞":
        return _NOUN
    if pos[0] == "動詞" and pos[5] == "連用形-一般":
        return _VERB_RENYOU
    return _KEEP


@lru_cache(maxsize=8192)
def _noun_reading_of(surface: str) -> str | None:
    """The normalised form of the noun spelled like this verb form, if the dictionary has one."""
    for entry in _sudachi()[0].lookup(surface):
        if entry.part_of_speech()[0] == "名詞":
            return entry.normalized_form()
    return None


def _normalise(form: str) -> str:
    # Dictionary forms are already NFKC; out-of-vocabulary ones come from Sudachi's
    # input plugin, which has a few exceptions to NFKC. is_normalized() is the fast path.
    if not unicodedata.is_normalized("NFKC", form):
        form = unicodedata.normalize("NFKC", form)
    term = form.lower()
    if not term.isalnum():
        # FTS5's unicode61 would split wi-fi or 3.11 into two tokens (and drop % entirely),
        # shifting positions away from the PostgreSQL tsvector: keep one token per term.
        term = "".join(c for c in term if c.isalnum())
    return term


def _is_single_hiragana(value: str) -> bool:
    return len(value) == 1 and "\u3041" <= value <= "\u309f"


def _term(morpheme: Morpheme, surface: str, kind: int) -> str | None:
    """The search term of a morpheme whose POS is not dropped, or None to skip it."""
    if _is_single_hiragana(surface):
        return None
    term = _normalise(morpheme.normalized_form())
    if kind == _VERB_RENYOU and term not in STOPWORDS:  # あります stays 有る, not the noun 有り
        term = _normalise(_noun_reading_of(surface) or term)
    if not term or term in STOPWORDS or _is_single_hiragana(term):
        return None
    return term


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, piece) pieces of at most _CHUNK_CHARS, cut after 。！？ or newlines."""
    start = 0
    while len(text) - start > _CHUNK_CHARS:
        limit = start + _CHUNK_CHARS
        cut = max(
            (m.end() for m in _BOUNDARY.finditer(text, start + _CHUNK_CHARS // 2, limit)), default=0
        )
        if not cut:  # one enormous sentence: cut anywhere but inside a character
            cut = _safe_cut(text, limit, start)
        yield start, text[start:cut]
        start = cut
    if start < len(text):
        yield start, text[start:]


def _safe_cut(text: str, index: int, lo: int = 0) -> int:
    # Keep combining marks and half-width (semi-)voiced marks (ﾃﾞ) with their base.
    while index > lo + 1 and (unicodedata.combining(text[index]) or text[index] in "ﾞﾟ"):
        index -= 1
    return index


def _tokenize(tokenizer: Tokenizer, offset: int, piece: str) -> Iterator[tuple[int, MorphemeList]]:
    try:
        yield offset, tokenizer.tokenize(piece)
    except SudachiError:
        if len(piece) < 64:  # not a length problem
            raise
        mid = _safe_cut(piece, len(piece) // 2)
        yield from _tokenize(tokenizer, offset, piece[:mid])
        yield from _tokenize(tokenizer, offset + mid, piece[mid:])


def _analyse(text: str) -> list[tuple[Token, tuple[str, ...]]]:
    """Tokens paired with the original surfaces of their parts."""
    result: list[tuple[Token, tuple[str, ...]]] = []
    with _lock:
        tokenizer = _sudachi()[1]
        for chunk_offset, chunk in _chunks(text):
            for offset, morphemes in _tokenize(tokenizer, chunk_offset, chunk):
                for m in morphemes:
                    # POS first: over half the morphemes are particles, symbols or spaces.
                    kind = _pos_kind(m.part_of_speech_id())
                    if kind == _DROP:
                        continue
                    start, end = offset + m.begin(), offset + m.end()
                    surface = text[start:end]
                    term = _term(m, surface, kind)
                    if term is None:
                        continue
                    parts: list[tuple[str, str]] = []
                    if kind == _NOUN and end - start >= 3:
                        for p in m.split(SplitMode.A):  # empty when it does not split
                            p_kind = _pos_kind(p.part_of_speech_id())
                            p_surface = text[offset + p.begin() : offset + p.end()]
                            p_term = None if p_kind == _DROP else _term(p, p_surface, p_kind)
                            if p_term is not None:
                                parts.append((p_term, p_surface))
                        if [t for t, _ in parts] == [term]:
                            parts = []
                    token = Token(term, surface, start, end, tuple(t for t, _ in parts))
                    result.append((token, tuple(s for _, s in parts)))
    return result


def analyse(text: str) -> list[Token]:
    """All kept tokens of the text, in order, with offsets into the original text."""
    return [token for token, _ in _analyse(text)]


def index_terms(text: str) -> list[str]:
    """Terms to index, in order: each token's term followed by its parts' terms."""
    return [term for token in analyse(text) for term in (token.term, *token.parts)]


def surface_map(text: str, limit: int = 8) -> dict[str, list[str]]:
    """Term → distinct original surfaces (at most ``limit``), parts included."""
    return _surfaces(_analyse(text), limit)


def index_document(text: str, limit: int = 8) -> tuple[list[str], dict[str, list[str]]]:
    """``index_terms`` and ``surface_map`` of a text from one pass of the tokenizer
    (indexing needs both; tokenizing twice was half its time)."""
    analysed = _analyse(text)
    terms = [term for token, _ in analysed for term in (token.term, *token.parts)]
    return terms, _surfaces(analysed, limit)


def _surfaces(analysed, limit: int) -> dict[str, list[str]]:
    surfaces: dict[str, list[str]] = {}
    for token, part_surfaces in analysed:
        for term, surface in (
            (token.term, token.surface),
            *zip(token.parts, part_surfaces, strict=True),
        ):
            seen = surfaces.setdefault(term, [])
            if surface not in seen and len(seen) < limit:
                seen.append(surface)
    return surfaces


def query_terms(query: str) -> list[QueryTerm]:
    """Unique query terms in order; [] for an empty or stopword-only query."""
    terms: dict[str, QueryTerm] = {}
    for token in analyse(query):
        terms.setdefault(token.term, QueryTerm(token.term, token.parts))
    return list(terms.values())


# --- snippets -----------------------------------------------------------------------

# Markdown block syntax at a line start: quote marks, then a heading, list or
# numbered-list marker followed by a space (CommonMark requires the space).
_MARKDOWN_LINE_START = re.compile(
    r"^[ \t]*(?:>[ \t]?)*(?:(?:#{1,6}|[-*+]|\d{1,9}\.)(?=\s|$))?", re.M
)
_WHITESPACE = re.compile(r"\s+")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _plain(text: str) -> str:
    return _WHITESPACE.sub(" ", _MARKDOWN_LINE_START.sub("", text)).strip()


def snippet(text: str, surfaces: Iterable[str], length: int = 120) -> str:
    """HTML-safe excerpt of about ``length`` characters around the densest run of matches."""
    plain = _plain(text)
    # ASCII-only lower-casing keeps every index valid (str.lower() can change lengths).
    needles = {_plain(s).translate(_ASCII_LOWER) for s in surfaces}
    needles.discard("")
    matches: list[tuple[int, int]] = []
    if needles:
        # Longest first: at one position the regex takes the first alternative that fits.
        pattern = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
        matches = [m.span() for m in re.finditer(pattern, plain.translate(_ASCII_LOWER))]

    best, best_count, j = 0, 0, 0
    for i, (first, _) in enumerate(matches):  # two pointers: matches inside [first, first+length)
        j = max(j, i)
        while j < len(matches) and matches[j][1] <= first + length:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    if not best_count:
        cut = plain[:length]
        return html.escape(cut) + ("…" if len(plain) > length else "")

    # Centre the chosen run in the window, then widen it so no match is cut in half.
    run_start, run_end = matches[best][0], matches[best + best_count - 1][1]
    start = max(0, run_start - (length - (run_end - run_start)) // 2)
    end = min(len(plain), start + length)
    start = max(0, end - length)
    for a, b in matches:
        if a < start < b:
            start = a
        if a < end < b:
            end = b

    out = ["…"] if start > 0 else []
    pos = start
    for a, b in matches:
        if start <= a and b <= end:
            out += [html.escape(plain[pos:a]), "<mark>", html.escape(plain[a:b]), "</mark>"]
            pos = b
    out.append(html.escape(plain[pos:end]))
    if end < len(plain):
        out.append("…")
    return "".join(out)
