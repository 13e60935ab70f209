"""The page cache joins a page rendered once with each visitor's own values, and renders in full what is theirs."""

import itertools

import pytest
from flask import Flask, flash, session
from flask_babel import Babel
from jinja2 import DictLoader

from shared.web.pagecache import PageCache

PAGE = (
    "{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}"
    '<h1>{{ title }}</h1><input value="{{ token() }}"><input value="{{ stamp }}"><a>{{ token() }}</a>'
)


@pytest.fixture
def app():
    app = Flask(__name__)
    app.secret_key = "test"
    app.jinja_loader = DictLoader({"page.html": PAGE})
    Babel(app)
    return app


def test_each_request_gets_its_own_values_in_the_page_rendered_once(app):
    cache, renders, tokens = PageCache("r1"), itertools.count(), itertools.count()

    def context():
        next(renders)
        return {"title": "Pelatihan <Literasi>"}

    fresh = {"token": lambda: f"t{next(tokens)}", "stamp": lambda: "s&1"}
    with app.test_request_context():
        pages = [cache.render(("event", 1), "page.html", context, fresh, calls=("token",)) for _ in range(2)]

    assert pages == [
        '<h1>Pelatihan &lt;Literasi&gt;</h1><input value="t0"><input value="s&amp;1"><a>t1</a>',
        '<h1>Pelatihan &lt;Literasi&gt;</h1><input value="t2"><input value="s&amp;1"><a>t3</a>',
    ]
    assert next(renders) == 1  # rendered once


def test_another_key_or_release_renders_afresh_and_old_pages_make_room(app):
    cache = PageCache("r1", size=2)
    with app.test_request_context():
        for title in ("A", "B", "C"):
            assert f"<h1>{title}</h1>" in render(cache, title, title)
        assert len(cache) == 2
        assert "<h1>A</h1>" in render(cache, "A", "A")
        assert "<h1>new</h1>" in render(PageCache("r2"), "A", "new")


def test_a_visitor_with_a_flashed_message_gets_a_full_render_with_it(app):
    cache = PageCache("r1")
    with app.test_request_context():
        render(cache, "e", "T")
    with app.test_request_context():
        flash("Tersimpan")
        assert render(cache, "e", "T").startswith("<p>Tersimpan</p><h1>T</h1>")
        assert "_flashes" not in session  # shown once, as on any page


def render(cache: PageCache, key: str, title: str) -> str:
    fresh = {"token": lambda: "t", "stamp": lambda: "s"}
    return cache.render((key,), "page.html", lambda: {"title": title}, fresh, calls=("token",))
