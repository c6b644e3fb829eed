"""The ranking metrics on hand-made scores."""

import numpy as np
import pytest

from trainer.metrics import kendall_tau, spread_calibration


def test_kendall_tau_of_a_perfect_and_a_reversed_order() -> None:
    y = np.arange(5.0)
    assert kendall_tau(y, y * 3) == pytest.approx(1.0)
    assert kendall_tau(y, -y) == pytest.approx(-1.0)


def test_spread_calibration_is_the_rank_correlation_of_spread_with_rank_error() -> None:
    y = np.arange(6.0)
    score = np.array([0.0, 1.0, 2.0, 5.0, 4.0, 3.0])  # the last three misranked by 2, 0 and 2
    error = np.array([0.0, 0.0, 0.0, 2.0, 0.0, 2.0])
    assert spread_calibration(y, score, error + 0.1 * np.arange(6)) > 0.8
    assert spread_calibration(y, score, -error) < -0.8
