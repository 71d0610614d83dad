"""The digital member card: page, PNG and PDF (members/services/card.py)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from ..selectors import member_get_for_user
from ..services import card as services


class _CardMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.card = services.card_get(member=member_get_for_user(user=request.user))
        except services.CardNotAvailable as error:
            messages.info(request, str(error))
            return redirect("members:account")
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


class CardView(_CardMixin, View):
    def get(self, request):
        context = {"card": self.card, "qr": services.card_qr_data_uri(card=self.card)}
        return render(request, "members/card.html", context)


class CardPngView(_CardMixin, View):
    def get(self, request):
        response = HttpResponse(services.card_png(card=self.card), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="kartu-anggota-{self.card.member_number}.png"'
        return response


class CardPdfView(_CardMixin, View):
    def get(self, request):
        response = HttpResponse(services.card_pdf(card=self.card), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="kartu-anggota-{self.card.member_number}.pdf"'
        return response
