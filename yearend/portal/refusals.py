"""A page the user's role may not open answers 404, as an object out of reach does.

Scoping refuses a visible object that the role may not open or change with
``NotAllowed``; the API answers it with 403 and the reason. The portal hides it: a
teacher learns nothing from a manager's address (the API's caller already knows the
object is there, and needs to know why it was refused).
"""

from __future__ import annotations

from django.http import Http404

from yearend.scoping import NotAllowed


class HideRefusals:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            raise Http404(exception.message) from exception
        return None
