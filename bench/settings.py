"""Settings for benchmark servers: the portal's own, plus a trivial page to compare against."""

from kontum_poverty.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
