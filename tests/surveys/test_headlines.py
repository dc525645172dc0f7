"""Headlines: what a statement's figures say in one sentence, and the relative change they show or not.

Counts of people who answered both questionnaires (pairs) go in; the sentence comes out. The numbers in the
expected sentences come from surveys.stats.paired_change (checked here too), the sentences are written out.
Minus signs are U+2212, written \\u2212.
"""

import pytest

from surveys.results.figures import Counts, StatementRef, figures_from
from surveys.results.wording import bound
from surveys.stats import paired_change

SOUND = StatementRef(
    id=1, text="I have a sound understanding of the work undertaken by AHPs and third sector organisations.", version=1
)
AMONG = (
    "Among the {n} people who answered both questionnaires, the share agreeing they have a sound understanding of "
    "the work undertaken by AHPs and third sector organisations"
)


def pairs(*, both, improved, worsened, neither, left_out=(0, 0, 0)):
    """Counts of pairs alone: each answered Agree (4) or Disagree (2) before and after."""
    n = both + improved + worsened + neither
    before, after = both + worsened, both + improved
    return Counts(
        pre=(0, n - before, 0, before, 0),
        post=(0, n - after, 0, after, 0),
        both=both,
        improved=improved,
        worsened=worsened,
        neither=neither,
        left_out=left_out,
    )


def interval(**cells):
    """The 95% CI of the change, rounded as people round (half away from zero; none of these is a half)."""
    change = paired_change(**cells)
    return round(change.ci_low_pp), round(change.ci_high_pp)


# --- The change, and whether it could be chance ---


def test_headline_where_the_interval_includes_zero_says_it_could_be_chance():
    cells = {"both": 2, "improved": 5, "worsened": 1, "neither": 3}  # 3 of 11 agreeing before, 7 after

    figures = figures_from(SOUND, pairs(**cells))

    assert interval(**cells) == (-4, 64)
    assert figures.headline == (
        "Among the 11 people who answered both questionnaires, the share agreeing they have a sound understanding "
        "of the work undertaken by AHPs and third sector organisations went from 27% to 64%, but with only 11 pairs "
        "this could be chance: 95% CI \u22124 to +64 points."
    )
    assert (figures.could_be_chance, figures.conclusive) == (True, True)


def test_headline_where_the_interval_includes_zero_with_30_pairs_or_more_drops_only():
    cells = {"both": 10, "improved": 6, "worsened": 4, "neither": 14}

    figures = figures_from(SOUND, pairs(**cells))

    assert interval(**cells) == (-13, 24)
    assert figures.headline == AMONG.format(n=34) + (
        " went from 41% to 47%, but with 34 pairs this could be chance: 95% CI \u221213 to +24 points."
    )


def test_headline_where_the_interval_excludes_zero_gives_the_change():
    # The source session: 34 pairs, 10 agreeing before and 27 after.
    cells = {"both": 9, "improved": 18, "worsened": 1, "neither": 6}

    figures = figures_from(SOUND, pairs(**cells))

    assert interval(**cells) == (28, 65)
    assert figures.headline == (
        "Among the 34 people who answered both questionnaires, the share agreeing they have a sound understanding "
        "of the work undertaken by AHPs and third sector organisations rose from 29% to 79% (+50 points, 95% CI "
        "+28 to +65)."
    )
    assert figures.could_be_chance is False


def test_headline_never_writes_a_lower_end_above_zero_as_0():
    # 91 pairs, 9 more agreeing and 2 fewer: the interval starts at +0.36, which whole points would write as 0,
    # and "0 to +15" beside "rose" would read as a rise that could be chance.
    cells = {"both": 20, "improved": 9, "worsened": 2, "neither": 60}

    figures = figures_from(SOUND, pairs(**cells))

    assert interval(**cells) == (0, 15)
    assert figures.headline.endswith("rose from 24% to 32% (+8 points, 95% CI +0.4 to +15).")
    assert figures.could_be_chance is False


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (0, "0"),
        (0.36, "+0.4"),
        (-0.36, "\u22120.4"),
        (0.0524, "+0.1"),
        (0.04, "+0.04"),
        (-12.5, "\u221213"),
        (3.2, "+3"),
    ],
)
def test_an_interval_end_is_never_0_unless_it_is(number, written):
    assert bound(number) == written


def test_headline_of_a_fall_has_minus_signs():
    cells = {"both": 10, "improved": 0, "worsened": 8, "neither": 10}

    figures = figures_from(SOUND, pairs(**cells))

    assert interval(**cells) == (-44, -10)
    assert (
        figures.headline == AMONG.format(n=28) + " fell from 64% to 36% (\u221229 points, 95% CI \u221244 to \u221210)."
    )


def test_headline_stayed_at_where_the_interval_includes_zero():
    cells = {"both": 5, "improved": 2, "worsened": 2, "neither": 3}

    figures = figures_from(SOUND, pairs(**cells))

    assert interval(**cells) == (-32, 32)
    assert figures.headline == AMONG.format(n=12) + " stayed at 58% (95% CI \u221232 to +32 points): no clear change."


