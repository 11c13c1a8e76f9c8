from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Development tools: the benchmarks, the synthetic-theater generator and the headless
    Chromium driver they and the browser tests share. Installed by the local and test
    settings only; production images never load it."""

    name = "apps.bench"
    label = "bench"
    verbose_name = "Benchmarks and development tools"
