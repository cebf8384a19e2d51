"""The built documentation works offline: no script or style from elsewhere.

The pages are built by ``make docs-fast``, which ``make test`` runs before
pytest and whose output it names in ``FEATSEL_DOCS_HTML``: there, a missing
build fails. Run alone, the test reads ``docs/_build/html-fast`` when it
exists and is skipped otherwise.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUILD = ROOT / "docs" / "_build" / "html-fast"


def _build_dir():
    named = os.environ.get("FEATSEL_DOCS_HTML")
    if named:
        path = Path(named)
        if not path.is_absolute():
            path = ROOT / path
        assert (path / "index.html").is_file(), (
            f"FEATSEL_DOCS_HTML={named} holds no built documentation: run "
            "`make docs-fast` first"
        )
        return path
    if not (DEFAULT_BUILD / "index.html").is_file():
        pytest.skip("no built documentation: run `make docs-fast` (make test does)")
    return DEFAULT_BUILD


def _external(url):
    return re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE) is not None


class _Resources(HTMLParser):
    """What a page makes the browser load: scripts, styles, frames."""

    def __init__(self):
        super().__init__()
        self.loaded = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "iframe", "img") and attrs.get("src"):
            self.loaded.append((tag, attrs["src"]))
        rel = (attrs.get("rel") or "").lower()
        if (
            tag == "link"
            and attrs.get("href")
            and ("stylesheet" in rel or "preload" in rel)
        ):
            self.loaded.append((tag, attrs["href"]))


def _pages(build):
    return sorted(build.rglob("*.html"))


def test_no_page_loads_anything_from_another_site():
    build = _build_dir()
    pages = _pages(build)
    assert len(pages) > 20
    external = []
    for page in pages:
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        external += [
            f"{page.relative_to(build)}: <{tag}> {url}"
            for tag, url in parser.loaded
            if _external(url)
        ]
    assert not external, "pages load from other sites:\n" + "\n".join(external[:20])


def test_formulas_render_with_the_bundled_mathjax():
    build = _build_dir()
    with_math = []
    for page in _pages(build):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        mathjax = [url for tag, url in parser.loaded if "mathjax" in url.lower()]
        if mathjax:
            with_math.append(page)
            for url in mathjax:
                assert not _external(url), f"{page}: {url}"
                assert (page.parent / url.split("?")[0]).resolve().is_file(), (
                    f"{page}: {url} is not in the build"
                )
    # The user guide has formulas (the datasets page, say).
    assert build / "user_guide" / "datasets.html" in with_math


def test_the_check_sees_scripts_from_cdns():
    # What sphinx-gallery writes on its timing pages, were it not dropped.
    parser = _Resources()
    parser.feed(
        '<script src="https://code.jquery.com/jquery-3.7.0.js"></script>'
        '<link href="//cdn.example.org/x.css" rel="stylesheet" />'
        '<script src="../_static/doctools.js"></script>'
        '<a href="https://scikit-learn.org/">a link is no load</a>'
    )
    assert [url for _, url in parser.loaded if _external(url)] == [
        "https://code.jquery.com/jquery-3.7.0.js",
        "//cdn.example.org/x.css",
    ]
