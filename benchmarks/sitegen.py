"""A big generated news site in the markup of the tuyengiao fixture, served fast from memory.

Nothing is written to disk: every page is rendered on request from (seed, article index),
so a 5,000-article site costs no files and little memory. The markup is the 2024 detail
layout of tuyengiao.vn as the bundled fixture (fixtures/tuyengiao) has it: breadcrumb,
``div.detail`` with ``div.date-time``, ``h1.title``, ``div.detail-content`` (paragraphs,
``table.image`` captions, the byline right-aligned and bold on the last line), the tool
bar, comment box, "Các tin khác", the right column with "Mới nhất" and "Đọc nhiều", and
the footer, with an inline ad and analytics configuration script and a footer site map.
Article texts are invented Vietnamese sentences, 3-8 paragraphs (300-800 words, median
about 580, as the real articles of ../shared/realpages), 27-35 KB a page (theirs: median 28 KB).

Layout of the site (``GeneratedSite(articles=N)``):
  /robots.txt                      Allow everything
  /                                home, links the section listings
  /<section>, /<section>/trang-K   listings, ``per_page`` articles each, newest first,
                                   ``div.paging a.next`` to the next page
  /<section>/<slug>-<id>           article pages (articles alternate between the two sections)
  anything else                    404

Used by benchmarks/crawl_throughput.py (``python benchmarks/sitegen.py serve``: stdlib only, runs as a script) and by
tests/support/faultserver.py (``GeneratedSite.article`` gives the expected fields of a page).

Run a server:  python benchmarks/sitegen.py serve --articles 5000 [--port 0] [--seed 7] [--paragraphs 3,8]
It prints ``READY http://127.0.0.1:PORT`` on stdout once it listens. ``GET /__stats__``
returns the request counts by kind as JSON (the path is not linked from any page).
"""
from __future__ import annotations

import argparse
import asyncio
import html
import json
import random
import re
import signal
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SECTIONS = (("tuyen-giao-cac-cap", "Tuyên giáo các cấp"), ("thoi-su", "Thời sự"))
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
NEWEST = datetime(2025, 6, 30, 17, 45)

PROVINCES = (
    "Hà Giang", "Cao Bằng", "Lào Cai", "Yên Bái", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang",
    "Phú Thọ", "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hưng Yên", "Thái Bình", "Nam Định", "Ninh Bình",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Quảng Nam",
    "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai",
    "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh", "Bình Dương", "Đồng Nai",
    "Bà Rịa - Vũng Tàu", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp",
    "An Giang", "Kiên Giang", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau", "Sơn La", "Điện Biên",
)
BODIES = (
    "Ban Tuyên giáo Tỉnh ủy {p}", "Ủy ban nhân dân tỉnh {p}", "Sở Văn hóa, Thể thao và Du lịch {p}",
    "Hội Nông dân tỉnh {p}", "Tỉnh đoàn {p}", "Hội Liên hiệp Phụ nữ tỉnh {p}", "Trường Chính trị tỉnh {p}",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh {p}", "Hội đồng nhân dân tỉnh {p}", "Đảng ủy Khối cơ quan tỉnh {p}",
    "Sở Giáo dục và Đào tạo {p}", "Sở Thông tin và Truyền thông {p}",
)
ACTIONS = (
    "tổ chức hội nghị", "triển khai kế hoạch", "phát động phong trào thi đua", "sơ kết công tác",
    "tổng kết hoạt động", "ký kết chương trình phối hợp", "khai mạc lớp tập huấn", "mở đợt tuyên truyền",
    "kiểm tra tiến độ thực hiện", "đối thoại với nhân dân", "tọa đàm chuyên đề", "giao ban trực tuyến",
)
TOPICS = (
    "về chuyển đổi số trong cơ quan nhà nước", "về xây dựng nông thôn mới nâng cao", "về công tác tuyên truyền miệng",
    "về bảo vệ môi trường và ứng phó biến đổi khí hậu", "về phòng, chống thiên tai", "về phát triển du lịch cộng đồng",
    "về giảm nghèo bền vững", "về cải cách thủ tục hành chính", "về giáo dục nghề nghiệp cho thanh niên",
    "về chăm sóc sức khỏe ban đầu", "về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "về bảo tồn di sản văn hóa các dân tộc", "về an toàn giao thông", "về phòng, chống tảo hôn",
    "về nắm bắt dư luận xã hội", "về xây dựng văn hóa đọc", "về chính sách đối với người có công",
)
OPENERS = ("Sáng {d}/{m}", "Chiều {d}/{m}", "Ngày {d}/{m}", "Tối {d}/{m}", "Trong hai ngày {d} và {d2}/{m}",
           "Từ đầu năm đến nay", "Trong quý {q}", "Thời gian qua", "Theo báo cáo")
