"""The policies' names, spelt once: the experiments' results, the verdicts, the tables of the
benchmarks appendix and the paper's reported numbers all key on these."""

SFT, DPO, DPO_2X = "SFT", "DPO", "DPO 2x"
#: The paper's online DPO, one round from SFT or from the offline DPO policy, judged by the learned
#: reward model.
ONLINE_SFT, ONLINE_DPO = "Online DPO (SFT)", "Online DPO (DPO)"
ONLINE_FROM = {SFT: ONLINE_SFT, DPO: ONLINE_DPO}
#: The same rounds judged by the gold judge (the verifier itself).
GOLD_SFT, GOLD_DPO = f"{ONLINE_SFT}, gold judge", f"{ONLINE_DPO}, gold judge"
#: Online DPO (SFT) judged by the linear reference (the simple verifier class).
SIMPLE_JUDGED = f"{ONLINE_SFT}, simple RM"
#: TRL's fully online DPO, sampling from the current policy at every step.
TRL_ONLINE = "Online DPO (TRL, fully online)"
#: H1 and H3's variants of Online DPO (SFT): pairs labelled by the verifier, and more prompts.
VERIFIER_LABELS, MORE_PROMPTS = f"{ONLINE_SFT}, verifier labels", f"{ONLINE_SFT}, more prompts"
#: The dial's offline baseline: DPO at the epochs the held-out rule chose.
TUNED_DPO = "DPO (tuned)"
