"""Searching with a trained predictor, judged on the benchmark tables (ReNAS Tables 5 and 2 analogues).

- ``experiments``: one repeat of each experiment, a pure function of its settings returning a dataclass;
- ``report``: the Markdown tables of a report (the JSON the commands write);
- ``commands``: ``renas-train search-eval nb201 | nb101 | report``, which run the repeats and rewrite
  the report after each (``complete`` says whether the run finished).
"""
