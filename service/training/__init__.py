"""Training predictors inside the service: the ``train`` job's request and result, a study's refits,
and whether this deployment can train at all (torch lives only in the train worker)."""
