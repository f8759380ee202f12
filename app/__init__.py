"""DeltaFlow: error backpropagation shown one formula at a time."""

import os

# One BLAS thread per request: the server already runs requests in parallel threads, and OpenBLAS's own threads
# spin against them (and against anything else on a busy machine), which made one train call 20x slower under
# load (docs/limits.md). Set before numpy is first imported; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
