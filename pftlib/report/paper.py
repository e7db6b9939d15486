"""What the paper reports (Swamy et al., 2025), in one place: every number the book shows as the
paper's.  None of them is computed here; the pages print them beside ours, labelled as reported.

Its language-model experiments are Pythia models fine-tuned on Reddit TL;DR, judged by GPT-4o
against the human reference summaries.
"""

from ..llm.policies import DPO, DPO_2X, ONLINE_DPO, ONLINE_SFT, SFT

#: Winrate (%) against the reference, Pythia 1.4B (the paper's headline comparison).
WINRATE_1_4B = {SFT: 26.2, DPO: 49.7, DPO_2X: 52.2, ONLINE_SFT: 56.1, ONLINE_DPO: 59.3}

#: H4: winrate (%) when every model is trained on one narrow judge-labelled set, Pythia 1.4B.
H4_WINRATE_1_4B = {DPO: 56.8, ONLINE_SFT: 58.8, ONLINE_DPO: 65.2}

#: H5: mean validation Bradley–Terry likelihood of the preferred summary, per reward model and size.
LIKELIHOOD = {"1.4B": {"DPO-implicit": 0.526, "local": 0.567, "global": 0.593},
              "2.8B": {"DPO-implicit": 0.545, "local": 0.598, "global": 0.610}}

#: Winrate (%) against the reference, Pythia 2.8B (no DPO 2x reported).
WINRATE_2_8B = {SFT: 30.5, DPO: 54.9, ONLINE_SFT: 60.8, ONLINE_DPO: 59.4}

#: H3: Online DPO (SFT) winrate (%) with the original prompts and with about 2.3x as many.
H3_AUGMENTATION = {"1.4B": {"base": 56.1, "augmented": 56.6}, "2.8B": {"base": 60.8, "augmented": 61.2}}

#: H6, short horizon: winrate (%) of two-word summaries, Pythia 1.4B.
H6_TWO_WORD = {SFT: 6.3, DPO: 21.9, ONLINE_DPO: 23.2}

#: H6, ROUGE-L as the true reward: validation ROUGE-L, Pythia 1.4B.
H6_ROUGE = {DPO: 0.354, ONLINE_DPO: 0.352, DPO_2X: 0.358}


#: How an entry is spelt in a glued name.
_SHORT = {ONLINE_SFT: "online_sft", ONLINE_DPO: "online_dpo", DPO_2X: "dpo2x",
          "DPO-implicit": "implicit", "1.4B": "1_4b", "2.8B": "2_8b"}


def _key(name: str) -> str:
    return _SHORT.get(name, name).lower()


def named() -> dict[str, float]:
    """Every number above under the name a page's prose glues it by (``paper_<table>_<entry>``),
    e.g. ``paper_winrate_1_4b_online_sft`` for 56.1."""
    tables = {"winrate_1_4b": WINRATE_1_4B, "winrate_2_8b": WINRATE_2_8B, "h4_1_4b": H4_WINRATE_1_4B,
              "h6_two_word": H6_TWO_WORD, "h6_rouge": H6_ROUGE,
              **{f"likelihood_{_key(size)}": v for size, v in LIKELIHOOD.items()},
              **{f"h3_{_key(size)}": v for size, v in H3_AUGMENTATION.items()}}
    return {f"paper_{table}_{_key(entry)}": value
            for table, values in tables.items() for entry, value in values.items()}
