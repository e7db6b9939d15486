"""pftlib: the library behind the companion book to *All Roads Lead to Likelihood* (Swamy et al., 2025).

Where to start reading, in the order the book goes:

* :mod:`pftlib.theory`: exact preference fine-tuning on a token tree (Chapters 1 to 3 and H1):
  soft RL, Bradley–Terry, DPO, every route's fit, the generation–verification dial;
* :mod:`pftlib.tasks`: the synthetic summarisation tasks and their verifiers, the CPU stand-in for
  TL;DR;
* :mod:`pftlib.llm`: the language-model experiments on TRL (Chapters 4 to 7): one config per
  experiment (:mod:`pftlib.llm.config`), the stages of one seed (:mod:`pftlib.llm.pipeline`);
* :mod:`pftlib.report`: what the chapters' notebooks call (parameters, glue, charts, verdicts);
* :mod:`pftlib.publish` and :mod:`pftlib.cli`: the ``pft`` command that executes the notebooks with
  papermill and builds the book.

The library (``theory``, ``tasks``, ``llm``) never imports the book machinery (``report``,
``publish``); ``report`` may import ``publish``'s chapter registry, never the other way.
"""
