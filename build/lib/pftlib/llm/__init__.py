"""Language-model preference fine-tuning on TRL: models, trainers, sampling, preference data,
reward models, judges and evaluation.  Submodules are imported on use (``from pftlib.llm import
trainers``), so checking a parameter does not load torch."""
