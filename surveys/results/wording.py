"""Results in plain English: rounded numbers, headlines that say what the data can carry, and what was left out."""

import math
import re

from surveys.results.figures import GROUPS, HEADLINE_MIN_PAIRED, SUPPRESSED, threshold


def whole(number):
    """Half away from zero, as people round: 12.5 -> 13 and -12.5 -> -13 (Python's round() gives 12 and -12)."""
    rounded = math.floor(abs(number) + 0.5)
    return rounded if number >= 0 else -rounded


def signed(number):
    """+50, 0, and -12 written with a true minus sign (U+2212), which screen readers read as "minus"."""
    value = whole(number)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"\u2212{-value}"
    return "0"


def bound(number):
    """An end of a confidence interval, as signed() writes it, but never "0" for an end that is not 0: +0.4, or
    +0.04 if need be. Else an interval that excludes no change would read "0 to +10" beside the word "rose"."""
    if number == 0 or whole(number) != 0:
        return signed(number)
    for places in (1, 2, 3):
        text = f"{abs(number):.{places}f}"
        if float(text):
            break
    return f"+{text}" if number > 0 else f"\u2212{text}"


def plural(count, word, words=None):
    return f"{count:,} {word if count == 1 else words or word + 's'}"


PRONOUNS = [
    (r"\bI am\b", "they are"),
    (r"\bI'm\b", "they're"),
    (r"\bI was\b", "they were"),
    (r"\bI've\b", "they've"),
    (r"\bI\b", "they"),
    (r"\bmyself\b", "themselves"),
    (r"\bmy\b", "their"),
    (r"\bMy\b", "Their"),
    (r"\bmine\b", "theirs"),
    (r"\bme\b", "them"),
]


def agreeing_with(text):
    """'the share agreeing they have a sound understanding of ...' from 'I have a sound understanding of ...'."""
    words = text.strip().rstrip(".").strip()
    if not re.match(r"^I('m|'ve)?\b", words):
        return f"the share agreeing with “{words}”"
    for pattern, replacement in PRONOUNS:
        words = re.sub(pattern, replacement, words)
    return f"the share agreeing {words}"


def headline(figures):
    """The plain-English headline: the change where the pairs can carry it, said as uncertain where it is."""
    n = figures.n_paired
    too_few = "Too few responses to draw conclusions:"
    if n is SUPPRESSED:
        return f"{too_few} fewer than {threshold()} people {figures.pairs_described}."
    if not n:
        if figures.counts.left_out[GROUPS.index("paired")]:
            return f"{too_few} no pairs are counted here (groups of fewer than {threshold()} are left out)."
        return f"{too_few} nobody has {figures.pairs_described} yet."
    if not figures.conclusive:
        return (
            f"{too_few} only {plural(n, 'person', 'people')} {figures.pairs_described} "
            f"(at least {HEADLINE_MIN_PAIRED} are needed)."
        )
    change = figures.change
    before, after = whole(change.pct_pre), whole(change.pct_post)
    among = f"Among the {n:,} people who {figures.pairs_described}, {agreeing_with(figures.statement.text)}"
    interval = f"95% CI {bound(change.ci_low_pp)} to {bound(change.ci_high_pp)}"
    if figures.could_be_chance:
        if before == after:
            return f"{among} stayed at {before}% ({interval} points): no clear change."
        only = "only " if n < 30 else ""
        chance = f"but with {only}{n:,} pairs this could be chance: {interval} points"
        return f"{among} went from {before}% to {after}%, {chance}."
    movement = (
        f"{'rose' if after > before else 'fell'} from {before}% to {after}%"
        if before != after
        else f"stayed at {before}%"
    )
    return f"{among} {movement} ({signed(change.change_pp)} points, {interval})."


def left_out_note(figures):
    """What the figures leave out to protect small groups, and why; "" where nothing is left out."""
    pre, post, pairs = figures.counts.left_out
    small = f"fewer than {threshold()}"
    if figures.session_scope:
        if figures.nothing_shown:
            return f"{small.capitalize()} people answered: to protect them, none of their answers is shown."
        notes = []
        for group, left, word in (("pre", pre, "before"), ("post", post, "after")):
            if not left:
                continue
            if group in figures.hidden:
                notes.append(f"{small.capitalize()} people answered {word}: their answers are not shown.")
            else:
                count = figures.n_pre if group == "pre" else figures.n_post
                notes.append(
                    f"{small.capitalize()} people answered only {word}: to protect them, “{word}” counts only the "
                    f"{count:,} people who answered both."
                )
        if pairs and "paired" in figures.hidden:
            notes.append(f"{small.capitalize()} people {figures.pairs_described}: the change is not shown.")
        return " ".join(notes)
    parts = [
        f"{what} from {plural(count, 'session')}"
        for what, count in (("answers before", pre), ("answers after", post), ("pairs", pairs))
        if count
    ]
    if not parts:
        return ""
    return f"Left out to protect groups of {small} people: {', '.join(parts)}."
