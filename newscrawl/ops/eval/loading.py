"""The pages of an evaluation folder, and the group (source) each belongs to."""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path


def load_pages(directory: str | os.PathLike) -> list[dict]:
    """Return ``[{"name", "html_path", "expected"}]`` for the pages of ``directory``.

    The pages are those of ``DIR/index.json`` (``{"pages": [...]}`` or a list),
    else every ``*.json`` with a ``.html.gz`` / ``.html`` beside it.
    """
    base = Path(directory)
    index = base / "index.json"
    names: list[str] = []
    if index.is_file():
        with open(index, encoding="utf-8") as fh:
            data = json.load(fh)
        names = list(data.get("pages", []) if isinstance(data, dict) else data)
    else:
        for path in sorted(base.rglob("*.json")):
            stem = str(path.relative_to(base))[: -len(".json")]
            if (base / (stem + ".html.gz")).is_file() or (base / (stem + ".html")).is_file():
                names.append(stem)
    pages = []
    for name in names:
        json_path = base / (name + ".json")
        html_path = base / (name + ".html.gz")
        if not html_path.is_file():
            html_path = base / (name + ".html")
        if not (json_path.is_file() and html_path.is_file()):
            continue
        with open(json_path, encoding="utf-8") as fh:
            expected = json.load(fh)
        pages.append({"name": name, "html_path": html_path, "expected": expected})
    return pages


def read_html(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data


GROUPINGS = ("auto", "folder", "publisher")


def group_of(name: str, expected: dict, by: str = "auto") -> str:
    """The group of pages of the same source a page belongs to.

    ``folder``: the first part of its name (extraction-open2's ``<source>/``,
    extraction-open's country). ``publisher``: the expected JSON's
    ``publisher`` (extraction-open gives one: pages of the same publisher share
    their markup). ``auto``: the publisher when the page names one, else the folder.
    """
    folder = name.split("/", 1)[0] if "/" in name else "."
    publisher = expected.get("publisher")
    if by == "folder" or not isinstance(publisher, str) or not publisher:
        return folder
    return publisher
