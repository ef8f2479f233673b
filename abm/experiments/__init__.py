"""Experiments on the model: runs over scenarios, replications and sampled designs.

Kept apart from the model (EMA Workbench style): the model never imports this package.

- :mod:`abm.outcomes`: the scalar headline outcomes of one run, declared once;
- :mod:`abm.experiments.stats`: confidence intervals and paired differences;
- :mod:`abm.experiments.engine`: runs many tasks on local processes, one atomic file per
  finished run, resumable;
- :mod:`abm.experiments.compare`: ``abm compare`` (scenarios x replications, paired
  differences; with :mod:`spec`, :mod:`summary`, :mod:`plots`, :mod:`report`);
- :mod:`abm.experiments.sweep`: ``abm sweep`` (grid / Latin hypercube / Sobol designs x
  replications; :mod:`experiment_file`, :mod:`design`, :mod:`dask_backend`);
- :mod:`abm.experiments.sensitivity`: ``abm sensitivity`` (SALib Morris and Sobol).
"""
