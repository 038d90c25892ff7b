"""Benchmarks and the fault soak (README.md here); run as modules: python -m bench.proof."""
