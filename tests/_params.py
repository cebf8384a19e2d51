"""Small but real settings of each selector for the test suite.

Fewer trees, epochs or folds keep the estimator checks fast while running
the real code path. A selector missing here runs with its defaults.
"""

TEST_PARAMS = {
    "FeatureGradientsSelector": {"max_epochs": 10},
    "KANSelector": {
        "cv": "holdout",
        "max_epochs": 40,
        "hidden_units": 8,
        "grid_size": 4,
    },
    "LassoSelector": {"cv": 3},
    "OptFSSelector": {"max_epochs": 20, "hidden_units": 16, "embedding_dim": 4},
    "RandomForestSelector": {"n_estimators": 10, "n_repeats": 2},
    "SequentialAttentionSelector": {"max_epochs": 40, "hidden_units": 16},
    "SHAPForwardSelector": {"n_candidates": 1, "cv": 2, "max_samples": 50},
}