CLAUSES = (
    "với sự tham gia của {n} đại biểu đến từ các sở, ban, ngành và địa phương",
    "nhằm nâng cao nhận thức của cán bộ, đảng viên và nhân dân",
    "góp phần thúc đẩy phát triển kinh tế - xã hội của địa phương",
    "qua đó khơi dậy tinh thần đoàn kết, tương thân tương ái trong cộng đồng",
    "đồng thời tăng cường kiểm tra, giám sát việc thực hiện ở cơ sở",
    "thu hút hơn {n} lượt người tham gia trên các nền tảng số",
    "với tổng kinh phí gần {k} tỷ đồng từ ngân sách và nguồn xã hội hóa",
    "tại {k} điểm cầu các huyện, thị xã, thành phố",
    "trong đó có {k} mô hình được đánh giá hiệu quả, cần nhân rộng",
    "bảo đảm thiết thực, tiết kiệm và đúng quy định",
)
FOLLOWUPS = (
    "Phát biểu tại {ev}, lãnh đạo {b} đề nghị các đơn vị tiếp tục đổi mới nội dung, phương thức thực hiện.",
    "Các đại biểu đã thảo luận, chia sẻ kinh nghiệm và đề xuất {k} nhóm giải pháp trọng tâm cho thời gian tới.",
    "Theo {b}, kết quả đạt được năm nay cao hơn cùng kỳ năm trước khoảng {k} phần trăm.",
    "Nhiều ý kiến cho rằng cần quan tâm hơn nữa tới vùng sâu, vùng xa và vùng đồng bào dân tộc thiểu số.",
    "Dịp này, {k} tập thể và {n2} cá nhân có thành tích xuất sắc được nhận Bằng khen.",
    "Người dân xã {x} phấn khởi khi những kiến nghị về đường giao thông, nước sạch được giải quyết kịp thời.",
    "Ông {name}, Bí thư Chi bộ thôn {x}, cho biết bà con đồng thuận cao với chủ trương mới.",
    "Bà {name}, một hội viên lâu năm, chia sẻ rằng các buổi sinh hoạt chuyên đề ngày càng gần gũi, dễ hiểu.",
    "Kế hoạch sẽ được triển khai đến hết năm {y}, có sơ kết, rút kinh nghiệm sau mỗi giai đoạn.",
)
EVENTS = ("hội nghị", "buổi làm việc", "lễ phát động", "buổi tọa đàm", "chương trình", "lễ ký kết")
COMMUNES = ("Tân Hóa", "Lũng Cú", "Phìn Hồ", "Mường Phăng", "Quảng Phú", "Nghĩa Đô", "Tà Xùa", "Ea Kao",
            "Đắk Tô", "Hòa Bình", "Trà Cổ", "Vĩnh Thạnh", "Cồn Sơn", "Ngọc Chiến", "Bản Giốc")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Hữu", "Quang", "Thu", "Xuân")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hằng", "Hùng", "Lan", "Linh", "Long", "Mai",
         "Nam", "Nga", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến")
CAPTION_LEADS = ("Quang cảnh {ev}.", "Các đại biểu dự {ev}.", "Lãnh đạo {b} phát biểu tại {ev}.",
                 "Trao Bằng khen cho các tập thể có thành tích xuất sắc.", "Người dân xã {x} tham gia {ev}.")


