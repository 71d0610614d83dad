"""The member's own data: download (JSON) and closing the account (members/services/account.py)."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from jaklitera.errors import Busy

from ..services import account as services


class DataExportView(LoginRequiredMixin, View):
    def get(self, request):
        data = services.member_data_export(user=request.user)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="data-saya-jaklitera.json"'
        response["Cache-Control"] = "private, no-store"
        return response


class AccountCloseView(LoginRequiredMixin, View):
    template_name = "members/account_close.html"

    def get(self, request):
        return render(request, self.template_name)

    def post(self, request):
        try:
            services.account_close(user=request.user, password=request.POST.get("password", ""))
        except services.WrongPassword as error:
            return render(request, self.template_name, {"error": str(error)}, status=400)
        except services.StaffAccount as error:
            messages.error(request, str(error))
            return redirect("members:account")
        except Busy as error:
            # A visit's session row stayed locked: nothing was changed; the person may simply retry.
            return render(request, self.template_name, {"error": str(error)}, status=503)
        logout(request)
        messages.success(request, _("Akun Anda sudah ditutup dan data Anda dihapus. Terima kasih, Kawan Perpus."))
        return redirect("home")
