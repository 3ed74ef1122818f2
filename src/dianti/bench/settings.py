"""The settings the benchmarks serve the product with: the product's own, with :mod:`.urls` as the URL
configuration, which adds the ballots benchmark's baseline view (``DJANGO_SETTINGS_MODULE=dianti.bench.settings``
in the server's environment; never in a deployment)."""

from dianti.settings import *  # noqa: F403

ROOT_URLCONF = "dianti.bench.urls"
