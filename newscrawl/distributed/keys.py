"""Redis key names of the shared frontier, in one place (see the table in newscrawl/distributed/__init__.py)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FrontierKeys:
    prefix: str
    site: str
    queue_key: str | None = None  # SCHEDULER_QUEUE_KEY, when set to something else than P:SITE:requests
    dupefilter_key: str | None = None  # SCHEDULER_DUPEFILTER_KEY, when set to something else than P:SITE:dupefilter

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.site}"

    @property
    def queue(self) -> str:
        return self.queue_key or f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return self.dupefilter_key or f"{self.base}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def seq(self) -> str:
        return f"{self.base}:seq"

    def alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"
