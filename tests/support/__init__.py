"""What tests and benchmarks share that is no part of newscrawl: databases to test against, fixture and
fault servers, copies of fixture sites. Imported as ``tests.support.<module>`` (pytest and
``python -m benchmarks.<name>`` both run from the repository root, which pyproject's pytest
``pythonpath`` puts on the path)."""
