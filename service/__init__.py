"""tvaers service: the edges (CLI and HTTP) that own settings and translate errors."""

import os

# Set before FAISS and the embedding engine load their OpenMP runtimes: busy-waiting threads
# slow searches down a hundredfold on shared, loaded machines (see indexer.embedders).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
