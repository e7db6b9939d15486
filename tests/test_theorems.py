"""The paper's theorems on random small instances, against brute force where one exists."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pftlib import theory as T
from pftlib.theory import fit as F
from pftlib.theory.compare import (
    policy_residual,
    proper_by_search,
    regret,
    relabel_regrets,
    reward_residual,
    within_component_gap,
)
from pftlib.theory.preferences import components, relabel
from pftlib.theory.rewards import reward_class

instances = st.tuples(st.integers(2, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 10_000),
                      st.sampled_from([5, 40, 400]))


def setup(V, H, prompts, seed, n_pairs, eps=0.1):
    g = torch.Generator().manual_seed(seed)
    tree = T.Tree(V, H, prompts)
    ref = tree.random_logits(g, scale=0.7)
    truth = 2 * torch.randn(prompts, tree.n, generator=g, dtype=T.DTYPE)
    pairs = T.sample_pairs(truth, T.log_probs(ref), n_pairs, g).with_pseudocounts(eps)
    return tree, g, ref, truth, pairs


def brute_components(pairs, prompts, n):
    label = {}
    for p, a, b in zip(pairs.prompt.tolist(), pairs.chosen.tolist(), pairs.rejected.tolist()):
        label.setdefault((p, a), {(p, a)})
        label.setdefault((p, b), {(p, b)})
        merged = label[(p, a)] | label[(p, b)]
        for node in merged:
            label[node] = merged
    return {frozenset(s) for s in label.values()}


@settings(max_examples=30, deadline=None)
@given(instances)
def test_components_match_a_brute_force_union(inst):
    tree, _, _, _, pairs = setup(*inst)
    comp = components(pairs, tree.prompts, tree.n)
    found = {frozenset((p, i) for p in range(tree.prompts) for i in range(tree.n) if comp[p, i] == c)
             for c in comp[comp >= 0].unique().tolist()}
    assert found == brute_components(pairs, tree.prompts, tree.n)


def test_pseudocounts_add_both_outcomes_once_per_distinct_pair():
    pairs = T.Pairs(torch.tensor([0, 0, 0]), torch.tensor([1, 2, 1]), torch.tensor([2, 1, 1]))
    aug = pairs.with_pseudocounts(0.25)
    extra = set(zip(aug.chosen[3:].tolist(), aug.rejected[3:].tolist(), aug.weights()[3:].tolist()))
    assert extra == {(1, 2, 0.25), (2, 1, 0.25)}  # the self-comparison (1, 1) adds nothing


@settings(max_examples=12, deadline=None)
@given(instances, st.floats(0.1, 3.0))
def test_theorem_2_2_online_and_offline_share_their_optima(inst, beta):
    tree, _, ref, _, pairs = setup(*inst)
    reward, online = F.fit_online(reward_class("tabular", tree), ref, beta, pairs)
    offline = F.fit_dpo(ref, beta, pairs)
    # the same optimal value
    assert abs(T.dpo_loss(online, ref, beta, pairs) - T.dpo_loss(offline, ref, beta, pairs)) < 1e-9
    # the same reward differences wherever the data identify them
    comp = components(pairs, tree.prompts, tree.n)
    r_on, r_off = T.local_reward(online, ref, beta), T.local_reward(offline, ref, beta)
    assert within_component_gap(comp, r_on, r_off) < 1e-3
    # each route's optimum is an optimum of the other route's problem
    assert reward_residual(r_off, pairs) < 1e-7 and policy_residual(online, ref, beta, pairs) < 1e-7


@settings(max_examples=12, deadline=None)
@given(instances, st.sampled_from(["token_counts", "token_at_position"]), st.floats(0.2, 2.0))
def test_theorem_3_1_online_over_a_simple_class_is_mle_over_its_soft_optimal_policies(inst, features, beta):
    """Two different computations (the reward likelihood by L-BFGS then Newton; the policies'
    DPO likelihood by Newton through soft value iteration, from zero) land on the same policy,
    each fit at its gradient tolerance."""
    tree, _, ref, _, pairs = setup(*inst)
    model = reward_class(features, tree)
    with T.recording() as fits:
        _, online = F.fit_online(model, ref, beta, pairs, 1e-12)
        proper = F.fit_proper(model, ref, beta, pairs, 1e-12)
    assert [f.name for f in fits] == ["reward MLE (linear)", "proper route (linear)"]
    assert all(f.converged for f in fits), fits
    torch.testing.assert_close(T.log_probs(online), T.log_probs(proper), rtol=0, atol=1e-9)


@settings(max_examples=6, deadline=None)
@given(st.integers(1, 4), st.integers(0, 10_000), st.sampled_from([40, 400]))
def test_theorem_3_1_against_a_brute_force_search_over_the_one_direction_that_matters(H, seed, n_pairs):
    tree, _, ref, _, pairs = setup(2, H, 1, seed, n_pairs)
    model = reward_class("token_counts", tree)
    _, online = F.fit_online(model, ref, 0.5, pairs, 1e-12)
    found, width = proper_by_search(tree, ref, 0.5, pairs)
    assert width < 1e-10
    # loss values resolve w only to about sqrt(machine epsilon)
    torch.testing.assert_close(T.log_probs(online), T.log_probs(found), rtol=0, atol=1e-5)


def test_a_fit_that_stops_above_its_tolerance_says_so():
    x = torch.tensor([3.0], dtype=T.DTYPE)
    with T.recording() as fits:
        T.minimize([x], lambda: (x ** 4).sum(), max_iter=1, grad_tol=1e-30, name="quartic")
        T.newton([torch.tensor([3.0], dtype=T.DTYPE)], lambda p: (p[0] ** 2).sum(), 1e-12, name="quadratic")
    assert [(f.name, f.converged) for f in fits] == [("quartic", False), ("quadratic", True)]
    assert fits[1].grad == 0.0  # Newton solves a quadratic in one step


@settings(max_examples=10, deadline=None)
@given(instances, st.sampled_from(["tabular", "token_counts", "token_at_position"]))
def test_every_reward_mle_ends_at_its_tolerance_on_the_summed_likelihood(inst, features):
    tree, _, _, _, pairs = setup(*inst)
    with T.recording() as fits:
        reward = F.fit_reward(reward_class(features, tree), pairs, 1e-11)
    assert len(fits) == 1 and fits[0].converged and fits[0].grad <= 1e-11
    r = reward.clone().requires_grad_(True)
    (-pairs.weights().sum() * T.bt_log_likelihood(r, pairs)).backward()
    if features == "tabular":  # the recorded gradient is the true one (for the tabular class, w = r)
        assert r.grad.abs().max() <= 1e-11


@settings(max_examples=12, deadline=None)
@given(instances)
def test_sft_and_maximum_entropy_irl_coincide_with_the_smoothed_empirical_distribution(inst):
    tree, g, ref, truth, _ = setup(*inst)
    demos = F.Demos.sample(T.log_probs(ref) + truth, 50, g).with_pseudocounts(0.1, tree.prompts, tree.n)
    empirical = torch.zeros(tree.prompts, tree.n, dtype=T.DTYPE).index_put_(
        (demos.prompt, demos.completion), demos.weight, accumulate=True)
    empirical /= empirical.sum(-1, keepdim=True)
    sft = F.fit_sft(ref, demos)
    _, irl = F.fit_irl(reward_class("tabular", tree), ref, 0.7, demos)
    torch.testing.assert_close(T.log_probs(sft), empirical.log(), rtol=0, atol=1e-4)
    torch.testing.assert_close(T.log_probs(irl), T.log_probs(sft), rtol=0, atol=1e-4)


def test_relabelling_with_the_learned_reward_keeps_the_fit():
    """H1: labels drawn (in expectation) from the learned RM add no information: refitting on
    them returns the same reward differences on every component."""
    tree, g, ref, _, pairs = setup(3, 2, 1, 3, 300)
    model = reward_class("tabular", tree)
    reward = F.fit_reward(model, pairs)
    fresh = T.sample_pairs(reward, T.log_probs(ref), 300, g)
    refit = F.fit_reward(model, relabel(fresh, reward))
    comp = components(fresh, tree.prompts, tree.n)
    assert within_component_gap(comp, refit, reward) < 1e-3


def test_h1_experiment_relabelled_pairs_leave_the_regret_and_true_labels_lower_it():
    """The chapters' H1 experiment: on-policy pairs labelled by the learned RM do not move the
    online route's regret; as many pairs labelled by the true labeller do lower it."""
    tree, g, ref, truth, pairs = setup(3, 2, 2, 7, 200)
    regrets = list(relabel_regrets(reward_class("tabular", tree), ref, truth, 0.5, pairs,
                                   400, 0.1, g).values())
    assert abs(regrets[1] - regrets[0]) < 1e-4
    assert regrets[2] < regrets[0]


