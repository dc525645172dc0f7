"""Each statistic pinned on hand-worked cases, including Newcombe's published examples."""

import pytest
from scipy.stats import binomtest

from surveys.stats import mcnemar_exact_p, newcombe_paired_interval, paired_change, wilson_interval


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # Newcombe RG (1998) Stat Med 17:2635-2650, Table II, method 10 (e, f, g, h) -> (low, high)
        ((36, 12, 2, 0), (0.0569, 0.3404)),
        ((18, 12, 2, 18), (0.0562, 0.3290)),
        ((53, 0, 0, 1), (-0.0729, 0.0729)),
        ((0, 30, 0, 0), (0.8395, 1.0)),
    ],
)
def test_newcombe_paired_interval_matches_published_examples(cells, expected):
    e, f, g, h = cells

    low, high = newcombe_paired_interval(both=e, first_only=f, second_only=g, neither=h)

    assert (round(low, 4), round(high, 4)) == expected


def test_wilson_interval_hand_worked():
    # 8 of 10: centre (16 + z^2) / (2 (10 + z^2)), the textbook 0.490 to 0.943
    low, high = wilson_interval(8, 10)

    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)


@pytest.mark.parametrize("n", [1, 2, 5, 10, 34, 100, 1000])
def test_wilson_interval_matches_scipy(n):
    for successes in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        interval = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson_interval(successes, n) == pytest.approx((interval.low, interval.high), abs=1e-12)


def test_wilson_interval_no_data_is_uninformative():
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_mcnemar_exact_p_hand_worked():
    # 12 improved, 2 worsened: 2 * P(X <= 2 | n=14, p=1/2) = 2 * (1 + 14 + 91) / 2**14
    assert mcnemar_exact_p(12, 2) == pytest.approx(2 * 106 / 2**14)


def test_mcnemar_exact_p_no_discordant_pairs_is_one():
    assert mcnemar_exact_p(0, 0) == 1.0


def test_paired_change_post_minus_pre_with_interval():
    # 34 people: 8 agreed before and after, 19 came to agree, 2 stopped agreeing, 5 never agreed.
    change = paired_change(both=8, improved=19, worsened=2, neither=5)

    assert change.n_paired == 34
    assert round(change.pct_pre, 1) == round(100 * 10 / 34, 1)
    assert round(change.pct_post, 1) == round(100 * 27 / 34, 1)
    assert change.change_pp == pytest.approx(100 * 17 / 34)
    assert change.ci_low_pp < change.change_pp < change.ci_high_pp
    assert change.relative_change_pct == pytest.approx(170.0)
    assert change.p_value == pytest.approx(mcnemar_exact_p(19, 2))


def test_paired_change_is_newcombe_with_post_first():
    change = paired_change(both=36, improved=12, worsened=2, neither=0)

    assert (round(change.ci_low_pp, 2), round(change.ci_high_pp, 2)) == (5.69, 34.04)


def test_paired_change_zero_discordant_pairs():
    change = paired_change(both=10, improved=0, worsened=0, neither=10)

    assert (change.change_pp, change.p_value) == (0.0, 1.0)
    assert change.ci_low_pp < 0 < change.ci_high_pp


def test_paired_change_everyone_agrees_throughout():
    change = paired_change(both=20, improved=0, worsened=0, neither=0)

    assert (change.pct_pre, change.pct_post, change.change_pp, change.relative_change_pct) == (100, 100, 0, 0)
    assert change.ci_low_pp < 0 < change.ci_high_pp <= 100


def test_paired_change_nobody_is_none():
    assert paired_change(both=0, improved=0, worsened=0, neither=0) is None


def test_paired_change_one_person():
    change = paired_change(both=0, improved=1, worsened=0, neither=0)

    assert (change.n_paired, change.change_pp, change.p_value) == (1, 100.0, 1.0)
    assert change.relative_change_pct is None  # nobody agreed before: a ratio would divide by zero
    assert -100 <= change.ci_low_pp < 100 == change.ci_high_pp
