"""One torch thread: on the shared 2-core CI machine more threads spin against each other (13x slower)."""

import torch

torch.set_num_threads(1)