def test_headline_writes_thousands_with_a_comma():
    figures = figures_from(SOUND, pairs(both=300, improved=700, worsened=100, neither=134))

    assert figures.headline == AMONG.format(n="1,234") + " rose from 32% to 81% (+49 points, 95% CI +45 to +52)."


def test_headline_of_a_statement_not_in_the_first_person_quotes_it():
    statement = StatementRef(id=2, text="Services in my area work well together.", version=1)

    figures = figures_from(statement, pairs(both=9, improved=18, worsened=1, neither=6))

    assert figures.headline == (
        "Among the 34 people who answered both questionnaires, the share agreeing with “Services in my area work "
        "well together” rose from 29% to 79% (+50 points, 95% CI +28 to +65)."
    )


# --- Too few to conclude ---


@pytest.mark.parametrize(
    ("cells", "headline"),
    [
        (
            {"both": 2, "improved": 3, "worsened": 0, "neither": 1},
            "Too few responses to draw conclusions: only 6 people answered both questionnaires "
            "(at least 10 are needed).",
        ),
        (
            {"both": 3, "improved": 3, "worsened": 0, "neither": 3},
            "Too few responses to draw conclusions: only 9 people answered both questionnaires "
            "(at least 10 are needed).",
        ),
        (
            {"both": 0, "improved": 1, "worsened": 0, "neither": 0},
            "Too few responses to draw conclusions: only 1 person answered both questionnaires "
            "(at least 10 are needed).",
        ),
        (
            {"both": 0, "improved": 0, "worsened": 0, "neither": 0},
            "Too few responses to draw conclusions: nobody has answered both questionnaires yet.",
        ),
    ],
)
def test_headline_with_fewer_than_ten_pairs_warns_instead(cells, headline):
    figures = figures_from(SOUND, pairs(**cells))

    assert (figures.headline, figures.conclusive) == (headline, False)


def test_headline_where_every_pair_was_left_out_says_so():
    # Pooled: two sessions' pairs left out, as each had fewer than 5.
    figures = figures_from(SOUND, pairs(both=0, improved=0, worsened=0, neither=0, left_out=(0, 0, 2)))

    assert figures.headline == (
        "Too few responses to draw conclusions: no pairs are counted here (groups of fewer than 5 are left out)."
    )


def test_headline_where_the_pairs_are_withheld_says_fewer_than_the_threshold():
    # A session's own scope: its 1-4 pairs are withheld, not shown as 0.
    figures = figures_from(
        SOUND, pairs(both=0, improved=0, worsened=0, neither=0, left_out=(1, 1, 1)), session_scope=True
    )

    assert figures.headline == (
        "Too few responses to draw conclusions: fewer than 5 people answered both questionnaires."
    )


def test_headline_where_the_pairs_are_withheld_follows_the_threshold_setting(settings):
    settings.SMALL_NUMBER_THRESHOLD = 10

    figures = figures_from(
        SOUND, pairs(both=0, improved=0, worsened=0, neither=0, left_out=(1, 1, 1)), session_scope=True
    )

    assert figures.headline == (
        "Too few responses to draw conclusions: fewer than 10 people answered both questionnaires."
    )


# --- Relative change: only on 10 pairs or more, of whom 5 or more agreed before ---


@pytest.mark.parametrize(
    ("cells", "shown"),
    [
        ({"both": 5, "improved": 2, "worsened": 0, "neither": 2}, False),  # 9 pairs
        ({"both": 4, "improved": 3, "worsened": 0, "neither": 3}, False),  # 10 pairs, 4 agreeing before
        ({"both": 5, "improved": 3, "worsened": 0, "neither": 2}, True),  # 10 pairs, 5 agreeing before
        ({"both": 0, "improved": 3, "worsened": 0, "neither": 7}, False),  # 10 pairs, nobody agreeing before
        ({"both": 0, "improved": 6, "worsened": 0, "neither": 6}, False),  # 12 pairs, nobody agreeing before
    ],
)
def test_relative_change_shown_only_on_enough_pairs_agreeing_before(cells, shown):
    figures = figures_from(SOUND, pairs(**cells))

    assert (figures.relative_shown, figures.relative_change_pct is not None) == (shown, shown)


def test_relative_change_of_ten_pairs_five_agreeing_before():
    # 5 agreeing before, 8 after: 8 / 5 - 1.
    figures = figures_from(SOUND, pairs(both=5, improved=3, worsened=0, neither=2))

    assert figures.relative_change_pct == pytest.approx(60.0)


def test_relative_change_of_nobody_agreeing_before_is_none_even_with_many_pairs():
    figures = figures_from(SOUND, pairs(both=0, improved=40, worsened=0, neither=20))

    assert (figures.relative_shown, figures.relative_change_pct, figures.change.relative_change_pct) == (
        False,
        None,
        None,
    )
