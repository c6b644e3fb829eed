"""The NAS-Bench-101 cell space.

- ``cell``: ``Cell`` (validated, pruned, hashable) and the op names;
- ``graph``: the benchmark's module hash;
- ``canonical``: the canonical member of each cell's class and the number of each class;
- ``cost``: parameters and FLOPs of the network built from a cell;
- ``encoding``: the ReNAS feature tensors ("renas-full", "renas-type");
- ``sampling``: random sampling, mutation, crossover; ``enumeration``: all 423,624 classes;
- ``hash_table``: the module hash of every class, precomputed, for identity by lookup;
- ``space``: ``NB101_SPACE``, all of the above behind the ``Space`` contract.
"""
