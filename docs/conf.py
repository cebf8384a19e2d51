"""Sphinx configuration of the featsel documentation.

Some pages and tables are written by this file at every build, from the
code, so that they never fall behind it (all are git-ignored):

- ``api.rst``, the API reference, from ``featsel.__all__`` and the public
  submodules of ``featsel``: a new selector or module appears once it is
  exported;
- ``generated/benchmark_results.inc``, included by ``benchmarks.md``: one
  section per committed result ``benchmarks/results/*.md``;
- ``generated/*.inc`` tables included by the narrative pages: the selectors
  (landing page), their input capabilities (from their scikit-learn tags),
  the extras (from pyproject.toml), the datasets registry and the help of
  every ``featsel`` command.

The build needs no network: intersphinx is off, and references to
scikit-learn objects, glossary terms and a few user-guide labels that the
inherited scikit-learn docstrings use are turned into plain links to
scikit-learn's site (see ``_link_to_external``).
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect
import os
import pkgutil
import re
import sys
from pathlib import Path

from docutils import nodes
from numpydoc.xref import DEFAULT_LINKS

DOCS = Path(__file__).absolute().parent
ROOT = DOCS.parent
# Document the working tree, not whatever featsel happens to be installed.
sys.path.insert(0, str(ROOT))

import featsel  # noqa: E402
from featsel._base import BaseSelector  # noqa: E402

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

# -- Pages and tables written from the code ------------------------------------


def _write_if_changed(path, content):
    """Write ``content`` unless ``path`` holds it already (no needless rebuild)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != content:
        path.write_text(content)


# -- The API reference, generated from featsel.__all__ ------------------------

#: Public submodules left out of the API reference, with the reason.
API_EXCLUDED_MODULES = {
    "cli": "the command line; documented in the user guide (cli.rst)",
}

API_HEADER = """\
.. This file is generated by conf.py from featsel.__all__ and the public
   submodules of featsel at every build. Do not edit it: edit conf.py or the
   docstrings instead.

.. _api:

=============
API reference
=============

This reference lists every public class and function of featsel. It is
generated at build time from ``featsel.__all__`` and the public submodules,
so a newly exported selector appears here on the next build. Every selector
derives from :class:`featsel.BaseSelector`, whose contract is described in
:doc:`user_guide/contract`.
"""


def _autosummary(names, template, module):
    if not names:
        return ""
    lines = [
        f".. currentmodule:: {module}",
        "",
        ".. autosummary::",
        "   :toctree: generated/",
        f"   :template: {template}",
        "   :nosignatures:",
        "",
        *(f"   {name}" for name in names),
        "",
        "",
    ]
    return "\n".join(lines)


def _split_classes_functions(module, names):
    classes = [n for n in names if inspect.isclass(getattr(module, n))]
    functions = [n for n in names if inspect.isfunction(getattr(module, n))]
    return classes, functions


def _public_names(module):
    """``module.__all__``, else the public classes and functions it defines."""
    if hasattr(module, "__all__"):
        return [name for name in module.__all__ if not name.startswith("_")]
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", "").startswith(module.__name__)
    )


def _heading(text, char="="):
    return f"{text}\n{char * len(text)}\n\n"


def write_api_reference(path):
    """Write the API reference page from ``featsel.__all__`` and submodules."""
    top = [name for name in featsel.__all__ if not name.startswith("_")]
    selectors = sorted(
        name
        for name in top
        if inspect.isclass(getattr(featsel, name))
        and issubclass(getattr(featsel, name), BaseSelector)
        and not inspect.isabstract(getattr(featsel, name))
    )
    base = sorted(
        name
        for name in top
        if inspect.isclass(getattr(featsel, name))
        and issubclass(getattr(featsel, name), BaseSelector)
        and name not in selectors
    )
    others = sorted(set(top) - set(selectors) - set(base))
    other_classes, other_functions = _split_classes_functions(featsel, others)

    text = [API_HEADER, "\n", _heading("Selectors")]
    text.append(
        ".. automodule:: featsel\n   :no-members:\n\n"
        "All selectors are importable from ``featsel`` and share the "
        "parameters ``n_features_to_select`` and ``task`` and the fitted "
        "attributes ``scores_``, ``ranking_`` and ``support_``.\n\n"
    )
    text.append(_autosummary(selectors, "class.rst", "featsel"))
    text.append(_heading("Selector contract"))
    text.append(_autosummary(base, "class.rst", "featsel"))
    if other_classes or other_functions:
        text.append(_heading("Other top-level objects"))
        text.append(_autosummary(other_classes, "class.rst", "featsel"))
        text.append(_autosummary(other_functions, "function.rst", "featsel"))

    submodules = sorted(
        info.name
        for info in pkgutil.iter_modules(featsel.__path__)
        if not info.name.startswith("_") and info.name not in API_EXCLUDED_MODULES
    )
    for short_name in submodules:
        module = importlib.import_module(f"featsel.{short_name}")
        classes, functions = _split_classes_functions(module, _public_names(module))
        if not classes and not functions:
            continue
        summary = (inspect.getdoc(module) or "").split("\n\n")[0].strip()
        summary = summary.rstrip(".").replace("\n", " ")
        title = f":mod:`featsel.{short_name}`" + (f": {summary}" if summary else "")
        text.append(_heading(title))
        text.append(f".. automodule:: featsel.{short_name}\n   :no-members:\n\n")
        text.append(_autosummary(classes, "class.rst", f"featsel.{short_name}"))
        text.append(_autosummary(functions, "function.rst", f"featsel.{short_name}"))

    _write_if_changed(path, "".join(text).rstrip() + "\n")