def test_reward_classes():
    tree = T.Tree(3, 2)
    counts = reward_class("token_counts", tree).features
    assert counts.shape == (9, 3) and torch.equal(counts.sum(1), torch.full((9,), 2.0, dtype=T.DTYPE))
    assert reward_class("token_at_position", tree).features.shape == (9, 6)
    try:
        reward_class("neural", tree)
    except ValueError as err:
        assert "unknown reward class" in str(err)
    else:
        raise AssertionError("an unknown class must be refused")


def test_regret_is_zero_only_at_the_soft_optimal_policy():
    tree, g, ref, truth, _ = setup(3, 2, 2, 0, 5)
    optimal, _ = T.soft_optimal(truth, ref, 0.5)
    assert regret(optimal, truth, ref, 0.5).abs().max() < 1e-12
    other = tree.random_logits(g)
    direct = T.objective(optimal, truth, ref, 0.5) - T.objective(other, truth, ref, 0.5)
    torch.testing.assert_close(regret(other, truth, ref, 0.5), direct, rtol=0, atol=1e-10)
    assert torch.all(direct > 0)


@settings(max_examples=5, deadline=None)  # each projection restarts 9 times: seconds per example
@given(instances, st.sampled_from(["token_counts", "token_at_position"]))
def test_projection_onto_soft_optimal_policies_of_a_simple_class(inst, features):
    tree, g, ref, _, _ = setup(*inst)
    model = reward_class(features, tree)
    w = torch.randn(tree.prompts, model.features.shape[1], generator=g, dtype=T.DTYPE)
    inside = T.log_probs(T.soft_optimal(model([w]), ref, 0.5)[0])
    # a target inside the class projects onto itself
    projected = T.log_probs(T.fit_projection(model, ref, 0.5, inside))
    assert T.kl(projected, inside).max() < 1e-8
    # a target outside: the projection is at least as close (in reverse KL) as any other member
    outside = T.log_probs(tree.random_logits(g, scale=2.0))
    best = T.kl(T.log_probs(T.fit_projection(model, ref, 0.5, outside)), outside)
    for _ in range(5):
        other = torch.randn(tree.prompts, model.features.shape[1], generator=g, dtype=T.DTYPE)
        member = T.log_probs(T.soft_optimal(model([other]), ref, 0.5)[0])
        assert torch.all(best <= T.kl(member, outside) + 1e-9)


