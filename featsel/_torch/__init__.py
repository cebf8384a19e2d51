"""The torch layer of featsel: training loop, layers, loss and networks.

Every module of this subpackage imports torch, so only the ``fit`` methods of
the selectors import it: ``import featsel`` works without torch installed.

- :mod:`._training`: device, isolated seeding session and the generic
  training loop with early stopping;
- :mod:`._layers`: seeded linear layers, the one-hidden-layer MLP and the
  task loss;
- :mod:`._bspline`: the B-spline math of the KAN, with its autograd;
- :mod:`._kan_network`: the KAN and the KAN scores;
- :mod:`._pykan`: the adapter that scores a pykan ``kan.KAN`` alike;
- :mod:`._attention`, :mod:`._learnability`, :mod:`._gated_embedding`: the
  networks of Sequential Attention, Feature Gradients and OptFS.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from .._optional import import_optional

import_optional("torch", extra="nn")