write_api_reference(DOCS / "api.rst")

# -- The benchmarks page, from the committed tables ----------------------------

BENCHMARK_RESULTS = ROOT / "benchmarks" / "results"


def _first_heading(text):
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and re.match(r"#{1,6}\s", line):
            return line
    return None


def write_benchmark_results(path):
    """One section per ``benchmarks/results/*.md``, included by benchmarks.md."""
    tables = sorted(BENCHMARK_RESULTS.glob("*.md"))
    if not tables:
        content = (
            "No result tables are committed yet. Tables written to "
            "`benchmarks/results/*.md` appear on this page at the next "
            "documentation build.\n"
        )
    else:
        parts = []
        for table in tables:
            text = table.read_text()
            source = table.relative_to(ROOT).as_posix()
            heading = _first_heading(text)
            # Each file becomes a section of this page, one level down: its
            # own title becomes a level-2 heading, or, where it has none, the
            # file name stands in for one.
            if heading is None or not heading.startswith("# "):
                title = table.stem.replace("_", " ").replace("-", " ").capitalize()
                parts.append(f"## {title}\n\n")
            parts.append(
                f"```{{include}} /../{source}\n:heading-offset: 1\n"
                ":relative-images:\n```\n\n"
                f"<small>Source: `{source}`</small>\n\n"
            )
        content = "".join(parts)
    _write_if_changed(path, content)


write_benchmark_results(DOCS / "generated" / "benchmark_results.inc")

# -- Tables read from the code, included by the narrative pages ----------------


def _list_table(header, rows, widths=None):
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {' '.join(map(str, widths))}")
    lines.append("")
    for row in [header, *rows]:
        for i, cell in enumerate(row):
            lines.append(f"   {'*' if i == 0 else ' '} - {cell}")
    return "\n".join(lines) + "\n"


def _selectors():
    from featsel.utils import all_selectors

    return all_selectors()


def write_selectors_table(path):
    """The landing page's table: every exported selector and its summary."""
    names = [name for name, _ in _selectors()]
    content = (
        ".. currentmodule:: featsel\n\n.. autosummary::\n   :nosignatures:\n\n"
        + "".join(f"   {name}\n" for name in names)
        + "\n"
    )
    _write_if_changed(path, content)


def write_selector_capabilities(path):
    """What input each selector accepts, read from its scikit-learn tags."""

    def yes_no(flag):
        return "yes" if flag else "no"

    rows = []
    for name, cls in _selectors():
        tags = cls().__sklearn_tags__()
        rows.append(
            [
                f":class:`~featsel.{name}`",
                yes_no(tags.input_tags.sparse),
                yes_no(tags.input_tags.allow_nan),
                yes_no(tags.input_tags.categorical),
                "no" if cls.selection_depends_on_k else "yes",
            ]
        )
    header = [
        "Selector",
        "Sparse ``X``",
        "Missing values",
        "Categorical columns",
        "One fit serves every ``k``",
    ]
    _write_if_changed(path, _list_table(header, rows, [28, 18, 18, 18, 18]))


