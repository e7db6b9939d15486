"""The pages built from the other chapters' executed pages: the claims table (the paper's claims
beside this build's results) and the reproducibility appendix (what produced each page).  Both
read the pages back (:func:`glued`, :func:`provenance`), so they always show what those pages
computed in this build, never a copy."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from ..llm.policies import DPO, ONLINE_SFT
from ..provenance import locked, off_lock, package_key
from . import paper
from .verdicts import STATUSES


def glued(page: Path) -> dict[str, Any]:
    """Every value the page glued, by name (``glue("name", value)`` in its code)."""
    out = {}
    for cell in nbformat.read(page, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = next(iter(output["data"].values()))
                try:
                    out[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    out[name] = text
    return out


def provenance(page: Path) -> dict[str, Any]:
    """The page's provenance record: parameters, commit, versions, device, wall time."""
    return nbformat.read(page, as_version=4).metadata["pftlib"]["provenance"]


#: The paper's claims: the claim, the chapter page that tests it, the glued value that holds our
#: result, the glued status the chapter computed (one of verdicts.STATUSES), and what the paper
#: reports.
CLAIMS = [
    ("Soft RL is the reverse-KL projection of P*_r (lemma)", "01_likelihood", "verdict_projection",
     "claim_projection", "proved"),
    ("Soft RL on DPO's local reward returns the DPO policy", "01_likelihood", "verdict_roundtrip",
     "claim_roundtrip", "proved"),
    ("Theorem 2.2: online and offline PFT share their optima (isomorphic classes)", "02_all_roads",
     "sweep_verdict", "claim_theorem22", "proved"),
    ("SFT and maximum-entropy inverse RL coincide", "02_all_roads", "irl_verdict", "claim_irl", "proved"),
    ("H1: relabelling on-policy samples with the learned RM adds nothing", "02_all_roads", "h1_verdict",
     "claim_h1_exact", "data-processing argument"),
    ("Theorem 3.1: RLHF with a simple RM is MLE over its soft-optimal policies", "03_gap", "proper_verdict",
     "claim_proper", "proved"),
    ("With a simple verifier and a long horizon, online beats offline", "03_gap", "gap_verdict", "claim_gap",
     "the paper's explanation (H6)"),
    ("Online DPO (SFT) beats DPO on a language model", "04_pipeline", "online_dpo_verdict", "claim_online_dpo",
     f"{paper.WINRATE_1_4B[ONLINE_SFT]}% vs {paper.WINRATE_1_4B[DPO]}% winrate (1.4B)"),
    ("Global RMs have the highest validation likelihood, then local, then DPO-implicit", "05_reward_models",
     "lik_verdict", "claim_likelihood",
     "{global} > {local} > {DPO-implicit} (1.4B)".format_map(paper.LIKELIHOOD["1.4B"])),
    ("H1 on-policy samples carry new signal", "06_hypotheses", "h1_status", "claim_h1", "against"),
    ("H2 offline PFT regularises badly", "06_hypotheses", "h2_status", "claim_h2", "against"),
    ("H3 online optimisation is easier", "06_hypotheses", "h3_status", "claim_h3", "against"),
    ("H4 reward models use more or wider data", "06_hypotheses", "h4_status", "claim_h4", "against"),
    ("H5 global reward models generalise better", "06_hypotheses", "h5_status", "claim_h5", "not a root cause"),
    ("H6 the generation–verification gap (language model)", "07_gap_closers", "h6_status", "claim_h6",
     "most support"),
    ("Online's edge grows with the measured generation–verification gap (language model, across the dial's settings)",
     "90_benchmarks", "attribution", "claim_gap_slope", "predicted by H6 (not measured in the paper)"),
]


def claims_table(pages: Path) -> pd.DataFrame:
    """Every claim beside the result and status its chapter's executed page glued in this build."""
    values = {stem: glued(pages / f"{stem}.ipynb") for stem in {c[1] for c in CLAIMS}}
    table = pd.DataFrame([{
        "claim": claim, "chapter": int(stem[:2]), "the paper (reported)": paper,
        "our result (this build)": values[stem][name], "status": values[stem][status],
    } for claim, stem, name, status, paper in CLAIMS])
    unknown = set(table["status"]) - set(STATUSES)
    if unknown:
        raise ValueError(f"a chapter glued a claim status that is not one of verdicts.STATUSES: {unknown}")
    return table


def hypotheses_table(chapter: str, statuses: dict[str, str]) -> pd.DataFrame:
    """The paper's hypotheses that ``chapter`` tests, each with the paper's verdict (from
    :data:`CLAIMS`) and the one the chapter computed, given by its glue name in ``statuses``."""
    return pd.DataFrame([{"hypothesis": claim, "the paper's verdict": said, "our verdict (computed)": statuses[name]}
                         for claim, stem, name, _, said in CLAIMS if stem == chapter])


def runs_table(pages: Path, chapters) -> tuple[pd.DataFrame, list]:
    """One row per chapter page: when, where and how long it ran, its seeds and the parameters it
    changed from the defaults; and each page's ``(chapter, provenance record)``."""
    records = [(ch, provenance(pages / f"{ch.stem}.ipynb")) for ch in chapters]
    return pd.DataFrame([{
        "chapter": ch.title, "pft run": ch.slug, "executed": r["executed_utc"], "commit": r["commit"],
        "device": r["device"], "seconds": r["wall_s"],
        "seeds": f"{r['parameters']['seeds']} from seed {r['parameters']['seed']}" if "seeds" in r["parameters"]
                 else r["parameters"].get("seed", "none"),
        "parameters changed from the defaults": ", ".join(
            f"{k}={v!r}" for k, v in r["parameters"].items() if v != ch.schema.defaults()[k]) or "none",
    } for ch, r in records]), records


def versions_table(records: list, root: Path) -> tuple[pd.DataFrame, int, dict]:
    """Each package's version(s) across the pages beside the lock's pin; how many packages differ
    between pages; and, per page executed off the lock, its differences ``{name: (version, pinned)}``."""
    lock = locked(root)
    versions = pd.DataFrame({ch.stem: r["versions"] for ch, r in records})
    table = versions.apply(lambda row: " / ".join(sorted(set(row.dropna()))), axis=1).rename("version").to_frame()
    table["lock"] = [lock.get(package_key(name), "not pinned") for name in table.index]
    off = {ch.stem: diff for ch, r in records if (diff := off_lock(r["versions"], lock))}
    return table, int((versions.nunique(axis=1) > 1).sum()), off


def lock_verdict(off: dict) -> str:
    """In words: whether every page ran with the lock's versions, else which differ on which page
    (``off`` as :func:`versions_table` returns it)."""
    if not off:
        return "Every page was executed with the versions the lock pins."
    return "Pages executed with versions that differ from the lock: " + "; ".join(
        f"{stem} ({', '.join(f'{n} {v} (lock {w})' for n, (v, w) in d.items())})" for stem, d in off.items()) + "."
