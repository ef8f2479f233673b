"""Experiments on the model: runs over scenarios, replications and sampled designs.

Kept apart from the model (EMA Workbench style): the model never imports this package.

- :mod:`abm.outcomes` (below this package): the scalar headline outcomes of one run, declared
  once, with their practical thresholds;
- :mod:`abm.experiments.experiment_file`: the one loader of experiment files, with an explicit
  kind (compare / sweep / sensitivity) and one seed scheme (``replication_seeds``);
- :mod:`abm.experiments.stats`: t intervals and paired differences;
- :mod:`abm.experiments.engine`: runs many tasks on local processes or Dask, one atomic file
  per finished run, resumable;
- :mod:`abm.experiments.compare`: ``abm compare`` (scenarios x replications, paired
  differences, parameter uncertainty from :mod:`uncertain`; with :mod:`summary`,
  :mod:`plots`, :mod:`report`);
- :mod:`abm.experiments.sweep`: ``abm sweep`` (grid / Latin hypercube / Sobol designs x
  replications; :mod:`design`, :mod:`dask_backend`);
- :mod:`abm.experiments.sensitivity`: ``abm sensitivity`` (SALib Morris and Sobol);
- :mod:`abm.experiments.discover`: ``abm discover`` (scenario discovery with EMA's PRIM).
"""
