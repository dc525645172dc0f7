"""Results: honest pre/post figures for a session, a partnership or the whole country, and their exports.

- `figures`: what is shown for one statement version in one scope (counts, shares, the paired change).
- `pooling`: which answers count, in grouped SQL over the rollups: the disclosure rule and release at close.
- `wording`: headlines and notes in plain English.
- `exports`: results.csv and responses.csv, each reproducing its screen.
"""
