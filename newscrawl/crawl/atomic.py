"""Files replaced whole: a reader sees the old file or the new one, never half of one (run summaries,
last-run.json, the HTML report)."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def current_umask() -> int:
    """The process umask, read when a file is made (a daemon may set it after this module is imported)
    and without changing it: Linux shows it in /proc/self/status; elsewhere it is set and put back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            umask = next((line.split()[1] for line in status if line.startswith("Umask:")), None)
    except OSError:  # no /proc
        umask = None
    if umask is not None:
        return int(umask, 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    """Replace ``path`` whole: readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # a full disk keeps no half-written summaries
        raise


def write_json_atomic(path: Path, data) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, default=str))
