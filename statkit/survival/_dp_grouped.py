"""One private curve per public group, by parallel composition."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from statkit.survival._dp_grid import count_patients
from statkit.survival._dp_kaplan_meier import DPKaplanMeier
from statkit.survival._input import check_survival_data
from statkit.utils._validation import check_generator, check_matching_lengths


@validate_params(
    {
        "estimator": [DPKaplanMeier],
        "time": ["array-like"],
        "event": ["array-like", None],
        "groups": ["array-like"],
        "labels": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def fit_grouped(estimator, time, event=None, *, groups, labels):
    """One private curve per group, charged by parallel composition.

    The groups are disjoint, so releasing one curve per group costs
    ``estimator.epsilon`` once. ``labels`` must be public (e.g. the trial's
    arms): every label gets a curve, even a group with no patients, so the
    output reveals nothing about which groups occur. Each group's noise comes
    from its own stream spawned from ``estimator.random_state``.

    When the edges are not public (no ``time_edges``, and not both ``t_max``
    and ``n_bins``), one grid is learned from all patients together (the
    default rule's noisy count and, without ``t_max``, its partition), and
    every group's counts are released on it with the rest of ε: the curves
    share their bins, so :func:`dp_logrank_test` can compare them. The grid
    and the counts compose sequentially, the groups' counts in parallel, so
    the total is still ``estimator.epsilon``.

    Parameters
    ----------
    estimator : DPKaplanMeier
        The unfitted template; its accountant, if any, is charged once.
    time : array-like of shape (n_samples,)
        Follow-up times.
    event : array-like of shape (n_samples,), default=None
        1/True for a death, 0/False for a censoring; None: all deaths.
    groups : array-like of shape (n_samples,)
        The group of each patient.
    labels : array-like of shape (n_groups,)
        The public group labels.

    Returns
    -------
    curves : dict
        Label -> released :class:`DPKaplanMeier`.

    Examples
    --------
    >>> from statkit.datasets import load_lung
    >>> from statkit.survival import DPKaplanMeier, fit_grouped
    >>> lung = load_lung()
    >>> curves = fit_grouped(DPKaplanMeier(1.0, t_max=1100, random_state=0),
    ...                      lung.time, lung.event, groups=lung.data[:, 2], labels=[1, 2])
    >>> sorted(curves)
    [1, 2]
    """
    data = check_survival_data(time, event)
    groups = np.asarray(groups)
    check_matching_lengths(time=data.time, groups=groups)
    labels = list(labels)
    if len(set(labels)) != len(labels) or not labels:
        raise ValueError("labels must be a non-empty sequence of distinct public group labels.")
    if not np.isin(groups, labels).all():
        # The offending value is private: the message does not show it.
        raise ValueError("groups holds a label not in labels; every group must be a public label.")
    accountant = estimator.accountant
    *streams, grid_stream = check_generator(estimator.random_state).spawn(len(labels) + 1)
    shards = []
    for label, stream in zip(labels, streams, strict=True):
        params = {**estimator.get_params(deep=False), "accountant": None, "random_state": stream}
        mask = groups == label
        shard = type(estimator)(**params)
        shards.append(shard.partial_fit(data.time[mask], data.event[mask]))
    if shards[0].sensitive_counts_.edges is None:
        pooled = count_patients(data, None)  # every patient is in one of the groups
        return _release_on_a_shared_grid(estimator, labels, shards, pooled, grid_stream)
    block = accountant.parallel(label="fit_grouped") if accountant is not None else None
    curves = {}
    for label, shard in zip(labels, shards, strict=True):
        if block is not None:
            block.spend(shard.epsilon, group=label, label=f"DPKaplanMeier group {label!r}")
        curves[label] = shard.release().set_params(accountant=accountant)
    return curves


def _release_on_a_shared_grid(estimator, labels, shards, pooled, rng):
    """Learn one grid from all patients' fine counts, then release each shard's counts on it."""
    accountant = estimator.accountant
    if accountant is not None:
        accountant.spend(
            estimator.epsilon,
            label="fit_grouped: one grid from all groups, then each group's counts "
            "(parallel composition)",
        )
    grid = estimator._learn_grid(pooled, rng)
    curves = {}
    for label, shard in zip(labels, shards, strict=True):
        fitted = shard._draw_release(
            shard.sensitive_counts_, shard._noise_rng, shard._band_rng, grid=grid
        )
        fitted["epsilon_spent_"] = float(estimator.epsilon)
        params = {**shard.get_params(deep=False), "accountant": accountant}
        curves[label] = type(estimator)(**params)._set(fitted)
    return curves
