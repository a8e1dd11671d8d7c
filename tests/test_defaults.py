"""Every newscrawl setting is declared once (newscrawl/crawl/defaults.py) with its default."""
import ast
from pathlib import Path

from scrapy.settings import Settings

from newscrawl.crawl import defaults
from newscrawl.crawl.config import SETTING_KINDS

PACKAGE = Path(__file__).resolve().parent.parent / "newscrawl"
GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getdictorlist"}


def _reads():
    """(file, line, name, has an inline default) of every read of a NEWSCRAWL_* setting in the package."""
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GETTERS):
                continue
            args = node.args
            through_defaults = isinstance(node.func.value, ast.Name) and node.func.value.id == "defaults"
            name_arg = args[1] if through_defaults and len(args) > 1 else (args[0] if args else None)
            if not (isinstance(name_arg, ast.Constant) and str(name_arg.value).startswith("NEWSCRAWL_")):
                continue
            if ast.unparse(node.func.value) == "os.environ":
                continue  # an environment variable of the tests, not a setting
            inline = not through_defaults and (len(args) > 1 or bool(node.keywords))
            yield f"{path.relative_to(PACKAGE)}:{node.lineno}", name_arg.value, inline


def test_every_setting_read_is_declared_and_no_read_repeats_its_default():
    reads = list(_reads())
    assert reads
    assert [(where, name) for where, name, _ in reads if name not in defaults.DEFAULTS] == []
    assert [(where, name) for where, name, inline in reads if inline] == []


def test_settings_module_takes_every_default_from_the_declarations():
    settings = Settings()
    settings.setmodule("newscrawl.settings")
    for name, default in defaults.DEFAULTS.items():
        assert settings.get(name) == default, name
    assert {name for name, _ in settings.items() if name.startswith("NEWSCRAWL_")} == set(defaults.DEFAULTS)


def test_config_checks_every_declared_setting():
    assert set(defaults.DEFAULTS) <= set(SETTING_KINDS)
    for setting in defaults.DECLARED:
        assert setting.check(setting.default) is None or setting.default is None, setting.name


def test_bare_settings_read_the_declared_default():
    assert defaults.getint(Settings(), "NEWSCRAWL_MAX_LINKS_PER_PAGE") == 500
    assert defaults.getlist(Settings(), "NEWSCRAWL_ALLOWED_SCHEMES") == ["http", "https"]
    assert defaults.getint(Settings({"NEWSCRAWL_MAX_LINKS_PER_PAGE": 7}), "NEWSCRAWL_MAX_LINKS_PER_PAGE") == 7


def test_an_empty_database_url_means_no_database(tmp_path, tuyengiao_server):
    """`-s NEWSCRAWL_DB_URL=` crawls as plain Scrapy does: the feed holds the articles, no database file
    appears anywhere (the store once fell back to ./newscrawl.sqlite), nothing is recorded."""
    from conftest import read_jsonl, run_scrapy

    feed = tmp_path / "articles.jsonl"
    result = run_scrapy(["crawl", "tuyengiao", "-a", f"base_url={tuyengiao_server.url}", "-a", "max_pages=1",
                         "-s", "NEWSCRAWL_DB_URL=", "-O", str(feed), "-s", "AUTOTHROTTLE_ENABLED=False",
                         "-s", "RETRY_TIMES=1", "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0"],
                        cwd=tmp_path, env={"SCRAPY_SETTINGS_MODULE": "newscrawl.settings"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_jsonl(feed)
    assert [p for p in tmp_path.rglob("*.sqlite*")] == []
    assert "Traceback" not in result.stderr
