"""Public pages that are the same for every visitor but for a value or two, rendered once per process.

The registration form and an event's page are what a whole kabupaten opens when a training is announced, and
rendering them (about 50 translated strings and 300 macro calls for the form) cost several times the work of taking
the registration itself (docs/performance.md). Each is rendered once per key with a marker in place of each
visitor's own value (the CSRF token, the form's signed render time), and every request after that joins the cached
parts with fresh values: the page a visitor gets is byte for byte the one a full render would give them.

The key is what the page shows (the caller's part: an event's fields, say) plus the locale and this release's
templates and translations, so an edited event, another language or a deploy render afresh; nothing needs
clearing. A visitor with a flashed message in their session gets a full render (the message is theirs).
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from flask import current_app, render_template, session
from flask_babel import get_locale
from markupsafe import Markup, escape

#: Pages kept per process (each a few tens of kB): far more than the events open at once.
MAX_PAGES = 256
_MARK = "<!--pelita-fresh:{}-->"


class PageCache:
    """An LRU of rendered pages, split around their fresh values; one per app (`app.extensions["page_cache"]`)."""

    def __init__(self, release: str, size: int = MAX_PAGES) -> None:
        self.release, self.size = release, size
        self._pages: OrderedDict[tuple, tuple[list[str], list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, key: tuple, template: str, context: Callable[[], dict], fresh=None, calls=()) -> str:
        """`template` rendered with what `context()` gives (asked only when the page is not cached), and each name in
        `fresh` made by its function for this request.

        `calls` names the fresh values the template calls (`csrf_token()`) rather than reads (`rendered_at`).
        """
        fresh = fresh or {}
        if session.get("_flashes"):
            return render_template(template, **context(), **_values(fresh, calls))
        full_key = (self.release, str(get_locale() or ""), template, repr(key))  # repr: a list (JSON) keys too
        with self._lock:
            page = self._pages.get(full_key)
            if page is not None:
                self._pages.move_to_end(full_key)
        if page is None:
            page = self._render(template, fresh, calls, context)
            with self._lock:
                self._pages[full_key] = page
                while len(self._pages) > self.size:
                    self._pages.popitem(last=False)
        parts, names = page
        out = [parts[0]]
        for name, part in zip(names, parts[1:], strict=True):
            out.append(str(escape(fresh[name]())))
            out.append(part)
        return "".join(out)

    @staticmethod
    def _render(template: str, fresh: dict, calls, context) -> tuple[list[str], list[str]]:
        """Render with markers for the fresh values; return the text between them and the names, in page order."""
        markers = {name: Markup(_MARK.format(name)) for name in fresh}
        stand_ins = {name: (lambda m=marker: m) if name in calls else marker for name, marker in markers.items()}
        text = render_template(template, **context(), **stand_ins)
        parts, names = [text], []
        while True:
            found = [(parts[-1].find(marker), name) for name, marker in markers.items() if marker in parts[-1]]
            if not found:
                return parts, names
            at, name = min(found)
            rest = parts.pop()
            parts += [rest[:at], rest[at + len(markers[name]) :]]
            names.append(name)

    def __len__(self) -> int:
        return len(self._pages)


def _values(fresh: dict, calls) -> dict:
    return {name: make if name in calls else make() for name, make in fresh.items()}


def release(folders) -> str:
    """A digest of the files under `folders` (templates, translations): a deploy that changes any has a new one."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.suffix in (".html", ".mo"):
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def page_cache() -> PageCache:
    """This app's cache, made on first use from its template and translation folders."""
    cache = current_app.extensions.get("page_cache")
    if cache is None:
        folders = [Path(current_app.root_path) / "templates", Path(__file__).parent / "templates"]
        folders += [Path(__file__).parent / "translations"]
        cache = current_app.extensions.setdefault("page_cache", PageCache(release(folders)))
    return cache
