"""Analysis: folding, stop words and the light French stemmer."""

import pytest

from search_index.analysis import analyze, fold, stem


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Épicerie", "epicerie"),
        ("CŒUR", "coeur"),
        ("Æsop", "aesop"),
        ("Straße", "strasse"),
        ("Ça Gèle À Noël", "ca gele a noel"),
        ("e\u0301te\u0301", "ete"),  # already decomposed accents
    ],
)
def test_fold_lowercases_strips_accents_and_expands_ligatures(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("variants", "expected_same"),
    [
        (["fleuriste", "fleuristes", "Fleuriste"], True),
        (["bijou", "bijoux", "bijouterie", "bijouteries"], True),
        (["boulangerie", "boulanger", "boulangère", "boulangers"], True),
        (["fromage", "fromages", "fromagerie"], True),
        (["chocolat", "chocolatier", "chocolaterie"], True),
        (["artisanal", "artisanale", "artisanaux"], True),
        (["cadeau", "cadeaux"], True),
        (["coiffeur", "coiffeuse"], True),
        (["fleur", "boulangerie"], False),
        (["vin", "vinaigre"], False),
    ],
)
def test_stemmer_conflates_shop_word_families(variants: list[str], expected_same: bool) -> None:
    stems = {stem(fold(v)) for v in variants}
    assert (len(stems) == 1) is expected_same, stems


def test_elision_and_stop_words_are_dropped() -> None:
    assert analyze("L'épicerie d'Élise et la fromagerie") == ["epic", "elis", "fromag"]


def test_numbers_are_kept_as_terms_so_postcodes_are_searchable() -> None:
    assert analyze("6700 Arlon") == ["6700", "arlon"]


def test_short_words_are_not_stemmed() -> None:
    assert stem("bio") == "bio"
    assert stem("vins") == "vin"
