"""The appraisal engine (评议考核): pure Python + numpy, no Django. The Django layer loads ballots, calls these
functions and stores what they return; they run unchanged in a worker, a CLI or a benchmark.

Modules: :mod:`.scheme` (versioned scoring schemes, with :mod:`.scale` and :mod:`.policy`), :mod:`.marks` (a ballot's mark, validity, small statistics),
:mod:`.scoring` (one subject), :mod:`.results` (what is published about it), :mod:`.batch` (many subjects,
vectorised), :mod:`.alpha` (Krippendorff's alpha), :mod:`.flags` (rater flags), :mod:`.shrinkage` (small-panel
weighted scores), :mod:`.assessment` (annual assessment, rankings, star grades).
"""

from .alpha import krippendorff_alpha, panel_alpha, ratings_matrix
from .assessment import AssessmentInput, AssessmentResult, assess, rank
from .batch import BatchResult, score_batch
from .flags import FlagConfig, RaterFlag, rater_flags
from .marks import Ballot, wilson_interval
from .results import Proposal, SubjectResult
from .scale import SchemeError
from .scheme import Scheme, default_scheme
from .scoring import score_subject
from .shrinkage import estimate_m, shrink_scores, weighted_rating

__all__ = [
    "AssessmentInput", "AssessmentResult", "Ballot", "BatchResult", "FlagConfig", "Proposal", "RaterFlag", "Scheme",
    "SchemeError", "SubjectResult", "assess", "default_scheme", "estimate_m", "krippendorff_alpha", "panel_alpha",
    "rank", "rater_flags", "ratings_matrix", "score_batch", "score_subject", "shrink_scores", "weighted_rating",
    "wilson_interval",
]
