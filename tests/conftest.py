"""Shared test fixtures: the fixture-site server, crawls through the real `scrapy` command, the schema."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.support.fixtures import FixtureServer, fixture_site_dir
from tests.support.databases import postgres_unavailable, reset_database, temporary_postgres_database

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSCRAWL_SHARED", REPO.parent / "shared"))
BIN = Path(sys.executable).parent


def shared_path(*parts) -> Path:
    """A path under ../shared; skips the test when the shared test data is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the ../shared test data is only on the developers' machines")
    return path


@pytest.fixture(scope="session")
def article_schema():
    # newscrawl's own items are held to the strict form (no unlisted field, this schema_version): what
    # consumers validate with (the published file, open to later 1.x fields) is tested in test_schema_versions.
    from newscrawl.crawl.pipelines.validate import strict_schema

    return Draft202012Validator(strict_schema())


def assert_valid_items(items, validator):
    for item in items:
        errors = sorted(validator.iter_errors(item), key=lambda e: list(e.absolute_path))
        assert not errors, f"{item.get('url')}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def run_scrapy(args: list[str], cwd: Path = REPO, timeout: int = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `scrapy` command of this environment (a fresh reactor per crawl)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(BIN / "scrapy"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def run_newscrawl(args: list[str], cwd: Path = REPO, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "newscrawl"), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def tuyengiao_expected() -> dict:
    return json.loads((REPO / "fixtures" / "tuyengiao" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def tuyengiao_server():
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        yield server


@pytest.fixture(scope="module")
def pg_url():
    """A throw-away PostgreSQL database for the module; skips, saying why, when the server is absent."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """Each test on an empty SQLite file and on an emptied PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/newscrawl.sqlite"
    url = request.getfixturevalue("pg_url")
    reset_database(url)
    return url
