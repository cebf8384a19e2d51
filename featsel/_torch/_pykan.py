"""The pykan adapter: a ``kan.KAN`` with the interface of a ``KANNetwork``.

``KANSelector(backend="pykan")`` trains and scores it as featsel's own
network. The module imports torch: the selector imports it inside ``fit``.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from .._optional import import_optional
from ._bspline import GRID_EPS
from ._kan_network import NOISE_SCALE, KANNetwork, _row_norms, _zeroed, evaluate

torch = import_optional("torch", extra="nn")


def build_pykan(widths, grid_size, spline_order, seed, device):
    """A ``kan.KAN`` of the given widths that writes and prints nothing.

    pykan's constructor reseeds the global torch, numpy and :mod:`random`
    generators: call it inside :func:`featsel._torch._training.isolated_session`.
    """
    kan = import_optional("kan", extra="kan")
    model = kan.KAN(
        width=list(widths),
        grid=grid_size,
        k=spline_order,
        noise_scale=NOISE_SCALE,
        grid_eps=GRID_EPS,
        seed=seed,
        # No checkpoints under ./model, no symbolic branch (its functions are
        # all zero until symbolic fitting, which is not used), activations
        # recorded only on demand.
        auto_save=False,
        symbolic_enabled=False,
        save_act=False,
        device=str(device),
    )
    return PykanAdapter(model)


class PykanAdapter:
    """Give a ``kan.KAN`` the interface the scores use on a ``KANNetwork``.

    Parameters
    ----------
    model : kan.KAN
        A pykan network built with ``symbolic_enabled=False`` and
        ``save_act=False`` (activations are recorded on demand).
    """

    def __init__(self, model):
        self.model = model

    def __call__(self, x):
        return self.model(x)

    def edge_activations(self, x):
        """Activations of the first layer's edges recorded by pykan itself."""
        self.model.save_act = True
        try:
            self.model(x)
            # pykan stores them as (n_samples, out, in).
            return self.model.spline_postacts[0].permute(0, 2, 1)
        finally:
            self._forget_activations()

    def input_norms(self):
        """Norm of the first-layer parameters of each input feature."""
        layer = self.model.act_fun[0]
        spline = (layer.scale_sp * layer.mask).unsqueeze(-1) * layer.coef
        return _row_norms(layer.scale_base * layer.mask, spline)

    def refit_grids(self, x):
        """pykan's own data-adaptive grid update on every layer."""
        self.model.update_grid_from_samples(x)
        self._forget_activations()

    def knockout_losses(self, X, y, loss_fn):
        """Held-out loss, then with each feature's first-layer edges zeroed.

        One forward pass of the pykan model per feature, the parameters
        zeroed in place and restored after each.
        """
        layer = self.model.act_fun[0]
        base = evaluate(self.model, loss_fn, X, y)
        knocked = []
        for feature in range(X.shape[1]):
            # pykan's parameters are laid out (in, out[, basis]), like ours.
            with _zeroed(layer.scale_base, layer.scale_sp, layer.coef, row=feature):
                knocked.append(evaluate(self.model, loss_fn, X, y))
        return base, np.asarray(knocked)

    def _forget_activations(self):
        """Drop the data pykan caches at each forward pass (it would be pickled)."""
        self.model.save_act = False
        self.model.cache_data = None
        self.model.acts = None
        for name in (
            "acts_premult",
            "spline_preacts",
            "spline_postsplines",
            "spline_postacts",
            "acts_scale",
            "acts_scale_spline",
            "subnode_actscale",
            "edge_actscale",
        ):
            setattr(self.model, name, [])

    def to_network(self, input_mean, input_scale):
        """The same trained function as a picklable ``KANNetwork`` on the CPU.

        ``kan.KAN`` objects hold lambdas and cannot be pickled. pykan's node
        affine transforms stay at their identity initial values because they
        are not trained (``affine_trainable=False``), so copying the edge
        parameters reproduces the network exactly.
        """
        layers = self.model.act_fun
        network = KANNetwork(
            layers[0].in_dim,
            layers[0].out_dim,
            layers[1].out_dim,
            layers[0].num,
            layers[0].k,
            torch.Generator(),
        )
        with torch.no_grad():
            for ours, theirs in zip(network.layers, layers, strict=True):
                mask = theirs.mask.detach().cpu()
                ours.knots = theirs.grid.detach().cpu().clone()
                ours.base_weight.copy_(theirs.scale_base.detach().cpu() * mask)
                ours.spline_scale.copy_(theirs.scale_sp.detach().cpu() * mask)
                ours.coef.copy_(theirs.coef.detach().cpu())
            network.input_mean.copy_(input_mean)
            network.input_scale.copy_(input_scale)
        return network.eval()
