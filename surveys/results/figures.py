"""What is shown for one statement version in one scope: counts, shares, the paired change, and what is withheld.

Shares are of the respondents who gave an answer on the scale ("Don't know" is left out); the change is in
percentage points among the people who answered both questionnaires (paired), with Newcombe's 95% confidence
interval and the exact McNemar p-value (surveys.stats). `Counts` arrive already limited to what may be shown
(surveys.results.pooling): every group in them has at least `threshold()` people.
"""

import functools
import uuid
from dataclasses import dataclass, field

from coprod.disclosure import SUPPRESSED, Suppressed, is_suppressed, threshold  # noqa: F401 (used across surveys)
from surveys.models import Scale

GROUPS = ("pre", "post", "paired")
BOTH_QUESTIONNAIRES = "answered both questionnaires"
HEADLINE_MIN_PAIRED = 10  # fewer people who answered both than this: no headline, a warning instead
RELATIVE_MIN_PAIRED = 10  # a relative change is shown only with this many pairs ...
RELATIVE_MIN_AGREEING_BEFORE = 5  # ... of whom this many agreed before: else it swings wildly on one person


@functools.lru_cache(maxsize=8192)
def paired_change(**cells):
    """surveys.stats.paired_change, remembered: it depends on the four cells alone, and screens ask again.

    Imported on first use: scipy weighs about 70 MB, which a worker that only serves questionnaires (or an
    export) need not carry.
    """
    from surveys import stats

    return stats.paired_change(**cells)


@dataclass(frozen=True)
class StatementRef:
    id: int
    text: str
    version: int
    family: uuid.UUID | None = None


@dataclass(frozen=True)
class Counts:
    """Counted answers to one statement version over some sessions (surveys.results.pooling decides which)."""

    pre: tuple = (0, 0, 0, 0, 0)  # answers 1..5
    pre_dont_know: int = 0
    post: tuple = (0, 0, 0, 0, 0)
    post_dont_know: int = 0
    both: int = 0
    improved: int = 0
    worsened: int = 0
    neither: int = 0
    left_out: tuple = (0, 0, 0)  # sessions whose answers before, after, or pairs were left out, in whole or part

    @classmethod
    def from_row(cls, row):
        def get(name):
            return row.get(name) or 0

        return cls(
            pre=tuple(get(f"pre_{value}") for value in range(1, 6)),
            pre_dont_know=get("pre_dont_know"),
            post=tuple(get(f"post_{value}") for value in range(1, 6)),
            post_dont_know=get("post_dont_know"),
            both=get("paired_both"),
            improved=get("paired_improved"),
            worsened=get("paired_worsened"),
            neither=get("paired_neither"),
            left_out=tuple(get(f"left_out_{group}") for group in GROUPS),
        )

    def __add__(self, other):
        def add(a, b):
            return tuple(x + y for x, y in zip(a, b, strict=True))

        return Counts(
            pre=add(self.pre, other.pre),
            pre_dont_know=self.pre_dont_know + other.pre_dont_know,
            post=add(self.post, other.post),
            post_dont_know=self.post_dont_know + other.post_dont_know,
            both=self.both + other.both,
            improved=self.improved + other.improved,
            worsened=self.worsened + other.worsened,
            neither=self.neither + other.neither,
            left_out=add(self.left_out, other.left_out),
        )

    @property
    def n_pre(self):
        return sum(self.pre)

    @property
    def n_post(self):
        return sum(self.post)

    @property
    def n_paired(self):
        return self.both + self.improved + self.worsened + self.neither

    def n(self, key):
        return {"pre": self.n_pre, "post": self.n_post, "paired": self.n_paired}[key]


@dataclass(frozen=True)
class Distribution:
    """All five answers of one phase: counts, and shares of those who answered on the scale."""

    counts: tuple
    dont_know: int

    @property
    def n(self):
        return sum(self.counts)

    @property
    def shares(self):
        return tuple(100 * count / self.n for count in self.counts) if self.n else (None,) * 5

    @property
    def rows(self):
        """(label, count, share) per answer, Strongly disagree first."""
        return list(zip(Scale.labels, self.counts, self.shares, strict=True))


def _share_agreeing(counts):
    n = sum(counts)
    return 100 * (counts[3] + counts[4]) / n if n else None


