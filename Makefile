# Two commands on a fresh machine with Python 3.10+:
#   make bench   set everything up, then run the default benchmark
#   make test    set everything up, then lint and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is installed first and pinned: this version is a local CPU build here,
# while an unpinned torch pulls a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0
PYTEST_WORKERS ?= 2

.PHONY: install bench bench-paper bench-studies bench-speed test lint format dist docs docs-fast clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	touch $@

bench: install
	$(BIN)/featsel bench

# Every file in benchmarks/results/: the runner's studies (quality tables,
# feature shift), then what the runner cannot measure (speed against peers,
# scaling, memory, planted interactions). Several hours on 2 free cores (each
# results file states its wall time); each study resumes where it stopped
# when re-run (its store is in bench-results/).
bench-paper: bench-studies bench-speed

# quality.toml is the paper preset's protocol on its datasets and more: it
# also answers `featsel bench --preset paper`.
STUDY := $(BIN)/python benchmarks/bench_study.py
# how_many_wide_wrappers.toml runs in two slices into one store: SHAP
# forward's wrappers on leaf_id_flavia would take hours (see the study).
WIDE_WRAPPED := --out bench-results/how_many_wide_wrappers \
	--output benchmarks/results/how_many_wide_wrappers.md
WIDE_BUT_LEAF := pd_speech,permeability_qsar,hepatic_injury_qsar,tissue_gene_expression,meats,ad_data,grants,ames,lending_club
WIDE_LEAF_SELECTORS := none,kan-l1+cv,kan-l2+cv,kan-si+cv,kan-ko+cv,seqattn+cv,featgrad+cv,optfs+cv,sts-mrmr+cv,kan-l1+stability,kan-l2+stability,kan-si+stability,kan-ko+stability,seqattn+stability,featgrad+stability,optfs+stability,sts-mrmr+stability
bench-studies: install
	$(STUDY) benchmarks/studies/quality.toml
	$(STUDY) benchmarks/studies/shift.toml
	$(STUDY) benchmarks/studies/hepatic_seeds.toml
	$(STUDY) benchmarks/studies/hepatic_sts_mi.toml
	$(STUDY) benchmarks/studies/how_many.toml
	$(STUDY) benchmarks/studies/how_many_real.toml
	$(STUDY) benchmarks/studies/how_many_wide.toml
	$(STUDY) benchmarks/studies/how_many_wrappers.toml
	$(STUDY) benchmarks/studies/how_many_by_k.toml
	$(STUDY) benchmarks/studies/how_many_real_wrappers.toml
	$(STUDY) benchmarks/studies/how_many_wide_wrappers.toml $(WIDE_WRAPPED) \
		--datasets $(WIDE_BUT_LEAF)
	$(STUDY) benchmarks/studies/how_many_wide_wrappers.toml $(WIDE_WRAPPED) \
		--datasets leaf_id_flavia --selectors $(WIDE_LEAF_SELECTORS)
	$(STUDY) benchmarks/studies/how_many_defaults.toml
	$(STUDY) benchmarks/studies/optfs_own.toml
	$(STUDY) benchmarks/studies/real.toml

bench-speed: install
	$(BIN)/python benchmarks/bench_speed.py
	$(BIN)/python benchmarks/bench_runner.py
	$(BIN)/python benchmarks/bench_task_costs.py
	$(BIN)/python benchmarks/bench_soak.py --seeds 170 --kill-after 5 20
	$(BIN)/python benchmarks/bench_ground_truth.py --out benchmarks/results/ground_truth.md
	$(BIN)/python benchmarks/bench_kan.py
	$(BIN)/python benchmarks/bench_neural.py
	$(BIN)/python benchmarks/bench_mrmr.py
	$(BIN)/python benchmarks/bench_shap_forward.py

LINTED := featsel tests benchmarks examples docs/conf.py docs/sphinxext conftest.py

lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: install
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

# FEATSEL_DOCS_HTML: tests/test_docs_offline.py checks the pages docs-fast
# just built (and fails, rather than skips, without them).
test: lint dist docs-fast
	FEATSEL_DOCS_HTML=docs/_build/html-fast $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

dist: install
	rm -rf dist
	$(BIN)/python -m build --wheel --sdist --outdir dist . > /dev/null
	$(BIN)/twine check --strict dist/*

# The documentation, warnings as errors. `docs` runs every gallery example;
# `docs-fast` (part of `test`) builds every page without running them.
SPHINXBUILD = $(BIN)/sphinx-build -b html -E -W --keep-going -q
docs: install
	$(SPHINXBUILD) -D sphinx_gallery_conf.run_stale_examples=1 docs docs/_build/html

docs-fast: install
	$(SPHINXBUILD) -D plot_gallery=0 docs docs/_build/html-fast

clean:
	rm -rf $(VENV) dist build *.egg-info docs/_build docs/auto_examples docs/generated docs/api.rst docs/sg_execution_times.rst
