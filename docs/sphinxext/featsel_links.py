"""Links to scikit-learn, NumPy and pandas without intersphinx.

The build needs no network: intersphinx is off, and references to
scikit-learn objects, glossary terms and a few user-guide labels that the
inherited scikit-learn docstrings use are turned into plain links to
scikit-learn's site (:func:`link_to_external`). Type lines of numpydoc
sections get their ``name_`` words quoted
(:func:`quote_attribute_names_in_types`).
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import re

from docutils import nodes

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


def link_to_external(app, env, node, contnode):
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


def quote_attribute_names_in_types(app, what, name, obj, options, lines):
    """Quote ``name_`` words in the type part of numpydoc parameter lines."""
    for i, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            kind = _BARE_TRAILING_UNDERSCORE.sub(r"`\1`", match[2])
            lines[i] = match[1] + kind


#: The raw HTML block that sphinx-gallery puts on its timing pages
#: (``sg_execution_times``): jQuery, DataTables and Bootstrap from CDNs, to
#: make the table sortable. Offline, the page keeps its plain table.
_CDN_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)\.\. raw:: html\n(?:(?P=indent)[ \t]+.*\n|[ \t]*\n)*",
    re.MULTILINE,
)


def drop_cdn_scripts(app, docname, source):
    """Remove raw HTML that loads scripts or styles from another site.

    Connected to ``source-read``: the built pages must work offline and
    reference no external script (tests/test_docs_offline.py checks the
    built HTML).
    """

    def offline(match):
        block = match.group(0)
        if re.search(r"""(src|href)=["']https?://""", block):
            return "\n"
        return block

    source[0] = _CDN_BLOCK.sub(offline, source[0])
