"""Description excerpts of long descriptions, through the library's search.

``highlight.excerpt`` promises a window of about ``DESCRIPTION_CHARS`` characters starting
near the first matched word, opening and closing on word boundaries; ``snippet`` escapes
everything and wraps matched words in <mark>. Descriptions here run from the 1,000 characters
the application accepts to 5,000 (the library sets no limit).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from html import unescape
from itertools import cycle

import pytest
from shop_fixtures import LIEGE, build, shop

from search_index import Hit, SearchIndex, SearchQuery
from search_index.highlight import DESCRIPTION_CHARS

# The application's limit on a shop description (its services check it; the column is Text).
APP_DESCRIPTION_CHARS = 1000
ELLIPSIS_START = "… "
ELLIPSIS_END = " …"
# No query word below appears in it, nor in any shop name.
FILLER = " ".join(
    (
        "Notre maison propose chaque semaine une sélection variée de produits choisis avec",
        "soin auprès des petits producteurs de la région, dans le respect des saisons, du",
        "goût et des traditions locales.",
    )
).split()
ENTITY_RE = re.compile(r"&(?!(?:amp|lt|gt|quot|#x27);)")
MARK_RE = re.compile(r"</?mark>")


def filler(chars: int) -> str:
    """About ``chars`` characters of ordinary words (never more)."""
    out: list[str] = []
    size = -1
    for word in cycle(FILLER):
        if size + 1 + len(word) > chars:
            return " ".join(out)
        out.append(word)
        size += 1 + len(word)
    raise AssertionError("unreachable")


def spread(length: int, start: str, middle: str, end: str) -> str:
    """About ``length`` characters: ``start``, filler, ``middle``, filler, ``end``."""
    room = (length - len(start) - len(middle) - len(end) - 4) // 2
    text = f"{start} {filler(room)} {middle} {filler(room)} {end}"
    assert length - 20 <= len(text) <= length
    return text


DESCRIPTIONS = {
    1: spread(
        5000, "Pistache torréfiée sur place.", "Safran du Gâtinais.", "Vanille de Madagascar."
    ),
    2: spread(APP_DESCRIPTION_CHARS, "Bienvenue.", "Cannelle de Ceylan.", "À bientôt."),
    3: spread(
        3000,
        "Bienvenue.",
        "Notre CRÈME brûlée à l'ÉPEAUTRE, et nos œufs frais.",
        "À bientôt.",
    ),
    4: spread(
        2000,
        "Bienvenue.",
        "Offre <b>spéciale</b> & \"muscade\" <script>alert('girofle')</script> 5 < 6 > 4 &amp;",
        "À bientôt.",
    ),
    5: spread(4000, "Bienvenue.", "Rien de particulier ici.", "À bientôt."),
    # Decomposed accents (NFD, as some keyboards and pastes send them), newlines and tabs.
    6: unicodedata.normalize(
        "NFD",
        spread(2500, "Bienvenue.\n\n", "Pâte de\tnoisette   torréfiée\r\n", "À bientôt."),
    ),
    # Two query words in one window, and again a long way apart.
    7: spread(3000, "Bienvenue.", "Poivre et genièvre, poivre encore.", "Genièvre de Hasselt."),
}
NAMES = {5: "Fromagerie Tartempion"}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    docs = [
        shop(i, NAMES.get(i, f"Épicerie {i}"), "epicerie-fine", LIEGE, "Liège", "4000", text)
        for i, text in DESCRIPTIONS.items()
    ]
    idx = build(tmp_path_factory.mktemp("excerpts") / "index", docs)
    yield idx
    idx.close()


def hit(index: SearchIndex, text: str, shop_id: int) -> Hit:
    results = index.search(SearchQuery(text=text, per_page=100))
    by_id = {h.id: h for h in results.hits}
    assert shop_id in by_id, f"{text!r} did not find shop {shop_id}"
    return by_id[shop_id]


def checked(html: str, description: str) -> str:
    """The visible text of an excerpt, after checking what every excerpt promises.

    Escaped: no tag but <mark>, every ``&`` an entity. Bounded: at most the window plus its
    ellipses. A window of the description, cut between words, with "…" on each side that
    leaves text out.
    """
    bare = MARK_RE.sub("", html)
    assert "<" not in bare and ">" not in bare, html
    assert not ENTITY_RE.search(bare), html
    text = unescape(bare)
    assert len(text) <= DESCRIPTION_CHARS + len(ELLIPSIS_START) + len(ELLIPSIS_END)
    flat = " ".join(unicodedata.normalize("NFC", description).split())
    body = text.removeprefix(ELLIPSIS_START).removesuffix(ELLIPSIS_END)
    start = flat.find(body)
    assert start >= 0, f"{body!r} is not a window of the description"
    end = start + len(body)
    assert text.startswith(ELLIPSIS_START) == (start > 0)
    assert text.endswith(ELLIPSIS_END) == (end < len(flat))
    assert start == 0 or flat[start - 1] == " ", f"opens mid-word: {body[:30]!r}"
    assert end == len(flat) or flat[end] == " ", f"closes mid-word: {body[-30:]!r}"
    # "About" the window's size: word boundaries cost a word at each end, no more.
    assert len(body) >= DESCRIPTION_CHARS * 3 // 4, f"only {len(body)} characters: {body!r}"
    return text


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_every_description_here_is_long() -> None:
    assert all(len(text) > 4 * DESCRIPTION_CHARS for text in DESCRIPTIONS.values())
    assert len(DESCRIPTIONS[2]) <= APP_DESCRIPTION_CHARS
    assert len(DESCRIPTIONS[1]) > 4 * APP_DESCRIPTION_CHARS


def test_a_word_at_the_start_gives_the_opening_window(index: SearchIndex) -> None:
    excerpt = hit(index, "pistache", 1).excerpt
    text = checked(excerpt, DESCRIPTIONS[1])
    assert marked(excerpt) == ["Pistache"]
    assert text.startswith("Pistache torréfiée") and text.endswith(ELLIPSIS_END)


@pytest.mark.parametrize(("word", "shop_id"), [("safran", 1), ("cannelle", 2)])
def test_a_word_in_the_middle_gives_a_window_around_it(
    index: SearchIndex, word: str, shop_id: int
) -> None:
    excerpt = hit(index, word, shop_id).excerpt
    text = checked(excerpt, DESCRIPTIONS[shop_id])
    assert [w.casefold() for w in marked(excerpt)] == [word]
    assert text.startswith(ELLIPSIS_START) and text.endswith(ELLIPSIS_END)
    # The window opens shortly before the word, so the word reads in context.
    assert 10 <= text.casefold().index(word) <= DESCRIPTION_CHARS // 2


def test_a_word_at_the_end_gives_the_closing_window(index: SearchIndex) -> None:
    excerpt = hit(index, "vanille", 1).excerpt
    text = checked(excerpt, DESCRIPTIONS[1])
    assert marked(excerpt) == ["Vanille"]
    assert text.startswith(ELLIPSIS_START) and text.endswith("Vanille de Madagascar.")


def test_the_window_follows_the_first_word_in_the_text_not_in_the_query(
    index: SearchIndex,
) -> None:
    forwards = hit(index, "pistache vanille", 1)
    backwards = hit(index, "vanille pistache", 1)
    assert forwards.excerpt == backwards.excerpt
    # The other word is 5,000 characters away: outside the window, so not shown.
    checked(forwards.excerpt, DESCRIPTIONS[1])
    assert marked(forwards.excerpt) == ["Pistache"]


def test_words_close_together_are_all_marked_and_far_ones_left_out(index: SearchIndex) -> None:
    excerpt = hit(index, "genievre poivre", 7).excerpt
    text = checked(excerpt, DESCRIPTIONS[7])
    assert marked(excerpt) == ["Poivre", "genièvre", "poivre"]
    assert "Hasselt" not in text


def test_accented_words_are_found_unaccented_and_shown_as_written(index: SearchIndex) -> None:
    excerpt = hit(index, "creme brulee epeautre oeufs", 3).excerpt
    checked(excerpt, DESCRIPTIONS[3])
    assert marked(excerpt) == ["CRÈME", "brûlée", "ÉPEAUTRE", "œufs"]
    assert hit(index, "Épeautre", 3).excerpt == hit(index, "epeautre", 3).excerpt


def test_decomposed_accents_and_odd_whitespace_come_out_composed_and_single_spaced(
    index: SearchIndex,
) -> None:
    excerpt = hit(index, "pâte noisette", 6).excerpt
    text = checked(excerpt, DESCRIPTIONS[6])
    assert text == unicodedata.normalize("NFC", text)
    assert marked(excerpt) == ["Pâte", "noisette"]
    assert "Pâte de noisette torréfiée" in text
    assert not re.search(r"\s{2}|[\t\r\n]", text)


def test_html_in_a_description_is_escaped_and_only_mark_is_markup(index: SearchIndex) -> None:
    result = hit(index, "muscade girofle", 4)
    excerpt = result.excerpt
    text = checked(excerpt, DESCRIPTIONS[4])
    assert marked(excerpt) == ["muscade", "girofle"]
    assert "&lt;b&gt;spéciale&lt;/b&gt; &amp; &quot;<mark>muscade</mark>&quot;" in excerpt
    assert "&lt;script&gt;alert(&#x27;<mark>girofle</mark>&#x27;)&lt;/script&gt;" in excerpt
    assert "5 &lt; 6 &gt; 4 &amp;amp;" in excerpt
    assert "<script>" in text  # what the reader sees is the text as written
    assert result.highlight.endswith(excerpt)
    assert "<script>" not in result.highlight


def test_a_word_only_in_the_name_marks_the_name_and_not_the_excerpt(index: SearchIndex) -> None:
    result = hit(index, "tartempion", 5)
    text = checked(result.excerpt, DESCRIPTIONS[5])
    assert marked(result.excerpt) == []
    assert text.startswith("Bienvenue.") and text.endswith(ELLIPSIS_END)
    assert result.highlight.startswith("Fromagerie <mark>Tartempion</mark> — ")
    assert result.highlight.endswith(result.excerpt)


@pytest.mark.parametrize(
    ("words", "shop_id", "name_html"),
    [
        ("pistache", 1, "Épicerie 1"),
        ("safran", 1, "Épicerie 1"),
        ("vanille", 1, "Épicerie 1"),
        ("cannelle", 2, "Épicerie 2"),
        ("epeautre", 3, "Épicerie 3"),
        ("girofle", 4, "Épicerie 4"),
        ("tartempion", 5, "Fromagerie <mark>Tartempion</mark>"),
        ("noisette", 6, "Épicerie 6"),
        ("hasselt", 7, "Épicerie 7"),
    ],
)
def test_the_highlight_is_the_name_then_the_checked_excerpt(
    index: SearchIndex, words: str, shop_id: int, name_html: str
) -> None:
    result = hit(index, words, shop_id)
    assert result.highlight == f"{name_html} — {result.excerpt}"
    checked(result.excerpt, DESCRIPTIONS[shop_id])