def write_extras_table(path):
    """The optional dependency groups of pyproject.toml."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    rows = [
        [f"``{extra}``", ", ".join(f"``{req}``" for req in requirements)]
        for extra, requirements in project["optional-dependencies"].items()
    ]
    _write_if_changed(path, _list_table(["Extra", "Installs"], rows, [15, 85]))


def write_datasets_table(path):
    """The registry of featsel.datasets: name, task, shape and description."""
    from featsel.datasets import list_datasets, load_dataset

    rows = []
    for name in list_datasets():
        data = load_dataset(name)
        informative = "known" if data.informative is not None else "unknown"
        rows.append(
            [
                f"``{name}``",
                data.task,
                f"{data.X.shape[0]} x {data.X.shape[1]}",
                informative,
                data.description,
            ]
        )
    header = ["Name", "Task", "Rows x features", "Informative features", "Source"]
    _write_if_changed(path, _list_table(header, rows, [18, 14, 14, 14, 40]))


def _cli_help(argv):
    import contextlib
    import io

    from featsel.cli import main

    buffer = io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # argparse wraps help at the terminal width
    try:
        with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
            main([*argv, "--help"])
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return buffer.getvalue()


def write_cli_help(path):
    """``featsel --help`` and the help of every sub-command."""
    top = _cli_help([])
    match = re.search(r"\{([\w,-]+)\}", top)
    commands = match[1].split(",") if match else []
    parts = []
    for title, argv in [("featsel", [])] + [(f"featsel {c}", [c]) for c in commands]:
        text = top if not argv else _cli_help(argv)
        body = "\n".join(f"   {line}".rstrip() for line in text.splitlines())
        heading = f"``{title}``"
        underline = "-" * len(heading)
        parts.append(f"{heading}\n{underline}\n\n.. code-block:: text\n\n{body}\n\n")
    _write_if_changed(path, "".join(parts))


GENERATED = DOCS / "generated"
write_selectors_table(GENERATED / "selectors_table.inc")
write_selector_capabilities(GENERATED / "selector_capabilities.inc")
write_extras_table(GENERATED / "extras_table.inc")
write_datasets_table(GENERATED / "datasets_table.inc")
write_cli_help(GENERATED / "cli_help.inc")

# -- Links to scikit-learn, NumPy and pandas without intersphinx ---------------

SKLEARN_URL = "https://scikit-learn.org/stable/"
#: Labels of scikit-learn's documentation used by the docstrings that the
#: selectors inherit from scikit-learn, and the page each one points to.
SKLEARN_LABELS = {
    "metadata_routing": "metadata_routing.html",
    "df_output_transform": "auto_examples/miscellaneous/plot_set_output.html",
}


#: Pages of other projects' API references, by name prefix.
EXTERNAL_API_URLS = {
    "pandas.": "https://pandas.pydata.org/docs/reference/api/{}.html",
    "numpy.": "https://numpy.org/doc/stable/reference/generated/{}.html",
}


def _external_url(domain, reftype, target):
    """URL on another project's site for a reference Sphinx could not resolve."""
    if domain == "py":
        for prefix, url in EXTERNAL_API_URLS.items():
            if target.startswith(prefix):
                return url.format(target)
    if domain == "py" and (target == "sklearn" or target.startswith("sklearn.")):
        parts = target.split(".")
        # sklearn.module.Class or sklearn.module.function has its own page;
        # a method or attribute is an anchor on its class's page.
        page_parts = parts
        if reftype in {"meth", "attr"} and len(parts) > 3:
            page_parts = parts[:-1]
        if len(parts) <= 2 and reftype == "mod":
            return f"{SKLEARN_URL}api/{target}.html"
        page = ".".join(page_parts)
        anchor = f"#{target}" if page != target else ""
        return f"{SKLEARN_URL}modules/generated/{page}.html{anchor}"
    # featsel's docstrings, like scikit-learn's, use scikit-learn's glossary
    # terms (:term:`fit`); this site has no glossary of its own.
    if domain == "std" and reftype == "term":
        return f"{SKLEARN_URL}glossary.html#term-{target.lower().replace(' ', '-')}"
    if domain == "std" and reftype == "ref":
        if target in SKLEARN_LABELS:
            return SKLEARN_URL + SKLEARN_LABELS[target]
        match = re.fullmatch(r"sphx_glr_auto_examples_(\w+?)_(plot_\w+)\.py", target)
        if match:
            return f"{SKLEARN_URL}auto_examples/{match[1]}/{match[2]}.html"
    return None


def _link_to_external(app, env, node, contnode):
    """Resolve a dangling reference to another project's site, as a plain link."""
    domain = node.get("refdomain")
    reftype = node.get("reftype")
    target = node.get("reftarget", "")
    if domain == "std" and reftype == "ref" and target in env.get_domain("std").labels:
        return None
    url = _external_url(domain, reftype, target)
    if url is None:
        return None
    if domain == "std" and reftype == "ref" and node.get("refexplicit"):
        contnode = nodes.inline(node.astext(), node.astext())
    elif domain == "std" and reftype == "ref":
        contnode = nodes.inline(target, target)
    reference = nodes.reference("", "", internal=False, refuri=url, reftitle=target)
    reference += contnode
    return reference


# A bare name ending in "_" inside a type's parentheses, as in scikit-learn's
# "ndarray of shape (n_features_in_,)", is a reST reference to a missing
# target; scikit-learn quotes it: (`n_features_in_`,).
_TYPE_LINE = re.compile(r"^(\s*\*?\*?\w+(?:,\s*\w+)*\s+:\s)(.*)$")
_BARE_TRAILING_UNDERSCORE = re.compile(r"(?<=[(\s,])(?<!`)([A-Za-z]\w*_)(?=[,)])")


def _quote_attribute_names_in_types(app, what, name, obj, options, lines):
    """Quote ``name_`` words in the type part of numpydoc parameter lines."""
    for i, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            kind = _BARE_TRAILING_UNDERSCORE.sub(r"`\1`", match[2])
            lines[i] = match[1] + kind


def setup(app):
    # Before numpydoc (priority 500) parses the docstring.
    app.connect(
        "autodoc-process-docstring", _quote_attribute_names_in_types, priority=400
    )
    # Late priority: let every domain and extension try first.
    app.connect("missing-reference", _link_to_external, priority=900)
