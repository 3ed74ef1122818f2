"""Settings for the test suite (pyproject's ``DJANGO_SETTINGS_MODULE``): the development path, stated explicitly.

Without ``DIANTI_DEBUG=1`` the settings are production's, which refuse to start without ``DIANTI_SECRET_KEY``.
"""

import os

os.environ.setdefault("DIANTI_DEBUG", "1")

from dianti.settings import *  # noqa: E402,F403
