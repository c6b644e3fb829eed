"""``renas-train study-eval``: a simulated user drives a study with the benchmark table as the oracle,
beside random search, regularised evolution and the one-shot ReNAS protocol."""
