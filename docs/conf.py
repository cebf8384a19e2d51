"""Sphinx configuration of the featsel documentation.

Some pages and tables are written at every build, from the code, so that
they never fall behind it: see ``sphinxext/featsel_pages.py``. The build
needs no network: references to other projects' sites are resolved by
``sphinxext/featsel_links.py``. The built pages need none either: MathJax
comes from the ``sphinx-mathjax-offline`` package, and raw HTML loading
scripts from CDNs is dropped.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import sys
from pathlib import Path

from numpydoc.xref import DEFAULT_LINKS

DOCS = Path(__file__).absolute().parent
ROOT = DOCS.parent
# Document the working tree, not whatever featsel happens to be installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "sphinxext"))

import featsel_links  # noqa: E402
import featsel_pages  # noqa: E402

import featsel  # noqa: E402

# -- Project information -----------------------------------------------------

project = "featsel"
author = "The featsel developers"
copyright = "The featsel developers, BSD-3-Clause"
release = featsel.__version__
version = re.sub(r"(\.dev\d*|rc\d*)$", "", release)

# -- General configuration ---------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax 3 shipped as package data and copied into _static: formulas
    # render offline (the extension sets mathjax_path).
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.inc", "Thumbs.db", ".DS_Store"]
default_role = "literal"
pygments_style = "sphinx"
# Headings inside committed benchmark tables are written by tools, not for
# Sphinx: do not fail the build when such a file skips a heading level.
suppress_warnings = ["myst.header"]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# -- autodoc, autosummary, numpydoc -------------------------------------------

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# In parameter types, the names below link (scikit-learn, NumPy and pandas
# ones through _link_to_external); every other word stays plain text.
# numpydoc's default aliases for Python's builtins point into intersphinx
# inventories, which this offline build does not have: they stay text too.
_INTERSPHINX_ONLY = {name for name, target in DEFAULT_LINKS.items() if ":" in target}
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    **{name: name for name in _INTERSPHINX_ONLY},
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "RandomState": "numpy.random.RandomState",
}
numpydoc_xref_ignore = "all"

# -- sphinx-gallery ----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"(__init__|conftest)\.py",
    # Selector families first, in the user guide's order, then the tools.
    "subsection_order": [
        f"../examples/{name}"
        for name in (
            "classical",
            "kan",
            "neural",
            "sts_mrmr",
            "shap_forward",
            "how_many",
            "benchmark",
            "shift",
        )
    ],
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("featsel",),
    # Link names in the examples to this site only: no network lookups of
    # other projects' search indexes.
    "reference_url": {"featsel": None},
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML output ---------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"featsel {release}"
html_short_title = "featsel"
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["featsel.css"]
html_theme_options = {
    "logo": {"text": "featsel"},
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "icon_links": [
        {
            "name": "GitHub",
            "url": "https://github.com/featsel/featsel",
            "icon": "fa-brands fa-github",
        }
    ],
}
# Pages without sub-pages need no navigation sidebar.
html_sidebars = {"index": [], "getting_started": [], "benchmarks": [], "changelog": []}

featsel_pages.write_all()


def setup(app):
    # Before numpydoc (priority 500) parses the docstring.
    app.connect(
        "autodoc-process-docstring",
        featsel_links.quote_attribute_names_in_types,
        priority=400,
    )
    # Offline pages: no scripts from CDNs (sphinx-gallery's timing pages).
    app.connect("source-read", featsel_links.drop_cdn_scripts)
    # Late priority: let every domain and extension try first.
    app.connect("missing-reference", featsel_links.link_to_external, priority=900)
