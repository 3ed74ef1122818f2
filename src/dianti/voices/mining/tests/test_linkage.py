import numpy as np
import pytest

from dianti.voices.mining.linkage import average_linkage


def _greedy_reference(n: int, sims: np.ndarray, threshold: float) -> list[int]:
    """The textbook algorithm on a dense matrix: merge the pair of highest average link while it reaches the
    threshold; return each node's cluster as the smallest node in it."""
    clusters = [[i] for i in range(n)]
    while True:
        best, pair = threshold, None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                link = sims[np.ix_(clusters[x], clusters[y])].mean()
                if link >= best:
                    best, pair = link, (x, y)
        if pair is None:
            break
        x, y = pair
        clusters[x] += clusters.pop(y)
    owner = [0] * n
    for members in clusters:
        for i in members:
            owner[i] = min(members)
    return owner


def _same_partition(labels: np.ndarray, owner: list[int]) -> bool:
    pairs = set(zip(labels.tolist(), owner, strict=True))
    return len(pairs) == len(set(labels.tolist())) == len(set(owner))


@pytest.mark.parametrize("round_min_merges", [1, 10**9])  # reciprocal-pair rounds, or the heap alone
def test_average_linkage_equals_the_greedy_algorithm(round_min_merges: int) -> None:
    rng = np.random.default_rng(5)
    n = 60
    groups = rng.integers(0, 12, n)
    sims = np.where(
        groups[:, None] == groups[None, :], rng.uniform(0.2, 0.9, (n, n)), rng.uniform(0, 0.35, (n, n))
    )
    sims[rng.random((n, n)) < 0.5] = 0.0  # a sparse graph: missing pairs count as 0
    sims = np.triu(sims, 1)
    sims = sims + sims.T
    rows, cols = np.nonzero(np.triu(sims, 1))
    labels = average_linkage(
        n, rows, cols, sims[rows, cols], link_threshold=0.25, round_min_merges=round_min_merges
    )
    assert _same_partition(labels, _greedy_reference(n, sims, 0.25))
    assert labels[0] == 0 and len(set(labels.tolist())) < n


def test_labels_follow_first_appearance_and_lonely_nodes_stay_alone() -> None:
    labels = average_linkage(4, np.array([1]), np.array([3]), np.array([0.9]), link_threshold=0.5)
    assert labels.tolist() == [0, 1, 2, 1]
