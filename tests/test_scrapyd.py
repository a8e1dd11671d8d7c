"""Deploy to Scrapyd, the service Scrapy users already run spiders on, and run a site's spider there."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import BIN, REPO, read_jsonl

from tests.support.fixtures import FixtureServer, fixture_site_dir

SOURCES = ("newscrawl", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, fields: dict, files: dict | None = None) -> dict:
    boundary = uuid.uuid4().hex
    body = b""
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    for name, (filename, data) in (files or {}).items():
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    if not (BIN / "scrapyd").exists():
        pytest.skip("scrapyd is not installed (pip install -e '.[test]')")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"dbs_dir = {home}/dbs\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(f"{url}/daemonstatus.json")
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("scrapyd did not start")
            time.sleep(0.2)
    yield url, home
    proc.terminate()
    proc.wait(timeout=20)


def test_deployed_egg_crawls_every_fixture_article(scrapyd, tmp_path, tuyengiao_expected):
    url, home = scrapyd
    src = tmp_path / "src"  # build from a copy: the egg build writes build/ and *.egg-info beside the sources
    src.mkdir()
    for name in SOURCES:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, src / name)
    egg = tmp_path / "newscrawl.egg"
    built = subprocess.run([str(BIN / "scrapyd-deploy"), f"--build-egg={egg}"], cwd=src, capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    import zipfile

    names = zipfile.ZipFile(egg).namelist()
    assert "newscrawl/sites/tuyengiao.toml" in names  # site files ship inside the egg as package data

    answer = post(f"{url}/addversion.json", {"project": "newscrawl", "version": "1"}, {"egg": ("newscrawl.egg", egg.read_bytes())})
    assert answer["status"] == "ok", answer
    assert "tuyengiao" in get(f"{url}/listspiders.json?project=newscrawl")["spiders"]

    out = tmp_path / "out"
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        job = post(f"{url}/schedule.json", {
            "project": "newscrawl", "spider": "tuyengiao", "base_url": server.url,
            "setting": [f"NEWSCRAWL_OUT_DIR={out}", "AUTOTHROTTLE_ENABLED=False"],
        })
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 240
        while not any(j["id"] == job["jobid"] for j in get(f"{url}/listjobs.json?project=newscrawl")["finished"]):
            assert time.monotonic() < deadline, "the Scrapyd job did not finish"
            time.sleep(0.5)
    items = read_jsonl(next((out / "articles").glob("*.jsonl")))
    assert sorted(i["canonical_url"] for i in items) == sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    summary = json.loads((out / "last-run.json").read_text())
    site = summary["sites"]["tuyengiao"]  # one shape of last-run.json however the crawl was started
    assert summary["status"] == "ok" and site["articles"]["new"] == len(tuyengiao_expected["articles"])
