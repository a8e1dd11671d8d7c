"""The project's own Scrapy commands (setting COMMANDS_MODULE): `scrapy crawl` checks its arguments first,
writes the run's last-run.json and exits with the run's status; `scrapy runspider` writes and exits the same
way; `scrapy parse`, `scrapy shell` and `scrapy check` are Scrapy's, except that they are not runs: they
write no `runs` row, run summary or URL state (NEWSCRAWL_RECORD_RUNS)."""
from scrapy.settings import SETTINGS_PRIORITIES


def not_a_run(settings) -> None:
    """Mark the crawl these settings start as no crawl run. A command's ``default_settings`` rank below the
    project's settings.py, so the priority is set as Scrapy's check command sets ITEM_PIPELINES: above the
    spider's custom settings, below the command line (``-s NEWSCRAWL_RECORD_RUNS=1`` still records)."""
    priority = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2
    if (settings.getpriority("NEWSCRAWL_RECORD_RUNS") or 0) < priority:
        settings.set("NEWSCRAWL_RECORD_RUNS", False, priority=priority)
