"""What operators run around crawls: the CLI, locks, exports, reports, evaluation, the demo."""
