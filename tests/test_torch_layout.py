"""The torch line: selector modules hold no tensor code, engines own training.

Read from the source with :mod:`ast`, so it runs without torch installed.
"""

import ast
from collections import Counter
from pathlib import Path

import featsel

PACKAGE = Path(featsel.__file__).parent

#: The one engine entry point each torch selector calls, by module; Feature
#: Gradients starts its state and trains it in two steps (``partial_fit``
#: continues a state), and reads the reference's highest order to validate
#: ``order``.
ENGINES = {
    "_kan.py": {("_torch._kan_training", "fit_folds")},
    "_sequential_attention.py": {("_torch._attention", "select")},
    "_optfs.py": {("_torch._gated_embedding", "fit_gates")},
    "_feature_gradients.py": {
        ("_torch._learnability", "REFERENCE_MAX_ORDER"),
        ("_torch._learnability", "start_mask"),
        ("_torch._learnability", "train_mask"),
        ("_torch._learnability", "visible_signal"),
    },
}


def _imports(path):
    """Every import of a module, at any depth: (module, name) pairs.

    ``import a.b`` gives ``("a.b", None)``; a relative ``from .x import y``
    inside ``featsel`` gives ``("x", "y")`` with the leading dots dropped.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found += [(module, alias.name) for alias in node.names]
    return found


def _outside_torch_subpackage():
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "_torch" not in path.relative_to(PACKAGE).parts
    ]


def test_selector_modules_import_no_torch_name():
    # Neither an import of torch nor torch reached through an engine module
    # (``_training.torch.no_grad()``, ``torch = _training.torch``).
    for path in sorted(PACKAGE.glob("*.py")):
        torch_imports = [
            (module, name)
            for module, name in _imports(path)
            if module.split(".")[0] in {"torch", "kan"}
        ]
        assert torch_imports == [], path.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        torch_names = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Name)
            and node.id == "torch"
            or isinstance(node, ast.Attribute)
            and node.attr == "torch"
        ]
        assert torch_names == [], (path.name, torch_names)


def test_selectors_reach_the_torch_subpackage_through_one_engine_entry():
    for path in _outside_torch_subpackage():
        relative = path.relative_to(PACKAGE).as_posix()
        reached = {
            (module, name)
            for module, name in _imports(path)
            if module.split(".")[0] == "_torch" or module.startswith("featsel._torch")
        }
        assert reached == ENGINES.get(relative, set()), relative


def test_each_selector_calls_its_engine_at_one_place():
    for module_name, entries in ENGINES.items():
        tree = ast.parse((PACKAGE / module_name).read_text(encoding="utf-8"))
        calls = Counter(
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        )
        for _, name in entries:
            if name.isupper():
                continue
            assert calls[name] == 1, (module_name, name)
