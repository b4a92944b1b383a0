"""Lip-sync models: streaming generator (log-mel -> lips-v1) and the speech-mesh encoders (issue #5)."""
import os

# Shared, oversubscribed CPUs: spinning BLAS/OpenMP threads waste most of the CPU (see train_*.py). Only
# effective when this package is imported before numpy/torch (as in `python -m training.models.data`).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
