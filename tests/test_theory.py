"""The exact tabular engine against brute force on random small instances."""

from __future__ import annotations

import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pftlib import theory as T

instances = st.tuples(st.integers(2, 4), st.integers(1, 4), st.integers(1, 2), st.integers(0, 10_000))
betas = st.floats(0.05, 5.0)


def setup(V, H, prompts, seed):
    g = torch.Generator().manual_seed(seed)
    tree = T.Tree(V, H, prompts)
    return tree, g, tree.random_logits(g, scale=1.5)


def naive_log_probs(tree, logits):
    """Walk the tree completion by completion: sum_h log pi(a_h | prefix)."""
    out = torch.empty(tree.prompts, tree.n, dtype=T.DTYPE)
    for p in range(tree.prompts):
        for i, tokens in enumerate(tree.tokens().tolist()):
            total, prefix = 0.0, 0
            for h, a in enumerate(tokens):
                total += torch.log_softmax(logits[h][p, prefix], -1)[a].item()
                prefix = prefix * tree.V + a
            out[p, i] = total
    return out


@settings(max_examples=25, deadline=None)
@given(instances)
def test_log_probs_match_a_walk_of_the_tree(inst):
    tree, _, logits = setup(*inst)
    torch.testing.assert_close(T.log_probs(logits), naive_log_probs(tree, logits), rtol=0, atol=1e-12)
    torch.testing.assert_close(T.token_log_probs(logits).sum(-1), T.log_probs(logits), rtol=0, atol=1e-12)
    torch.testing.assert_close(T.probs(logits).sum(-1), torch.ones(tree.prompts, dtype=T.DTYPE))


