"""A writable copy of a fixture site, with the edits cron tests make between runs."""
from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

from tests.support.fixtures import fixture_site_dir

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
TEMPLATE = "/thoi-su/trao-hoc-bong-cho-sinh-vien-co-hoan-canh-kho-khan-140412"


class SiteCopy:
    def __init__(self, dest: Path, site: str = "tuyengiao"):
        self.root = Path(dest)
        shutil.copytree(fixture_site_dir(site), self.root)

    def file(self, path: str) -> Path:
        return self.root / (path.lstrip("/") + ".html")

    @staticmethod
    def date_line(when: datetime) -> str:
        return f"{WEEKDAYS[when.weekday()]}, {when.day}/{when.month}/{when.year} {when:%H:%M}&#x27;(GMT+7)"

    def add_article(self, path: str, title: str, published: datetime, paragraphs: list[str]) -> None:
        """A new article in the template's markup (its own title, date and body), linked first on its
        section's first listing page."""
        html = self.file(TEMPLATE).read_text(encoding="utf-8")
        old_title = re.search(r'<h1 class="title">(.*?)</h1>', html).group(1)
        html = html.replace(old_title, title).replace(TEMPLATE, path)
        html = re.sub(r'<div class="date-time">.*?</div>', f'<div class="date-time">{self.date_line(published)}</div>', html)
        html = re.sub(r'<p style="text-align: justify;">.*?</p>\s*', "", html, flags=re.S)
        body = "".join(f'<p style="text-align: justify;">{p}</p>\n' for p in paragraphs)
        html = html.replace('<p style="text-align: right;">', body + '<p style="text-align: right;">', 1)
        self.file(path).write_text(html, encoding="utf-8")
        section = path.strip("/").split("/")[0]
        listing = self.root / section / "index.html"
        entry = (f'<div class="item"><h3><a href="{path}">{title}</a></h3>'
                 f'<span class="date">{published.day}/{published.month}/{published.year}</span></div>')
        text = listing.read_text(encoding="utf-8").replace('<div class="list-news">', f'<div class="list-news">\n      {entry}', 1)
        listing.write_text(text, encoding="utf-8")

    def edit_paragraph(self, path: str, old: str, new: str) -> None:
        file = self.file(path)
        html = file.read_text(encoding="utf-8")
        assert old in html, f"{old!r} not in {path}"
        file.write_text(html.replace(old, new), encoding="utf-8")

    def all_articles(self):
        for file in self.root.glob("*/*-[0-9]*.html"):
            yield file

    def break_bylines(self) -> int:
        """Every article's trailing byline moves out of the body into a box the site file does not know."""
        changed = 0
        for file in self.all_articles():
            html = file.read_text(encoding="utf-8")
            new = re.sub(r'<p style="text-align: right;"><strong>(.*?)</strong></p>', r"", html)
            new = re.sub(r'(<div class="tool-bar">)', r'<div class="tac-gia">Phóng viên</div>\1', new) if new != html else new
            if new != html:
                file.write_text(new, encoding="utf-8")
                changed += 1
        return changed
