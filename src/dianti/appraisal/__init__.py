"""评议考核 — appraisal: scoring, reliability and the annual assessment.

The scoring engine lives in :mod:`dianti.appraisal.engine` (no Django import, so importing this package does not
need Django settings); the Django app config is :mod:`dianti.appraisal.apps`.
"""

from .engine.alpha import krippendorff_alpha

__all__ = ["krippendorff_alpha"]
