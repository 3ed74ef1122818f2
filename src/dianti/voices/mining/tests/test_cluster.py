import numpy as np
import scipy.sparse as sp

from dianti.voices.mining.cluster import Graph, average_linkage, similarity_graph
from dianti.voices.mining.pipeline import MiningResult, mine

from .fixtures import op, village_opinions


def _topic_of(result: MiningResult, opinion_id: str) -> str | None:
    return result.assignments[opinion_id]


def test_same_place_and_problem_cluster_together() -> None:
    result = mine(village_opinions())
    lights = {_topic_of(result, f"o{i}") for i in (1, 2, 3, 4)}
    assert len(lights) == 1 and None not in lights


def test_same_place_different_problem_and_other_place_same_problem_stay_apart() -> None:
    result = mine(village_opinions())
    lights = _topic_of(result, "o1")
    assert _topic_of(result, "o5") != lights and _topic_of(result, "o6") != lights
    assert _topic_of(result, "o7") != lights and _topic_of(result, "o8") != lights
    assert _topic_of(result, "o5") == _topic_of(result, "o6") is not None
    assert _topic_of(result, "o7") == _topic_of(result, "o8") is not None


def test_a_district_name_alone_does_not_glue_messages() -> None:
    problems = ["路灯不亮", "垃圾清运不及时", "停车位不够", "公交班次太少", "学位紧张", "医保报销慢", "河道发臭"]
    result = mine([op(i, f"A3区{p}", f"A3区居民反映{p}") for i, p in enumerate(problems)])
    assert result.topics == []


def test_average_linkage_does_not_chain() -> None:
    # a-b and b-c are close, a-c are not: single linkage would chain all three.
    graph = Graph(3, np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.8], dtype=np.float32))
    labels = average_linkage(graph, link_threshold=0.5)
    assert labels[0] == labels[1] != labels[2]


def test_similarity_graph_is_blockwise_and_thresholded() -> None:
    rows = sp.csr_matrix(np.array([[1, 0, 0], [0.8, 0.6, 0], [0, 0, 1]], dtype=np.float32))
    graph = similarity_graph(rows, edge_threshold=0.5, block=1)
    assert list(zip(graph.rows.tolist(), graph.cols.tolist(), strict=True)) == [(0, 1)]
