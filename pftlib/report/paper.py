"""What the paper reports (Swamy et al., 2025), in one place: every number the book shows as the
paper's.  None of them is computed here; the pages print them beside ours, labelled as reported.

Its language-model experiments are Pythia models fine-tuned on Reddit TL;DR, judged by GPT-4o
against the human reference summaries.
"""

#: Winrate (%) against the reference, Pythia 1.4B (the paper's headline comparison).
WINRATE_1_4B = {"SFT": 26.2, "DPO": 49.7, "DPO 2x": 52.2, "Online DPO (SFT)": 56.1, "Online DPO (DPO)": 59.3}

#: H4: winrate (%) when every model is trained on one narrow judge-labelled set, Pythia 1.4B.
H4_WINRATE_1_4B = {"DPO": 56.8, "Online DPO (SFT)": 58.8, "Online DPO (DPO)": 65.2}

#: H5: mean validation Bradley–Terry likelihood of the preferred summary, per reward model and size.
LIKELIHOOD = {"1.4B": {"DPO-implicit": 0.526, "local": 0.567, "global": 0.593},
              "2.8B": {"DPO-implicit": 0.545, "local": 0.598, "global": 0.610}}