@settings(max_examples=25, deadline=None)
@given(instances, betas)
def test_soft_optimal_is_the_enumerated_tilt(inst, beta):
    tree, g, ref = setup(*inst)
    reward = 3 * torch.randn(tree.prompts, tree.n, generator=g, dtype=T.DTYPE)
    pi, log_z = T.soft_optimal(reward, ref, beta)
    brute = T.log_probs(ref) + reward / beta
    torch.testing.assert_close(log_z, torch.logsumexp(brute, -1), rtol=0, atol=1e-10)
    torch.testing.assert_close(T.log_probs(pi), brute - torch.logsumexp(brute, -1, keepdim=True), rtol=0, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(instances, betas)
def test_projection_lemma_holds_for_every_policy(inst, beta):
    tree, g, ref = setup(*inst)
    reward = torch.randn(tree.prompts, tree.n, generator=g, dtype=T.DTYPE)
    pi_star, log_z = T.soft_optimal(reward, ref, beta)
    other = tree.random_logits(g, scale=2.0)
    lhs = T.objective(other, reward, ref, beta)
    rhs = beta * log_z - beta * T.kl(T.log_probs(other), T.log_probs(pi_star))
    torch.testing.assert_close(lhs, rhs, rtol=0, atol=1e-10)
    assert torch.all(T.objective(pi_star, reward, ref, beta) >= lhs - 1e-12)


@settings(max_examples=25, deadline=None)
@given(instances, betas)
def test_soft_optimal_policy_of_a_local_reward_is_the_policy(inst, beta):
    tree, g, ref = setup(*inst)
    policy = tree.random_logits(g, scale=2.0)
    back, log_z = T.soft_optimal(T.local_reward(policy, ref, beta), ref, beta)
    for b, p in zip(back, T.normalize(policy)):
        torch.testing.assert_close(b, p, rtol=0, atol=1e-10)
    torch.testing.assert_close(log_z, torch.zeros_like(log_z), rtol=0, atol=1e-10)


def test_bt_likelihood_and_dpo_loss_match_their_definitions():
    tree, g, ref = setup(3, 3, 2, 7)
    reward = torch.randn(tree.prompts, tree.n, generator=g, dtype=T.DTYPE)
    pairs = T.sample_pairs(reward, T.log_probs(ref), 50, g)
    naive = sum(
        math.log(1 / (1 + math.exp(-(reward[p, c] - reward[p, r]).item())))
        for p, c, r in zip(pairs.prompt.tolist(), pairs.chosen.tolist(), pairs.rejected.tolist())
    ) / len(pairs)
    assert abs(T.bt_log_likelihood(reward, pairs).item() - naive) < 1e-12
    policy = tree.random_logits(g)
    assert abs(T.dpo_loss(policy, ref, 0.7, pairs).item()
               + T.bt_log_likelihood(0.7 * (T.log_probs(policy) - T.log_probs(ref)), pairs).item()) < 1e-12


def test_dpo_gradient_matches_finite_differences():
    tree, g, ref = setup(2, 3, 1, 3)
    reward = torch.randn(1, tree.n, generator=g, dtype=T.DTYPE)
    pairs = T.sample_pairs(reward, T.log_probs(ref), 40, g)
    policy = [layer.clone().requires_grad_(True) for layer in tree.random_logits(g)]
    assert torch.autograd.gradcheck(lambda *ls: T.dpo_loss(list(ls), ref, 0.5, pairs), tuple(policy))


def test_sampled_labels_follow_bradley_terry():
    g = torch.Generator().manual_seed(0)
    reward = torch.tensor([[0.0, 1.0]], dtype=T.DTYPE)
    pairs = T.sample_pairs(reward, torch.log(torch.tensor([[0.5, 0.5]], dtype=T.DTYPE)), 40_000, g)
    mixed = pairs.chosen != pairs.rejected
    p_hat = (pairs.chosen[mixed] == 1).double().mean().item()
    assert abs(p_hat - 1 / (1 + math.exp(-1))) < 0.01  # about 5 standard errors at this n


def test_minimize_reaches_the_mle_of_a_tabular_reward():
    """With every pair compared both ways, the BT MLE is finite and its gradient vanishes."""
    g = torch.Generator().manual_seed(1)
    tree = T.Tree(2, 2)
    truth = torch.randn(1, tree.n, generator=g, dtype=T.DTYPE)
    pairs = T.sample_pairs(truth, torch.full((1, tree.n), -math.log(tree.n), dtype=T.DTYPE), 5000, g)
    reward = torch.zeros(1, tree.n, dtype=T.DTYPE)
    T.minimize([reward], lambda: -T.bt_log_likelihood(reward, pairs))
    reward.requires_grad_(True)
    (-T.bt_log_likelihood(reward, pairs)).backward()
    assert reward.grad.abs().max() < 1e-6
    fitted, true = reward.detach() - reward.detach().mean(), truth - truth.mean()
    assert (fitted - true).abs().max() < 0.15


def test_the_million_completion_tree_fits_in_memory():
    """V=4, H=10: sampling 100k pairs, the soft-optimal policy and a DPO gradient, all O(V**H)."""
    g = torch.Generator().manual_seed(0)
    tree = T.Tree(4, 10)
    ref = tree.random_logits(g)
    reward = torch.randn(1, tree.n, generator=g, dtype=T.DTYPE)
    pairs = T.sample_pairs(reward, T.log_probs(ref), 100_000, g)
    pi, log_z = T.soft_optimal(reward, ref, 0.5)
    policy = [layer.clone().requires_grad_(True) for layer in pi]
    T.dpo_loss(policy, ref, 0.5, pairs).backward()
    assert len(pairs) == 100_000 and int(pairs.chosen.max()) < tree.n
    assert abs(T.probs(pi).sum().item() - 1) < 1e-9 and all(p.grad is not None for p in policy)


def test_the_naive_benchmark_loop_computes_what_the_engine_computes():
    from pftlib.theory import bench

    g = torch.Generator().manual_seed(5)
    tree = T.Tree(3, 4)
    ref = tree.random_logits(g)
    reward = torch.randn(1, tree.n, generator=g, dtype=T.DTYPE)
    assert max(abs(a - b) for a, b in zip(bench.naive_log_probs(tree, ref), T.log_probs(ref)[0].tolist())) < 1e-12
    policy, log_z = bench.naive_soft_optimal(tree, reward[0].tolist(), ref, 0.5)
    pi, z = T.soft_optimal(reward, ref, 0.5)
    assert abs(log_z - z.item()) < 1e-10
    for h in range(tree.H):
        torch.testing.assert_close(torch.tensor(policy[h], dtype=T.DTYPE), pi[h][0], rtol=0, atol=1e-10)
    rows = bench.benchmark(V=2, max_horizon=3, naive_max=4)
    assert [r["completions"] for r in rows] == [2, 4, 8] and rows[-1]["naive loop s"] is None
    assert all(r["engine s"] > 0 for r in rows)


def test_chapter_1s_demonstrations_measure_what_they_name():
    from pftlib.theory import likelihood as L

    tree, g, ref = setup(3, 3, 1, 7)
    reward, beta = 2 * torch.randn(1, tree.n, generator=g, dtype=T.DTYPE), 0.5
    pi_star, log_z = T.soft_optimal(reward, ref, beta)
    log_p_star = T.log_probs(pi_star)
    rows = L.random_policies(tree, reward, ref, beta, log_p_star, 20, g)  # the projection lemma, row by row
    assert len(rows) == 20 and all(abs(r["J"] - beta * (log_z.item() - r["KL to P*"])) < 1e-12 for r in rows)
    trace = [r["KL to P*"] for r in L.gradient_trace(ref, reward, beta, log_p_star, steps=300)]
    assert len(trace) == 301 and trace[-1] < 1e-3 * trace[0]
    pairs = T.sample_pairs(reward, T.log_probs(ref), 50, g)
    counts, wins, weights = L.data_weights(pairs, tree.n)
    assert counts.sum() == 100 and wins.sum() == 50 and abs(weights.sum().item() - 1) < 1e-12
    x = L.centre(reward, weights)
    assert abs((weights * x).sum().item()) < 1e-12  # centred where the data are
    assert abs(L.weighted_corr(x, 3 * x, weights) - 1) < 1e-12 and abs(L.weighted_corr(x, -x, weights) + 1) < 1e-12
    rows = L.policy_rows({"ref": ref, "optimal": pi_star}, reward, T.log_probs(ref))
    assert rows[0]["KL(P_π ‖ P_ref)"] == 0 and rows[1]["E[r*] (true reward)"] > rows[0]["E[r*] (true reward)"]


def test_completion_labels_spell_out_the_tokens():
    assert T.Tree(2, 2).labels() == ["0 0", "0 1", "1 0", "1 1"]
