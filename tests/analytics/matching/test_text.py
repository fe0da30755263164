"""Tokeniser, TF-IDF and the product index on hand-checked tiny corpora."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainatlas.analytics.matching import (
    ProductIndex,
    TextOwners,
    TfidfModel,
    Tokeniser,
    dictionary_terms,
    normalise,
)


@pytest.fixture(scope="module")
def tok() -> Tokeniser:
    return Tokeniser(["碳酸锂", "电池级"])


def test_chinese_text_gives_words_and_two_and_three_character_ngrams(tok: Tokeniser) -> None:
    feats = tok.features("电池级碳酸锂")
    assert {"w:碳酸锂", "w:电池级", "w:电池"} <= set(feats)
    # 6 characters: five 2-grams and four 3-grams
    assert sorted(f for f in feats if f.startswith("c:") and len(f) == 4) == sorted(
        ["c:电池", "c:池级", "c:级碳", "c:碳酸", "c:酸锂"]
    )
    assert len([f for f in feats if f.startswith("c:") and len(f) == 5]) == 4


def test_english_text_is_lowercased_with_plurals_dropped_and_padded_trigrams(
    tok: Tokeniser,
) -> None:
    feats = tok.features("Polished Wafers")
    assert {"w:polished", "w:wafer", "c: wa", "c:er "} <= set(feats)
    assert "w:glass" in tok.features("Glass")


def test_full_width_text_reads_like_ascii() -> None:
    assert normalise("ＳｉＣ　ＭＯＳＦＥＴ（车规级）") == "sic mosfet(车规级)"


def test_dictionary_terms_split_names_at_brackets_and_punctuation() -> None:
    got = dictionary_terms(["系统级封装（SiP）", "磷酸铁锂、三元材料", "X"])
    assert got == ["三元材料", "磷酸铁锂", "系统级封装"]


def test_tfidf_uses_sublinear_tf_smooth_idf_and_unit_rows() -> None:
    # "a" twice in doc 0, once in doc 1; "b" only in doc 0 (n = 2 documents)
    model, X = TfidfModel.fit_transform([["a", "a", "b"], ["a"]])
    idf_a = math.log(3 / 3) + 1
    idf_b = math.log(3 / 2) + 1
    raw = np.array([(1 + math.log(2)) * idf_a, 1 * idf_b])
    expected = raw / np.linalg.norm(raw)
    a, b = model.vocabulary["a"], model.vocabulary["b"]
    np.testing.assert_allclose(X.toarray()[0][[a, b]], expected)
    np.testing.assert_allclose(X.toarray()[1], [1.0, 0.0] if a == 0 else [0.0, 1.0])
    np.testing.assert_allclose(model.transform([["b", "unknown"]]).toarray()[0][b], 1.0)


def test_a_need_for_lithium_carbonate_matches_battery_grade_carbonate_above_batteries() -> None:
    idx = ProductIndex(["碳酸锂"]).build(["锂电池", "电池级碳酸锂", "碳酸锂", "光伏玻璃"])
    hits = idx.query("碳酸锂")
    ranked = [idx.texts[i] for i in hits.doc]
    assert ranked[:2] == ["碳酸锂", "电池级碳酸锂"]
    assert "锂电池" not in ranked and "光伏玻璃" not in ranked
    assert hits.score[0] == pytest.approx(1.0)  # cosine 1 and partial_ratio 100


def test_english_need_matches_the_carbonate_above_the_battery() -> None:
    idx = ProductIndex().build(["Lithium-ion batteries", "Battery-grade lithium carbonate"])
    hits = idx.query("lithium carbonate")
    assert [idx.texts[i] for i in hits.doc][0] == "Battery-grade lithium carbonate"
    assert hits.score[0] > hits.score[1]


def test_a_one_character_query_falls_back_to_a_substring_scan() -> None:
    idx = ProductIndex().build(["电解铜", "铜箔", "铝箔"])
    hits = idx.query("铜")
    got = {idx.texts[i]: c for i, c in zip(hits.doc, hits.cosine, strict=True)}
    assert got == {"电解铜": pytest.approx(1 / 3), "铜箔": pytest.approx(1 / 2)}


def test_query_k_keeps_the_best_texts_in_order() -> None:
    idx = ProductIndex().build(["碳酸锂", "电池级碳酸锂", "碳酸钠", "工业碳酸锂粉"])
    full = idx.query("碳酸锂")
    top2 = idx.query("碳酸锂", k=2)
    assert top2.doc.tolist() == full.doc[:2].tolist()
    assert idx.query("量子计算").doc.tolist() == []


def test_text_owners_give_each_owner_its_best_weighted_text() -> None:
    own = TextOwners.from_pairs(
        [0, 0, 1, 1], [3, 4, 4, 4], [1.0, 0.5, 0.9, 0.2], n_texts=2, n_owners=5
    )
    ids, score, via = own.spread(np.array([0, 1]), np.array([0.5, 1.0]))
    # owner 3: 1.0 * 0.5; owner 4: max(0.5 * 0.5, 0.9 * 1.0) (the repeated pair keeps 0.9)
    assert ids.tolist() == [3, 4]
    np.testing.assert_allclose(score, [0.5, 0.9])
    assert via.tolist() == [0, 1]
