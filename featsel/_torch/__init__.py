"""The torch layer of featsel: each network with its training, and their core.

Every module of this subpackage imports torch, so the selectors reach it
only inside ``fit``, through one engine entry point each: ``import
featsel`` works without torch installed, and no selector module imports a
torch name.

- :mod:`._training`: what every torch selector uses: device, isolated
  seeding session, targets as tensors, Adam and the training loop;
- :mod:`._layers`: seeded linear layers, the one-hidden-layer MLP and the
  task loss;
- :mod:`._bspline`: the B-spline math of the KAN, with its autograd;
- :mod:`._kan_network`: the KAN, the KAN scores and the held-out loss;
- :mod:`._pykan`: the adapter that scores a pykan ``kan.KAN`` alike;
- :mod:`._kan_training`: KAN's fold training (``fit_folds``), with early
  stopping and side-by-side training;
- :mod:`._attention`, :mod:`._gated_embedding`, :mod:`._learnability`: the
  networks of Sequential Attention, OptFS and Feature Gradients, each with
  its training (``select``, ``fit_gates``, ``start_mask`` and
  ``train_mask``).
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from .._optional import import_optional

import_optional("torch", extra="nn")
