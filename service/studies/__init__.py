"""Studies: the service learns from a user's own measurements and proposes what to train next.

A study is a space (optionally a fixed pool of cells and cost limits) and a goal; its trials are the
cells it proposed (``ask``) or the user measured (``tell``), each with its identity, so a cell and
its relabelled copies are one trial. Where each part lives:

- ``models.py``: the ``studies`` and ``trials`` tables; ``schemas.py``: the routes' bodies;
- ``design.py``: which cells to propose (pure functions of the space, the pool, the seen identities);
- ``service.py``: ask, tell and the study's summary over the tables, every change in one transaction.
"""
