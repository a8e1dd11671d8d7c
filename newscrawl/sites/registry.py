"""The site files a crawl or a command knows, asked by name or by URL: a :class:`SiteRegistry`.

The shipped site files (``newscrawl/sites/*.toml``, read as package data, so they work from an egg
or a wheel) plus those of the folders the setting NEWSCRAWL_SITE_DIRS names. Whoever needs sites
builds the registry from its settings (``SiteRegistry.from_settings``) or is handed one: the spider
loader gives it to the spiders it makes, the CLI builds its own. Nothing is set as a side effect:
the same folders give an equal registry, read once per process (the files are not read again).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.model.errors import ConfigError
from newscrawl.sites.loading import read_site
from newscrawl.sites.model import Site, SiteConfigError

SITES_PACKAGE = "newscrawl.sites"


class SiteRegistry(Mapping[str, Site]):
    """Sites by name (a read-only mapping); :meth:`site` and :meth:`for_url` are the lookups that say what is wrong."""

    def __init__(self, sites: Iterable[Site], dirs: tuple[Path, ...] = ()):
        self.dirs = dirs  # the extra folders the sites beyond the shipped ones came from
        self._sites: dict[str, Site] = {}
        self._by_host: dict[str, Site] = {}
        for site in sites:
            if site.name in self._sites:
                raise SiteConfigError(f"{site.path}: site name {site.name!r} is used twice "
                                      f"(also in {self._sites[site.name].path})")
            self._sites[site.name] = site
            for host in site.hosts:
                self._by_host.setdefault(host, site)  # the first site file naming a host owns it

    @classmethod
    def from_dirs(cls, dirs=()) -> SiteRegistry:
        """The shipped site files plus the ``*.toml`` of ``dirs``: the value of NEWSCRAWL_SITE_DIRS, a list
        of folders or one comma-separated string; relative folders are taken from the current directory."""
        if isinstance(dirs, str):
            dirs = dirs.split(",")
        resolved = tuple(Path(str(d).strip()).expanduser().resolve() for d in (dirs or ()) if str(d).strip())
        for folder in resolved:
            if not folder.is_dir():
                raise ConfigError(f"NEWSCRAWL_SITE_DIRS: {folder} is not a folder (give folders holding <name>.toml "
                                  "site files)")
        return _load(resolved)

    @classmethod
    def from_settings(cls, settings) -> SiteRegistry:
        return cls.from_dirs(settings.getlist("NEWSCRAWL_SITE_DIRS"))

    def site(self, name: str) -> Site:
        """The site file of this name; ConfigError listing the known ones otherwise."""
        if name not in self._sites:
            raise ConfigError(f"unknown site {name!r}; known sites: {', '.join(sorted(self._sites))}")
        return self._sites[name]

    def for_url(self, url: str) -> Site | None:
        """The site file whose hosts hold the URL's host, or None."""
        return self._by_host.get((urlsplit(url).hostname or "").lower())

    def __getitem__(self, name: str) -> Site:
        return self._sites[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sites)

    def __len__(self) -> int:
        return len(self._sites)


@lru_cache(maxsize=8)
def _load(dirs: tuple[Path, ...]) -> SiteRegistry:
    shipped = sorted((e for e in resources.files(SITES_PACKAGE).iterdir() if e.name.endswith(".toml")),
                     key=lambda e: e.name)
    entries = [(f"newscrawl/sites/{e.name}", e) for e in shipped]
    for folder in dirs:
        entries += [(str(path), path) for path in sorted(folder.glob("*.toml"))]
    return SiteRegistry((read_site(entry.read_text(encoding="utf-8"), where) for where, entry in entries), dirs)
