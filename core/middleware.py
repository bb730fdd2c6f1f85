from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware


class PolishFirstLocaleMiddleware(LocaleMiddleware):
    """Polish unless the user picked another language with the switch (a cookie).

    The team works in Polish; a cheap phone whose system language happens to be English must
    not turn the duty screen or a printed card into English. The browser's Accept-Language is
    therefore not consulted.
    """

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
