"""Per-field error accounting: an extractor that fails costs its own field only, and never silently.

Each :class:`~newscrawl.extract.document.Document` carries one :class:`ExtractionErrors`. A layer runs
each field's rules in :meth:`ExtractionErrors.guard`; when they raise, the field is left to the next
layer, the error is kept for the item's ``errors`` (``{field: "ValueError: ..."}``) and logged once, at
WARNING, with the page's URL. In strict mode (the tests) the error is raised instead.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

logger = logging.getLogger(__name__)


class ExtractionErrors:
    def __init__(self, url: str, strict: bool = False):
        self.url = url
        self.strict = strict
        self.errors: dict[str, str] = {}

    @contextmanager
    def guard(self, *parts: str):
        """Run one field's (or one shared step's) rules; ``parts`` are the fields a failure costs."""
        try:
            yield
        except Exception as exc:  # a bug or a page no rule expected: recorded and logged below, or raised
            if self.strict:
                raise
            self.record(exc, *parts)

    def record(self, exc: BaseException, *parts: str) -> None:
        message = f"{type(exc).__name__}: {exc}"[:500]
        new = [part for part in parts if part not in self.errors]
        for part in new:
            self.errors[part] = message
        if new:
            logger.warning("extraction of %s failed on %s: %s", ", ".join(new), self.url, message, exc_info=exc)