def slugify(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def weekday(d: datetime) -> str:
    return WEEKDAYS[d.weekday()]


# What real news pages carry besides the article, at their size: an inline script of ad
# slots and analytics settings, and a footer site map. With them a generated page weighs
# what the real ones of ../shared/realpages do (median 28 KB of HTML).
SITE_CONFIG_SCRIPT = "<script>window.__SITE_CONFIG__ = {\"slots\": [" + ", ".join(
    f'{{"id": "div-gpt-ad-{k}", "path": "/2283/tuyengiao/{SECTIONS[k % 2][0]}/{k}", '
    f'"sizes": [[300, 250], [728, 90], [320, 50]], "refresh": {30 + k % 5 * 10}, "lazy": {str(k > 3).lower()}}}'
    for k in range(90)) + "], \"analytics\": {\"ga\": \"G-TGVN2024\", \"consent\": \"default\"}};</script>\n"
SITE_MAP = ('<div class="site-map"><h3>Tuyên giáo các địa phương</h3><ul>'
            + "".join(f'<li><a href="/dia-phuong/{slugify(p)}">Tuyên giáo {esc(p)}</a></li>' for p in PROVINCES)
            + "</ul></div>\n")


@dataclass(frozen=True)
class Article:
    index: int
    id: int
    section: str
    section_name: str
    title: str
    slug: str
    published: datetime
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    author: str

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.slug}-{self.id}"

    @property
    def published_iso(self) -> str:
        return self.published.strftime("%Y-%m-%dT%H:%M:00+07:00")


