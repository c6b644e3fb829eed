"""Prometheus metrics about the work (beside the HTTP metrics of prometheus-fastapi-instrumentator),
named in the style of Triton's ``nv_inference_*`` and BentoML's ``bentoml_service_*``.

Counters and histograms are observed in the server process: the request paths score there, and the
job supervisor observes each job's queue wait and run time from its row when it finishes (the worker
processes have no /metrics of their own). The job and study gauges (``service.api.metrics``) are
read from the database at each scrape, so they are right across restarts and processes.
"""

from prometheus_client import Counter, Histogram

CELLS_SCORED = Counter(
    "renas_inference_cells", "Cells scored by a model (requests and server-side scoring)", ["space", "model"]
)
ONNX_SECONDS = Histogram(
    "renas_inference_onnx_call_seconds",
    "Time of one ONNX Runtime call (a batch of cells)",
    ["model"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
REQUEST_CELLS = Histogram(
    "renas_request_cells",
    "Cells per /predict or /rank request",
    ["route"],
    buckets=(1, 10, 100, 1_000, 5_000, 20_000),
)
JOB_QUEUE_WAIT = Histogram(
    "renas_job_queue_wait_seconds",
    "From a job's submission to its (last) start",
    ["kind"],
    buckets=(0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600),
)
JOB_RUN = Histogram(
    "renas_job_run_seconds",
    "From a job's (last) start to its end, by how it ended",
    ["kind", "status"],
    buckets=(0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600),
)
STUDY_TELLS = Counter("renas_study_tells", "Results told to studies", ["result"])
