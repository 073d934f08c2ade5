from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Indicators and statistics")

    def ready(self) -> None:
        # campaigns cannot import indicators: the Board's decisions reach the figures cache
        # through signals wired here.
        from indicators import progress
        from indicators.imports import safety  # noqa: F401  registers the defusedxml check
        from indicators.submissions import shapes

        progress.connect_receivers()
        shapes.connect_receivers()