@dataclass
class GeneratedSite:
    """A deterministic news site of ``articles`` article pages (seeded)."""

    articles: int = 5000
    seed: int = 7
    per_page: int = 20
    # Paragraphs per article (each 2-5 sentences, about 100 words): 3-8 gives a body of
    # 300-800 words, median about 580, as the real Vietnamese articles of
    # ../shared/realpages have (median 530 words, largest 721).
    paragraphs: tuple[int, int] = (3, 8)
    _paths: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.articles < 1:
            raise ValueError("articles must be >= 1")
        # Article i is in section i % 2; its id grows with i, so newer articles (smaller i) have bigger ids.
        self._by_section = {sec: [i for i in range(self.articles) if i % len(SECTIONS) == k]
                            for k, (sec, _) in enumerate(SECTIONS)}
        self._cache: dict = {}
        self._metas = [self._meta(i) for i in range(self.articles)]
        self._paths = {self.path(i): i for i in range(self.articles)}

    # -- data
    def article_id(self, i: int) -> int:
        return 100000 + (self.articles - i) * 13 + (self.seed * 7 + i) % 11

    def _meta(self, i: int) -> tuple:
        """Section, id, title, slug, publish time and author of article ``i`` (cheap: no body text)."""
        rnd = random.Random(self.seed * 1_000_003 + i)
        sec, sec_name = SECTIONS[i % len(SECTIONS)]
        when = NEWEST - timedelta(minutes=97 * i + rnd.randrange(0, 60))
        prov = rnd.choice(PROVINCES)
        title = f"{prov}: {rnd.choice(ACTIONS).capitalize()} {rnd.choice(TOPICS)} năm {when.year}"
        if rnd.random() < 0.3:
            title += f" tại xã {rnd.choice(COMMUNES)}"
        family = rnd.choice(FAMILY) if rnd.random() < 0.5 else rnd.choice(MIDDLE)
        author = f"{family} {rnd.choice(GIVEN)}"
        return sec, sec_name, self.article_id(i), title, slugify(title), when, author, prov

    def article(self, i: int) -> Article:
        """Article ``i`` (0 = newest) with its full text; the last 256 are kept."""
        cached = self._cache.get(i)
        if cached is not None:
            return cached
        sec, sec_name, aid, title, slug, when, author, prov = self._metas[i]
        rnd = random.Random((self.seed * 1_000_003 + i) * 31 + 17)
        body = rnd.choice(BODIES).format(p=prov)
        n_paras = rnd.randint(*self.paragraphs)
        paragraphs = tuple(self._paragraph(rnd, when, body, first=(k == 0)) for k in range(n_paras))
        captions = tuple(rnd.choice(CAPTION_LEADS).format(ev=rnd.choice(EVENTS), b=body, x=rnd.choice(COMMUNES))
                         for _ in range(rnd.randint(0, 3)))
        a = Article(i, aid, sec, sec_name, title, slug, when, paragraphs, tuple(dict.fromkeys(captions)), author)
        if len(self._cache) >= 256:
            self._cache.pop(next(iter(self._cache)))
        self._cache[i] = a
        return a

    def title(self, i: int) -> str:
        return self._metas[i][3]

    def path(self, i: int) -> str:
        m = self._metas[i]
        return f"/{m[0]}/{m[4]}-{m[2]}"

    @staticmethod
    def _paragraph(rnd: random.Random, when: datetime, body: str, first: bool) -> str:
        sentences = []
        for _ in range(rnd.randint(2, 5)):
            if first or rnd.random() < 0.5:
                opener = rnd.choice(OPENERS).format(d=when.day, d2=min(when.day + 1, 28), m=when.month,
                                                    q=(when.month - 1) // 3 + 1)
                who = body if first or rnd.random() < 0.5 else rnd.choice(BODIES).format(p=rnd.choice(PROVINCES))
                clause = rnd.choice(CLAUSES).format(n=rnd.randint(50, 5000), k=rnd.randint(2, 60))
                sentences.append(f"{opener}, {who} {rnd.choice(ACTIONS)} {rnd.choice(TOPICS)}, {clause}.")
                first = False
            else:
                name = f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
                sentences.append(rnd.choice(FOLLOWUPS).format(
                    ev=rnd.choice(EVENTS), b=body, k=rnd.randint(2, 40), n2=rnd.randint(5, 90),
                    x=rnd.choice(COMMUNES), name=name, y=when.year + rnd.randint(0, 2)))
        return " ".join(sentences)

    def article_by_path(self, path: str) -> Article | None:
        i = self._paths.get(path.rstrip("/"))
        return None if i is None else self.article(i)

    def article_paths(self) -> list[str]:
        return list(self._paths)

    def pages(self, section: str) -> int:
        return max(1, -(-len(self._by_section[section]) // self.per_page))

    def listing_paths(self) -> list[str]:
        return [self.listing_path(sec, n) for sec, _ in SECTIONS for n in range(1, self.pages(sec) + 1)]

    @staticmethod
    def listing_path(section: str, n: int) -> str:
        return f"/{section}" if n == 1 else f"/{section}/trang-{n}"

    # -- markup
    def _head(self, title: str, desc: str, canonical: str, og_type: str, og_image: str | None = None) -> str:
        image = f'<meta property="og:image" content="https://tuyengiao.vn{og_image}"/>\n' if og_image else ""
        return ('<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8"/>\n'
                f"<title>{esc(title)} - Tuyên giáo</title>\n"
                f'<meta name="description" content="{esc(desc)}"/>\n'
                f'<meta property="og:title" content="{esc(title)}"/>\n'
                f'<meta property="og:url" content="https://tuyengiao.vn{canonical}"/>\n'
                f'<meta property="og:type" content="{og_type}"/>\n{image}'
                f'<link rel="canonical" href="https://tuyengiao.vn{canonical}"/>\n'
                '<link rel="stylesheet" href="/Content/site.css"/>\n'
                "<script>var _today = new Date(); window.dataLayer = window.dataLayer || [];"
                "function gtag(){dataLayer.push(arguments);} gtag('js', new Date());</script>\n"
                f"{SITE_CONFIG_SCRIPT}"
                "<style>.detail-content p{line-height:1.5}.box ul li{margin:2px 0}</style>\n</head>\n")

    def _header(self, today: datetime, active: str) -> str:
        menu = [("/", "Trang chủ")] + [(f"/{s}", n) for s, n in SECTIONS] + [
            ("/bao-ve-nen-tang-tu-tuong-cua-dang", "Bảo vệ nền tảng tư tưởng của Đảng"),
            ("/van-hoa-xa-hoi", "Văn hóa - Xã hội"), ("/kinh-te", "Kinh tế"), ("/quoc-te", "Quốc tế")]
        active_cls = ' class="active"'
        items = "\n".join(f'    <li{active_cls if href == active else ""}><a href="{href}">{esc(name)}</a></li>'
                          for href, name in menu)
        return ("<body>\n<div id=\"header\">\n"
                f'  <div class="top-bar"><span class="today">{weekday(today)}, {today.day}/{today.month}/{today.year}</span>\n'
                '    <a href="/dang-nhap">Đăng nhập</a> | <a href="/rss">RSS</a></div>\n'
                '  <div class="logo"><a href="/"><img src="/Content/images/logo.png" alt="Tuyên giáo"/></a></div>\n'
                f'  <ul class="main-menu">\n{items}\n  </ul>\n</div>\n')

    def _sidebar(self, exclude: int | None = None) -> str:
        latest = [k for k in range(min(self.articles, 12)) if k != exclude][:10]
        popular = [k for k in range(self.articles - 1, max(-1, self.articles - 12), -1) if k != exclude][:8]

        def links(ks):
            return "".join(f'<li><a href="{self.path(k)}">{esc(self.title(k))}</a></li>' for k in ks)

        return ('  <div class="col-right">\n'
                '    <div class="box"><h3 class="title-box">Thư viện ảnh</h3><a href="/thu-vien-anh">'
                '<img src="/Uploads/album/1.jpg" alt=""/></a></div>\n'
                '    <div class="box"><h3 class="title-box">Liên kết website</h3><select><option>dangcongsan.vn</option>'
                "<option>nhandan.vn</option><option>tapchicongsan.org.vn</option><option>baochinhphu.vn</option></select></div>\n"
                f'    <div class="box latest"><h3 class="title-box">Mới nhất</h3>\n      <ul>{links(latest)}</ul></div>\n'
                f'    <div class="box popular"><h3 class="title-box">Đọc nhiều</h3>\n      <ul>{links(popular)}</ul></div>\n'
                "  </div>\n</div>\n")

    FOOTER = (SITE_MAP + '<div id="footer"><p>Cơ quan chủ quản: Ban Tuyên giáo Trung ương</p>'
              "<p>Giấy phép số 2283/GP-BTTTT do Bộ Thông tin và Truyền thông cấp. Địa chỉ: 2 Hoàng Văn Thụ, Ba Đình, Hà Nội."
              " Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></div>\n</body>\n</html>\n")

    @staticmethod
    def image_path(a: Article, k: int) -> str:
        d = a.published
        stem = "-".join(a.slug.split("-")[:3])
        return f"/Uploads/{d.year}/{d.month}/{d.day}/{k}-{stem}.jpg"

    @staticmethod
    def date_line(a: Article) -> str:
        d = a.published
        return f"{weekday(d)}, {d.day}/{d.month}/{d.year} {d:%H:%M}&#x27;(GMT+7)"

    def article_html(self, a: Article) -> str:
        out = [self._head(a.title, a.paragraphs[0][:240], a.path, "article",
                          self.image_path(a, 1) if a.captions else None)]
        out.append(self._header(a.published + timedelta(days=2 + a.id % 29), f"/{a.section}"))
        out.append('<div id="content" class="container">\n  <div class="col-main">\n'
                   f'    <div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; '
                   f'<a class="cate" href="/{a.section}">{esc(a.section_name)}</a></div>\n'
                   '    <div class="detail">\n'
                   f'      <div class="date-time">{self.date_line(a)}</div>\n'
                   f'      <h1 class="title">{esc(a.title)}</h1>\n'
                   '      <div class="detail-content">\n')
        n = len(a.paragraphs)
        at = {(k * n) // max(1, len(a.captions)): k for k in range(len(a.captions))}
        for i, p in enumerate(a.paragraphs):
            if i in at:
                k = at[i]
                t = esc(a.captions[k])
                out.append(f'<table class="image" align="center"><tbody><tr><td><img alt="{t}" src="{self.image_path(a, k + 1)}"'
                           f' width="640"/></td></tr><tr><td class="image_desc"><p>{t}</p></td></tr></tbody></table>\n')
            out.append(f'<p style="text-align: justify;">{esc(p)}</p>\n')
        out.append(f'<p style="text-align: right;"><strong>{esc(a.author)}</strong></p>\n      </div>\n')
        out.append('      <div class="tool-bar"><a href="#" class="print">In bài viết</a> <a href="#" class="email">Gửi email</a></div>\n'
                   '      <div class="box-comment">\n        <h3 class="title-box">Phản hồi</h3>\n'
                   '        <form action="/binh-luan" method="post"><textarea name="noidung"></textarea>'
                   '<input type="submit" value="Gửi"/></form>\n      </div>\n'
                   '      <div class="other-news">\n        <h3 class="title-box">Các tin khác</h3>\n        <ul>\n')
        for k in range(a.index + 2, min(self.articles, a.index + 12), 2):  # older stories of the same section
            when = self._metas[k][5]
            out.append(f'          <li><a href="{self.path(k)}">{esc(self.title(k))}</a> <span>({when.day}/{when.month}/{when.year})</span></li>\n')
        out.append("        </ul>\n      </div>\n    </div>\n  </div>\n")
        out.append(self._sidebar(exclude=a.index))
        out.append(self.FOOTER)
        return "".join(out)

    def listing_html(self, section: str, n: int) -> str:
        name = dict(SECTIONS)[section]
        pages = self.pages(section)
        chunk = self._by_section[section][(n - 1) * self.per_page: n * self.per_page]
        title = name if n == 1 else f"{name} - Trang {n}"
        out = [self._head(title, f"Tin tức {name} - Tuyên giáo", self.listing_path(section, n), "website")]
        out.append(self._header(NEWEST, f"/{section}"))
        out.append('<div id="content" class="container">\n  <div class="col-main">\n'
                   f'    <div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a class="cate" href="/{section}">{esc(name)}</a></div>\n'
                   f'    <h1 class="cate-title">{esc(name)}</h1>\n    <div class="list-news">\n')
        for pos, i in enumerate(chunk):
            a = self.article(i)
            featured = n == 1 and pos == 0
            img = (f'<a href="{a.path}"><img src="{self.image_path(a, 1)}" alt="{esc(a.title)}"/></a>'
                   if featured and a.captions else "")
            sapo = a.paragraphs[0].split(". ")[0].rstrip(".") + "."
            cls = "item featured" if featured else "item"
            out.append(f'      <div class="{cls}">{img}<h3><a href="{a.path}">{esc(a.title)}</a></h3>'
                       f'<span class="date">{a.published.day}/{a.published.month}/{a.published.year}</span>'
                       f'<p class="sapo">{esc(sapo)}</p></div>\n')
        out.append("    </div>\n")
        links = []
        if n > 1:
            links.append(f'<a class="prev" href="{self.listing_path(section, n - 1)}">Trang trước</a>')
        for k in range(max(1, n - 3), min(pages, n + 3) + 1):
            links.append(f'<span class="current">{k}</span>' if k == n else f'<a href="{self.listing_path(section, k)}">{k}</a>')
        if n < pages:
            links.append(f'<a class="next" href="{self.listing_path(section, n + 1)}">Trang sau</a>')
        out.append('    <div class="paging">' + " ".join(links) + "</div>\n  </div>\n")
        out.append(self._sidebar())
        out.append(self.FOOTER)
        return "".join(out)

    def home_html(self) -> str:
        inner = "".join(f'    <div class="box-cate"><h2 class="title-cate"><a href="/{s}">{esc(n)}</a></h2>'
                        f'<a class="more" href="/{s}">Xem thêm</a></div>\n' for s, n in SECTIONS)
        return (self._head("Trang chủ", "Tuyên giáo", "/", "website") + self._header(NEWEST, "/")
                + '<div id="content" class="container">\n  <div class="col-main">\n' + inner + "  </div>\n"
                + self._sidebar() + self.FOOTER)

    # -- routing
    _LISTING = re.compile(r"^/([a-z0-9-]+)(?:/trang-(\d+))?/?$")

    def kind(self, path: str) -> str:
        """'article', 'listing', 'robots', 'home' or 'other' for a request path (query ignored)."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path in self._paths:
            return "article"
        if path == "/robots.txt":
            return "robots"
        if path in ("/", ""):
            return "home"
        m = self._LISTING.match(path)
        if m and m.group(1) in dict(SECTIONS) and 1 <= int(m.group(2) or 1) <= self.pages(m.group(1)):
            return "listing"
        return "other"

    def render(self, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET of ``path``."""
        clean = path.split("?", 1)[0].split("#", 1)[0]
        kind = self.kind(clean)
        if kind == "article":
            return 200, "text/html; charset=utf-8", self.article_html(self.article_by_path(clean)).encode("utf-8")
        if kind == "listing":
            m = self._LISTING.match(clean)
            return 200, "text/html; charset=utf-8", self.listing_html(m.group(1), int(m.group(2) or 1)).encode("utf-8")
        if kind == "robots":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
        if kind == "home":
            return 200, "text/html; charset=utf-8", self.home_html().encode("utf-8")
        return 404, "text/html; charset=utf-8", b"<html><body><h1>404 Not Found</h1></body></html>"


# ---------------------------------------------------------------------------
# a small, fast HTTP/1.1 server (asyncio, keep-alive, GET/HEAD only)
# ---------------------------------------------------------------------------
REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request"}


class _HttpProtocol(asyncio.Protocol):
    def __init__(self, site: GeneratedSite, counts: dict, latency: float = 0.0):
        self.site, self.counts, self.buf, self.transport = site, counts, b"", None
        self.latency = latency  # seconds added before each page is sent, like a distant server

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes):
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            try:
                method, target, _version = lines[0].decode("latin-1").split(" ", 2)
            except ValueError:
                self._send(400, "text/plain", b"bad request", close=True)
                return
            close = any(line.lower().startswith(b"connection:") and b"close" in line.lower() for line in lines[1:])
            if target == "/__stats__":
                self._send(200, "application/json", json.dumps(self.counts).encode(), close)
                continue
            if method not in ("GET", "HEAD"):
                self._send(405, "text/plain", b"method not allowed", close)
                continue
            status, ctype, body = self.site.render(target)
            kind = self.site.kind(target)
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.counts["bytes"] = self.counts.get("bytes", 0) + len(body)
            if self.latency:
                asyncio.get_running_loop().call_later(
                    self.latency, self._send, status, ctype, b"" if method == "HEAD" else body, close, len(body))
            else:
                self._send(status, ctype, b"" if method == "HEAD" else body, close, length=len(body))
            if close:
                return

    def _send(self, status: int, ctype: str, body: bytes, close: bool, length: int | None = None):
        if self.transport.is_closing():
            return
        head = (f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body) if length is None else length}\r\n"
                f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n").encode("latin-1")
        self.transport.write(head + body)
        if close:
            self.transport.close()


async def serve(site: GeneratedSite, host: str = "127.0.0.1", port: int = 0, ready=None, latency: float = 0.0):
    counts: dict = {}
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _HttpProtocol(site, counts, latency), host, port, backlog=512)
    bound = server.sockets[0].getsockname()[1]
    if ready:
        ready(f"http://{host}:{bound}")
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


DEFAULT_PARAGRAPHS = ",".join(map(str, GeneratedSite.paragraphs))  # "3,8", as a command-line value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve a generated site on 127.0.0.1")
    s.add_argument("--articles", type=int, default=5000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--per-page", type=int, default=20)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--latency-ms", type=float, default=0.0, help="delay before each page is sent")
    st = sub.add_parser("stats", help="print page sizes and body lengths of a generated site")
    st.add_argument("--articles", type=int, default=5000)
    st.add_argument("--seed", type=int, default=7)
    for p in (s, st):
        p.add_argument("--paragraphs", default=DEFAULT_PARAGRAPHS,
                       help=f"MIN,MAX paragraphs per article (default {DEFAULT_PARAGRAPHS})")
    args = parser.parse_args(argv)
    low, high = (int(x) for x in args.paragraphs.split(","))
    site = GeneratedSite(articles=args.articles, seed=args.seed, paragraphs=(low, high),
                         **({"per_page": args.per_page} if args.cmd == "serve" else {}))
    if args.cmd == "stats":
        sizes = sorted(len(site.render(p)[2]) for p in site.article_paths())
        words = sorted(sum(len(p.split()) for p in site.article(i).paragraphs) for i in range(site.articles))
        print(f"articles={len(sizes)} listing_pages={len(site.listing_paths())} "
              f"article bytes min={sizes[0]} median={sizes[len(sizes) // 2]} max={sizes[-1]} total={sum(sizes)} "
              f"body words min={words[0]} median={words[len(words) // 2]} max={words[-1]}")
        return 0
    asyncio.run(serve(site, port=args.port, ready=lambda url: print(f"READY {url}", flush=True),
                      latency=args.latency_ms / 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
