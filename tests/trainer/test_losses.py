"""Each vectorised loss against a brute-force loop over pairs / triplets on tiny inputs."""

import math
from itertools import permutations

import pytest
import torch

from trainer.losses import (
    PHIS,
    all_triplets,
    mse_loss,
    pairwise_ranking_loss,
    renas_loss,
    sample_triplets,
    triplet_continuity_loss,
)


def phi_ref(z: float, kind: str, margin: float) -> float:
    return {"hinge": max(0.0, margin - z), "logistic": math.log1p(math.exp(-z)), "exponential": math.exp(-z)}[
        kind
    ]


def sign(v: float) -> float:
    return float((v > 0) - (v < 0))


def dist(a: list[float], b: list[float]) -> float:
    return math.sqrt(sum((p - q) ** 2 for p, q in zip(a, b, strict=True)))


def pairwise_ref(f: list[float], y: list[float], kind: str, margin: float) -> float:
    terms = [
        phi_ref((f[i] - f[j]) * sign(y[i] - y[j]), kind, margin)
        for i, j in permutations(range(len(f)), 2)
        if y[i] != y[j]
    ]
    return sum(terms) / len(terms)


def triplet_ref(h: list[list[float]], y: list[float], triplets, kind: str, margin: float) -> float:
    terms = []
    for i, j, k in triplets:
        s = sign(abs(y[i] - y[k]) - abs(y[i] - y[j]))
        if len({i, j, k}) == 3 and s != 0:
            terms.append(phi_ref((dist(h[i], h[k]) - dist(h[i], h[j])) * s, kind, margin))
    return sum(terms) / len(terms)


# dyadic labels (exact in float32) with a tie (0.5, 0.5) and equal gaps, so masking is exercised
Y = [0.875, 0.125, 0.5, 0.5, 0.75]
F = [0.3, -1.2, 0.8, 0.1, 2.0]
H = [[0.0, 1.0], [2.0, -1.0], [0.5, 0.5], [1.5, 1.0], [-1.0, 0.0]]


@pytest.mark.parametrize("kind", PHIS)
def test_pairwise_loss_matches_brute_force(kind: str) -> None:
    got = pairwise_ranking_loss(torch.tensor(F), torch.tensor(Y), kind=kind, margin=0.3)
    assert got.item() == pytest.approx(pairwise_ref(F, Y, kind, 0.3), rel=1e-6)


@pytest.mark.parametrize("kind", PHIS)
def test_triplet_loss_matches_brute_force_on_all_triplets(kind: str) -> None:
    got = triplet_continuity_loss(torch.tensor(H), torch.tensor(Y), kind=kind, margin=0.3)
    expected = triplet_ref(H, Y, permutations(range(len(H)), 3), kind, 0.3)
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_triplet_loss_samples_when_triplets_do_not_fit() -> None:
    h, y = torch.tensor(H), torch.tensor(Y)
    got = triplet_continuity_loss(h, y, max_triplets=20, generator=torch.Generator().manual_seed(3))
    drawn = sample_triplets(len(H), 20, torch.Generator().manual_seed(3)).tolist()
    assert got.item() == pytest.approx(triplet_ref(H, Y, drawn, "logistic", 0.1), rel=1e-5)


def test_all_triplets_are_distinct_and_complete() -> None:
    t = all_triplets(4).tolist()
    assert sorted(map(tuple, t)) == sorted(permutations(range(4), 3))


def test_renas_loss_is_l1_plus_lambda_l2() -> None:
    f, h, y = torch.tensor(F), torch.tensor(H), torch.tensor(Y)
    expected = pairwise_ref(F, Y, "hinge", 0.1) + 0.25 * triplet_ref(
        H, Y, permutations(range(5), 3), "hinge", 0.1
    )
    assert renas_loss(f, h, y, kind="hinge", lam=0.25).item() == pytest.approx(expected, rel=1e-5)


def test_mse_matches_brute_force() -> None:
    expected = sum((p - q) ** 2 for p, q in zip(F, Y, strict=True)) / len(F)
    assert mse_loss(torch.tensor(F), torch.tensor(Y)).item() == pytest.approx(expected, rel=1e-6)


def test_pairwise_loss_prefers_the_right_order() -> None:
    y = torch.tensor([1.0, 2.0, 3.0])
    right = pairwise_ranking_loss(torch.tensor([0.0, 1.0, 2.0]), y)
    wrong = pairwise_ranking_loss(torch.tensor([2.0, 1.0, 0.0]), y)
    assert right < wrong


def test_losses_have_finite_gradients_with_identical_features() -> None:
    h = torch.zeros(4, 3, requires_grad=True)
    triplet_continuity_loss(h, torch.tensor([0.1, 0.2, 0.4, 0.8])).backward()
    assert torch.isfinite(h.grad).all()


def test_unknown_phi_is_named() -> None:
    with pytest.raises(ValueError, match="unknown phi 'square'"):
        pairwise_ranking_loss(torch.tensor(F), torch.tensor(Y), kind="square")  # type: ignore[arg-type]
