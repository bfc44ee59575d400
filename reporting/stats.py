"""Small statistics the reports need, exact on small hand-made data sets."""

from statistics import NormalDist


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float | None:
    return percentile(values, 0.5)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion: sound for small samples and rates near 0."""
    if not trials:
        return None
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    spread = z * ((p * (1 - p) / trials + z * z / (4 * trials * trials)) ** 0.5) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def two_proportion_p_value(a_successes: int, a_trials: int, b_successes: int, b_trials: int) -> float | None:
    """Two-sided p-value of a difference between two proportions (pooled z-test)."""
    if not a_trials or not b_trials:
        return None
    pooled = (a_successes + b_successes) / (a_trials + b_trials)
    spread = (pooled * (1 - pooled) * (1 / a_trials + 1 / b_trials)) ** 0.5
    if spread == 0:
        return 1.0
    z = (a_successes / a_trials - b_successes / b_trials) / spread
    return 2 * (1 - NormalDist().cdf(abs(z)))


def sample_size_per_arm(
    p_control: float, p_variant: float, alpha: float = 0.05, power: float = 0.8
) -> int | None:
    """Texts per variant needed to detect this difference (None when there is none to detect)."""
    difference = abs(p_variant - p_control)
    if difference == 0:
        return None
    normal = NormalDist()
    z_alpha, z_power = normal.inv_cdf(1 - alpha / 2), normal.inv_cdf(power)
    variance = p_control * (1 - p_control) + p_variant * (1 - p_variant)
    return int(((z_alpha + z_power) ** 2 * variance) / difference**2) + 1