@dataclass
class Figures:
    """Everything shown for one statement version in one scope (a session, partnership, quarter or country).

    At a session's scope, a group left out whole is SUPPRESSED ("fewer than 5"); pooled scopes show what they
    count (possibly 0) and say how many sessions they left out. Percentages and the change are None where
    nobody answered.
    """

    statement: StatementRef
    counts: Counts
    n_pre: object
    n_post: object
    n_paired: object
    pct_agree_pre: object
    pct_agree_post: object
    pre: object  # Distribution or SUPPRESSED
    post: object
    change: object  # surveys.stats.PairedChange, None or SUPPRESSED
    dont_know_pre: object = 0
    dont_know_post: object = 0
    label: str = ""
    session_scope: bool = False
    hidden: frozenset = field(default_factory=frozenset)
    pairs_described: str = BOTH_QUESTIONNAIRES  # who the pairs are, for the wording

    def _paired(self, name):
        if self.change is SUPPRESSED:
            return SUPPRESSED
        return getattr(self.change, name) if self.change else None

    @property
    def paired_pct_agree_pre(self):
        return self._paired("pct_pre")

    @property
    def paired_pct_agree_post(self):
        return self._paired("pct_post")

    @property
    def change_pp(self):
        return self._paired("change_pp")

    @property
    def ci_low_pp(self):
        return self._paired("ci_low_pp")

    @property
    def ci_high_pp(self):
        return self._paired("ci_high_pp")

    @property
    def p_value(self):
        return self._paired("p_value")

    @property
    def conclusive(self):
        """Enough people answered both questionnaires for a headline."""
        return bool(self.change) and self.change.n_paired >= HEADLINE_MIN_PAIRED

    @property
    def could_be_chance(self):
        """The 95% confidence interval of the change includes no change at all."""
        return bool(self.change) and self.change.ci_low_pp <= 0 <= self.change.ci_high_pp

    @property
    def relative_shown(self):
        """A relative change means something only on enough pairs, enough of whom agreed before."""
        return (
            bool(self.change)
            and self.change.n_paired >= RELATIVE_MIN_PAIRED
            and self.counts.both + self.counts.worsened >= RELATIVE_MIN_AGREEING_BEFORE
        )

    @property
    def relative_change_pct(self):
        """After / before - 1 among the pairs, in %: None where not shown (see `relative_shown`)."""
        return self.change.relative_change_pct if self.relative_shown else None

    @property
    def nothing_shown(self):
        """No answer of this statement is shown here: every group was withheld or left out."""
        return not any(self.counts.n(group) for group in GROUPS) and any(self.counts.left_out)

    @property
    def headline(self):
        from surveys.results.wording import headline

        return headline(self)

    @property
    def left_out_note(self):
        from surveys.results.wording import left_out_note

        return left_out_note(self)

    @property
    def answer_rows(self):
        """[(answer, before, after)] with (count, share) cells, or SUPPRESSED, for the table under the chart."""

        def cells(distribution):
            if distribution is SUPPRESSED:
                return [SUPPRESSED] * 5
            return list(zip(distribution.counts, distribution.shares, strict=True))

        return list(zip(Scale.labels, cells(self.pre), cells(self.post), strict=True))


def figures_from(statement, counts, *, label="", session_scope=False, pairs_described=BOTH_QUESTIONNAIRES):
    """The figures of `counts`. At a session's scope, a group counted not at all though people answered (it was
    smaller than the threshold) is withheld as "fewer than 5" rather than shown as 0."""
    hidden = set()
    if session_scope:
        hidden = {key for index, key in enumerate(GROUPS) if counts.n(key) == 0 and counts.left_out[index]}
    pre = Distribution(counts.pre, counts.pre_dont_know)
    post = Distribution(counts.post, counts.post_dont_know)
    change = paired_change(both=counts.both, improved=counts.improved, worsened=counts.worsened, neither=counts.neither)

    def shown(group, value):
        return SUPPRESSED if group in hidden else value

    return Figures(
        statement=statement,
        counts=counts,
        n_pre=shown("pre", counts.n_pre),
        n_post=shown("post", counts.n_post),
        n_paired=shown("paired", counts.n_paired),
        pct_agree_pre=shown("pre", _share_agreeing(counts.pre)),
        pct_agree_post=shown("post", _share_agreeing(counts.post)),
        pre=shown("pre", pre),
        post=shown("post", post),
        change=shown("paired", change),
        dont_know_pre=shown("pre", counts.pre_dont_know),
        dont_know_post=shown("post", counts.post_dont_know),
        label=label,
        session_scope=session_scope,
        hidden=frozenset(hidden),
        pairs_described=pairs_described,
    )
