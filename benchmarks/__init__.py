"""Benchmarks, run from the repository root as modules: ``.venv/bin/python -m benchmarks.<name>``
(crawl_throughput, extraction_speed, pipeline_cost, distributed_throughput). Tests import their
machinery (``benchmarks.crawl_throughput``, ``benchmarks.sitegen``) the same way."""
