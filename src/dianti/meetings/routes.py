"""The 述职会 API as the component mounts it: the reads of :mod:`.api` and the writes of :mod:`.api_writes` on one
router (same prefix, tags and auth; one URL per path for every method). The writes import the router and register on
it; this module imports both, so neither imports the other's importer."""

from . import api_writes  # noqa: F401  (registers the writes on the router)
from .api import router

__all__ = ["router"]
