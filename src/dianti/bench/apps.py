from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks: no models and no pages of the product's, only the ``dianti bench`` command (hence a plain,
    untranslated name: no page shows it)."""

    name = "dianti.bench"
    label = "bench"
    verbose_name = "性能基准"
