"""Validation: named, sourced facts the model should reproduce, each with a tolerance.

- :mod:`abm.validation.checks`: the :class:`Check` record, the registry and evaluation;
- :mod:`abm.validation.setups`: the runs the checks need (baseline, Mexico's 2014 fiscal
  shock and 2023 reform with their counterfactuals, faster US permitting) and their worker;
- :mod:`abm.validation.starting`, :mod:`~abm.validation.policy`,
  :mod:`~abm.validation.pipeline`, :mod:`~abm.validation.fiscal`: the checks, by group;
- :mod:`abm.validation.report`: the table (text, CSV, markdown) and plots, written atomically;
- :mod:`abm.validation.cli`: ``abm validate``.
"""
