"""ReNAS Table 1 on our data: Kendall tau of every predictor and baseline over training sizes and seeds.

One *entry* is (space, method, size, seed): split the labelled cells with ``split(n, size, seed)``
(the same split for every method at a given seed, so methods are compared on identical cells), fit the
method on the training cells, score every cell, and record Kendall tau on the held-out cells and on all
cells.

- ``plan``: which entries to run, in which order, with how many epochs;
- ``experiment``: one entry measured (a pure function of the entry and the data);
- ``store``: the resumable results folder (one JSON line per finished entry, its scores beside it);
- ``report``: mean ± std per (method, size), the Markdown table, the time projection;
- ``commands``: ``renas-train table1 run | summarize | figure``.
"""
