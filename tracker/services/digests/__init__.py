"""Weekly digests: building and sending them, and reading the stored ones."""
