"""The pure-Python opinion miner behind 群众点题: no Django here, so it runs the same in a web request, a worker,
the ``dianti mine`` command and the benchmark.

Modules, in pipeline order: :mod:`.normalize`, :mod:`.segment`, :mod:`.features`, :mod:`.dedupe`, :mod:`.cluster`,
:mod:`.label`, :mod:`.heat`, :mod:`.classify`, and :mod:`.pipeline`, which chains them (helped by :mod:`.route`,
:mod:`.ngrams` and :mod:`.linkage`; :mod:`.lexicon`, the curated synonym table, lets :mod:`.features` see one
concept in different wordings); :mod:`.records` holds what it reads and reports, :mod:`.state` the stored state
and :mod:`.incremental` the one-at-a-time :func:`assign`. The Django layer calls:

* :func:`mine` (a whole organization or file) and :func:`assign` (one new opinion, in place on the stored state);
* :class:`KeywordClassifier` / :class:`LearnedClassifier` (``fit``, ``predict``, ``to_bytes``/``from_bytes``);
* :func:`heat` to recompute a topic's heat after staff merge, split or move opinions;
* :func:`.suggest.suggest` for the workbench's merge suggestions and nearest topics (:mod:`.pairs` measures
  paraphrase grouping for the benchmark).
"""

from .classify import DEFAULT_CATEGORIES, Category, KeywordClassifier, LearnedClassifier, Prediction
from .heat import Heat, HeatConfig, Voice, heat
from .pipeline import Assignment, MiningConfig, MiningResult, Opinion, Topic, TopicsState, assign, mine

__all__ = [
    "DEFAULT_CATEGORIES", "Assignment", "Category", "Heat", "HeatConfig", "KeywordClassifier", "LearnedClassifier",
    "MiningConfig", "MiningResult", "Opinion", "Prediction", "Topic", "TopicsState", "Voice", "assign", "heat", "mine",
]
