"""Developer tooling for tests and benchmarks: isolated networks, synthetic peers."""
