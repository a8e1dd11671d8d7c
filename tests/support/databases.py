"""Databases for tests and benchmarks (not shipped: tests/support/, not newscrawl/).

PostgreSQL: a throw-away database per test module, created through an
AUTOCOMMIT connection to the admin database (``NEWSCRAWL_TEST_PG_URL``,
default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and dropped
afterwards, so test runs never collide.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from newscrawl.model.item import ITEM_SCHEMA_VERSION
from newscrawl.storage.schema import metadata

PG_ADMIN_URL = os.environ.get("NEWSCRAWL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_unavailable(admin_url: str = PG_ADMIN_URL) -> str | None:
    """``None`` when PostgreSQL answers at ``admin_url``, else the reason (for ``pytest.skip``)."""
    engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        safe = make_url(admin_url).render_as_string(hide_password=True)
        return f"PostgreSQL not reachable at {safe}: {first_line}"
    finally:
        engine.dispose()


@contextmanager
def temporary_postgres_database(admin_url: str = PG_ADMIN_URL, prefix: str = "nc_") -> Iterator[str]:
    """Create a fresh database, yield its URL, drop it (terminating leftover sessions) afterwards."""
    name = f"{prefix}{secrets.token_hex(6)}"  # [a-z0-9_] only: safe to put in DDL
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def reset_database(db_url: str) -> None:
    """Drop every newscrawl table (the next store open recreates them)."""
    engine = create_engine(db_url)
    try:
        metadata.drop_all(engine)
    finally:
        engine.dispose()


def terminate_other_backends(db_url: str) -> int:
    """Kill every other session on the PostgreSQL database of ``db_url``; return how many."""
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        engine.dispose()


def make_item(
    url: str,
    title: str,
    body: list[str],
    *,
    site: str = "example",
    published: str | None = "2024-03-13T14:31:00+07:00",
    modified: str | None = None,
    **fields,
):
    """An article item as the spider would hand it to the pipelines (ArticleItem when available)."""
    from newscrawl.storage.articles import fallback_content_hash as _fallback_content_hash

    data = {
        "url": url,
        "canonical_url": url,
        "site": site,
        "section": "Kinh tế",
        "title": title,
        "lead": None,
        "published": published,
        "modified": modified,
        "authors": ["Minh Anh"],
        "authors_raw": ["MINH ANH"],
        "source": "TTXVN",
        "captions": [{"text": "Ảnh minh họa", "image_url": url + "/anh.jpg", "credit": "Ảnh: TTXVN"}],
        "body": list(body),
        # As the extractor gives them for a page without sub-headings: the body's paragraphs, typed.
        "blocks": [{"type": "paragraph", "text": paragraph} for paragraph in body],
        "tags": ["kinh tế", "xuất khẩu"],
        "images": [url + "/anh.jpg"],
        "language": "vi",
        "crawled_at": datetime.now(timezone.utc).isoformat(),
        "content_hash": None,
        "extraction": {"title": "site", "body": "generic"},
        "missing": [],
        "duplicate_of": None,
        "version": 1,
        "schema_version": ITEM_SCHEMA_VERSION,
    }
    data.update(fields)
    if not data["content_hash"]:
        data["content_hash"] = _fallback_content_hash(data["title"], data["body"])
    try:
        from newscrawl.model.item import ArticleItem
    except ImportError:  # pragma: no cover
        return data
    return ArticleItem(**data)


# Common Vietnamese syllables, for generated article text in tests and benchmarks.
_SYLLABLES = (
    "các những người dân thành phố tỉnh huyện xã năm tháng ngày nay đã đang sẽ được cho với trong ngoài "
    "kinh tế xã hội chính phủ quốc hội bộ trưởng chủ tịch phó ủy ban nhân dân hội nghị kế hoạch dự án "
    "phát triển đầu tư xây dựng giao thông đường bộ cao tốc cầu cảng sân bay điện nước môi trường "
    "giáo dục học sinh sinh viên trường đại học y tế bệnh viện bác sĩ sức khỏe dịch bệnh vắc xin "
    "nông nghiệp lúa gạo cà phê hồ tiêu thủy sản xuất khẩu nhập khẩu doanh nghiệp thị trường giá "
    "tăng giảm triệu tỷ đồng phần trăm so với cùng kỳ quý đầu cuối tiếp tục thực hiện triển khai "
    "theo báo cáo cho biết nhấn mạnh đề nghị yêu cầu cơ quan chức năng địa phương trung ương "
    "Hà Nội Thành phố Hồ Chí Minh Đà Nẵng Cần Thơ Hải Phòng miền Bắc miền Trung miền Nam Tây Nguyên "
    "mưa bão lũ lụt sạt lở nắng nóng hạn mặn khí tượng thủy văn cảnh báo người dân di dời an toàn "
    "công an điều tra vụ việc xử lý vi phạm pháp luật tòa án xét xử bị cáo luật sư "
    "văn hóa du lịch lễ hội di sản nghệ thuật thể thao bóng đá đội tuyển giải đấu trận huấn luyện viên "
    "công nghệ chuyển đổi số dữ liệu trí tuệ nhân tạo điện thoại ứng dụng mạng internet an ninh"
).split()


def vietnamese_text(seed: int, words: int = 400, paragraph_words: int = 60) -> list[str]:
    """Deterministic Vietnamese-looking paragraphs, ``words`` syllables in all.

    Texts of different seeds share almost no 3-shingles.
    """
    import random

    rng = random.Random(seed)
    paragraphs, sentence, paragraph = [], [], []
    for i in range(words):
        sentence.append(rng.choice(_SYLLABLES))
        if len(sentence) >= rng.randint(12, 22) or i == words - 1:
            text = " ".join(sentence)
            paragraph.append(text[0].upper() + text[1:] + ".")
            sentence = []
            if sum(len(s.split()) for s in paragraph) >= paragraph_words or i == words - 1:
                paragraphs.append(" ".join(paragraph))
                paragraph = []
    return paragraphs
