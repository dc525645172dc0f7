"""Statistics for pre/post change, written out so a statistician can check each line.

Paired data come as the four cells of a 2x2 table of the same people before and after:
both (agreed before and after), improved (agreed only after), worsened (agreed only before), neither.

- Wilson score interval for one proportion (Wilson 1927).
- Newcombe (1998) method 10 for the difference of paired proportions: Wilson intervals for each margin,
  combined with the correction for correlation (phi with the N/2 adjustment). Tested against the paper's
  published examples in tests/surveys/test_stats.py.
- Exact two-sided McNemar test: the binomial test of the discordant pairs, from scipy.
"""

import math
from dataclasses import dataclass

from scipy.stats import binomtest, norm

Z95 = float(norm.ppf(0.975))


def wilson_interval(successes, n, z=Z95):
    """The Wilson score interval for successes / n, as (low, high) proportions.

    The same as scipy's `binomtest(successes, n).proportion_ci(method="wilson")` (tests check it), which takes
    a millisecond a call: a national screen needs hundreds.
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (2 * successes + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * successes * (1 - p)) / (2 * (n + z * z))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_paired_interval(*, both, first_only, second_only, neither, z=Z95):
    """Newcombe's method 10 interval for p_first - p_second, where p_first = (both + first_only) / n.

    Cells in the paper's notation: e = both, f = first_only, g = second_only, h = neither.
    """
    n = both + first_only + second_only + neither
    if n == 0:
        return None
    first, second = both + first_only, both + second_only
    p1, p2 = first / n, second / n
    l1, u1 = wilson_interval(first, n, z)
    l2, u2 = wilson_interval(second, n, z)
    margins = first * (n - first) * second * (n - second)
    cross = both * neither - first_only * second_only
    corrected = max(cross - n / 2, 0) if cross > 0 else cross
    phi = corrected / math.sqrt(margins) if margins else 0.0
    difference = p1 - p2
    low = difference - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = difference + math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return max(-1.0, low), min(1.0, high)


def mcnemar_exact_p(improved, worsened):
    """Two-sided exact McNemar p-value: are changes in one direction more common than in the other?"""
    discordant = improved + worsened
    if discordant == 0:
        return 1.0
    return float(binomtest(min(improved, worsened), discordant, 0.5, alternative="two-sided").pvalue)


@dataclass(frozen=True)
class PairedChange:
    """The change in the share agreeing among people who answered both before and after."""

    n_paired: int
    pct_pre: float
    pct_post: float
    change_pp: float
    ci_low_pp: float
    ci_high_pp: float
    p_value: float
    relative_change_pct: float | None  # post / pre - 1, only where pre > 0; always labelled "relative"


def paired_change(*, both, improved, worsened, neither):
    """Percentages and points for the paired 2x2 table; None when nobody answered both."""
    n = both + improved + worsened + neither
    if n == 0:
        return None
    pre, post = both + worsened, both + improved
    # Post minus pre: "first" in Newcombe's notation is the post answer.
    low, high = newcombe_paired_interval(both=both, first_only=improved, second_only=worsened, neither=neither)
    return PairedChange(
        n_paired=n,
        pct_pre=100 * pre / n,
        pct_post=100 * post / n,
        change_pp=100 * (post - pre) / n,
        ci_low_pp=100 * low,
        ci_high_pp=100 * high,
        p_value=mcnemar_exact_p(improved, worsened),
        relative_change_pct=100 * (post / pre - 1) if pre else None,
    )