@settings(max_examples=10, deadline=None)
@given(instances)
def test_the_books_form_is_the_papers_literal_form_at_beta_1_with_a_uniform_reference(inst):
    """E[r] - KL(P_pi || uniform) = E[r] + entropy - H log V, the book's DPO loss is the BT loss of
    sum_h log pi, and Theorem 2.2 holds in that form."""
    tree, g, _, truth, _ = setup(*inst)
    uniform = tree.uniform_logits()
    pairs = T.sample_pairs(truth, T.log_probs(uniform), 60, g).with_pseudocounts(0.1)
    shift = tree.H * torch.log(torch.tensor(float(tree.V), dtype=T.DTYPE))
    for pi in (tree.random_logits(g), tree.random_logits(g, scale=3.0)):
        torch.testing.assert_close(T.objective(pi, truth, uniform, 1.0), T.paper_objective(pi, truth) - shift,
                                   rtol=0, atol=1e-12)
        assert abs(T.dpo_loss(pi, uniform, 1.0, pairs) + T.bt_log_likelihood(T.log_probs(pi), pairs)) < 1e-12
    _, online = F.fit_online(reward_class("tabular", tree), uniform, 1.0, pairs)
    offline = F.fit_dpo(uniform, 1.0, pairs)
    assert abs(T.dpo_loss(online, uniform, 1.0, pairs) - T.dpo_loss(offline, uniform, 1.0, pairs)) < 1e-9


def test_chapter_2_and_3_tables():
    from pftlib.theory.all_roads import AllRoads
    from pftlib.theory.gap_dial import GapDial

    cfg = AllRoads(V=2, H=3, prompts=1, max_pairs=30, n_demos=40)
    g, ref, truth, coverage = cfg.instance(0)
    online, offline, comp, _ = cfg.compare_routes(ref, cfg.pairs(truth, coverage["narrow"], 12, g))
    rows = cfg.centred_rewards(ref, online, offline, comp)
    assert len(rows) == cfg.tree.n
    identified = [r for r in rows if r["data"] == "identified by the data"]
    assert identified and all(abs(r["online"] - r["offline"]) < 1e-6 for r in identified)  # Theorem 2.2
    _, _, _, demos = cfg.sft_vs_irl(0)
    assert demos.counts(1, cfg.tree.n, observed=True).sum() == cfg.n_demos
    assert abs(demos.counts(1, cfg.tree.n).sum().item() - cfg.n_demos - cfg.pseudocount * cfg.tree.n) < 1e-9

    dial = GapDial(max_horizon=3)
    sizes = dial.class_sizes()
    assert [r["policy class: free numbers"] for r in sizes] == [1, 3, 7]  # sum_h V^h (V - 1) for V = 2
    assert [r["completions V^H"] for r in sizes] == [2, 4, 8]
    credit, err = dial.credit(3)
    assert err < 1e-12 and len(credit) == 2 * 8 * 3
    assert all(r["credit"] == 0 for r in credit if r["reward model"].startswith("global") and r["token"] < 2)
    right, wrong = dial.route_regrets(3, 0, 1e-6), dial.route_regrets(3, 0, 1e-6, misspecified=True)
    assert min(right + wrong) >= 0 and right != wrong  # a regret is a KL; the misspecified truth is another reward
