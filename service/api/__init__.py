"""The HTTP API: thin routes over the inference and job services."""
