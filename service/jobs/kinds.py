"""Every kind of job the workers run, by name: the one place a new kind is registered."""

from service.jobs.kind import JobKind
from service.jobs.search_kind import SEARCH
from service.jobs.train_kind import TRAIN

JOB_KINDS: dict[str, JobKind] = {kind.name: kind for kind in (SEARCH, TRAIN)}
