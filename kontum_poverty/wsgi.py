"""WSGI entry point: gunicorn serves `application` (see docker-compose.yml and bench/)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontum_poverty.settings")

application = get_wsgi_application()

# Every view, form and service module is imported now rather than on a worker's first request,
# then the ~200,000 objects the loaded portal is made of are set aside from the garbage
# collector: they live as long as the worker. Otherwise each full collection walks them all,
# stalling the request in hand for 200-500 ms on this machine kind, and a worker spent ~8 % of
# its CPU in the collector during the deadline-surge benchmark (~3 % once frozen).
get_resolver().url_patterns  # noqa: B018 (importing is the point)
gc.collect()
gc.freeze()
# A request allocates tens of thousands of short-lived objects: with the default threshold (700)
# the young generation is collected ~10 times a request. At 20,000, the collector's share of a
# request fell from 2.6 % to 1.2 % (in-process review, form and save loads, national data).
gc.set_threshold(20_000, 20, 50)
