from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from ..selectors import account_overview


class AccountView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "members/account.html", account_overview(user=request.user))


def privacy(request):
    return render(request, "members/privacy.html")
