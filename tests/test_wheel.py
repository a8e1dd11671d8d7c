"""`newscrawl demo` from a built wheel, installed outside the repository: the demo site ships as package
data, so nothing of the source tree is needed. The wheel is built from this tree without build isolation
(no download) and installed without dependencies into a fresh virtual environment that sees this
environment's dependencies, not its editable newscrawl."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from conftest import REPO

DEMO_PAGES = "newscrawl/ops/demo/tuyengiao/site/"


def test_demo_runs_from_an_installed_wheel(tmp_path, tuyengiao_expected):
    # From a copy of what a wheel is made of: a build in the tree would leave build/, whose stale files
    # (of modules since removed) a later build would put in its wheel.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "newscrawl", source / "newscrawl", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(dist), str(source)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(dist.glob("newscrawl-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    pages = [n for n in names if n.startswith(DEMO_PAGES)]
    assert f"{DEMO_PAGES}index.html" in names and len(pages) >= len(tuyengiao_expected["articles"])
    assert "newscrawl/sites/tuyengiao.toml" in names
    assert not [n for n in names if n.startswith(("fixtures/", "tests/", "benchmarks/"))]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site_packages = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    # This environment's dependencies, as a plain path: its .pth files (the editable newscrawl) are not read.
    (site_packages / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                                str(wheel)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]

    where = subprocess.run([str(python), "-c", "import newscrawl; print(newscrawl.__file__)"], capture_output=True,
                           text=True, check=True, cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(site_packages), where
    run = tmp_path / "elsewhere"
    run.mkdir()
    demo = subprocess.run([str(venv / "bin" / "newscrawl"), "demo"], capture_output=True, text=True, timeout=600,
                          cwd=run)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-3000:]
    items = [json.loads(line) for line in (run / "out" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(i["canonical_url"] for i in items) == sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
