"""tvaers service: the edges (CLI and HTTP) that own settings and translate errors."""
