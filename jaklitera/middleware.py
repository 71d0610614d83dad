from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the person chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; many phones in
    Jakarta are set to English, yet the library's site speaks Indonesian first. Only the
    language cookie (set by the footer switch) changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
