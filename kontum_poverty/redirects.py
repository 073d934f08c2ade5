"""Old addresses that moved keep working: bookmarks, links in e-mails, forms left open in a tab.

A page read at its old address is sent on with 301; a form sent to it is sent on with 308, so
the browser posts the same data again to the new address and nothing typed is lost.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseGone, HttpResponsePermanentRedirect
from django.urls import URLPattern, path
from django.views.generic import RedirectView


class MovedPermanently(RedirectView):
    permanent = True
    query_string = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        url = self.get_redirect_url(*args, **kwargs)
        if url is None:
            # As RedirectView.get answers when there is nowhere to go.
            return HttpResponseGone()
        return HttpResponsePermanentRedirect(url, preserve_request=True)

    put = patch = delete = post


def moved(route: str, pattern_name: str) -> URLPattern:
    """`route` now lives at the URL named `pattern_name`, with the same parameters."""
    return path(route, MovedPermanently.as_view(pattern_name=pattern_name))
