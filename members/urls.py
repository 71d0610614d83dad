from django.urls import path

from .views import account, auth, card, data, documents, profile, signup

app_name = "members"

urlpatterns = [
    path("daftar/", signup.SignupView.as_view(), name="signup"),
    path("daftar/verifikasi/", signup.OtpConfirmView.as_view(), name="otp_confirm"),
    path("daftar/verifikasi/kirim-ulang/", signup.OtpResendView.as_view(), name="otp_resend"),
    path("daftar/ubah-email/", signup.SignupEmailChangeView.as_view(), name="signup_email_change"),
    path("masuk/", auth.LoginView.as_view(), name="login"),
    path("keluar/", auth.LogoutView.as_view(), name="logout"),
    path("lupa-sandi/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("lupa-sandi/terkirim/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("atur-sandi/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("atur-sandi/selesai/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("akun/", account.AccountView.as_view(), name="account"),
    path("privasi/", account.privacy, name="privacy"),
    # Lengkapi Data and private documents: see members/views/profile.py and documents.py
    path("akun/lengkapi-data/", profile.ProfileStartView.as_view(), name="profile_start"),
    path("akun/lengkapi-data/foto/", profile.PhotoStepView.as_view(), name="profile_photo"),
    path("akun/lengkapi-data/data-diri/", profile.PersonalStepView.as_view(), name="profile_personal"),
    path("akun/lengkapi-data/ktp/", profile.KtpStepView.as_view(), name="profile_ktp"),
    path("akun/lengkapi-data/alamat/", profile.AddressStepView.as_view(), name="profile_address"),
    path("akun/lengkapi-data/ringkasan/", profile.ProfileSummaryView.as_view(), name="profile_summary"),
    path("berkas/<uuid:document_id>/", documents.document_view, name="document"),
]

# Member card and the member's own data (issue 3): see members/views/card.py and data.py
urlpatterns += [
    path("akun/kartu/", card.CardView.as_view(), name="card"),
    path("akun/kartu.png", card.CardPngView.as_view(), name="card_png"),
    path("akun/kartu.pdf", card.CardPdfView.as_view(), name="card_pdf"),
    path("akun/data-saya/", data.DataExportView.as_view(), name="data_export"),
    path("akun/tutup/", data.AccountCloseView.as_view(), name="account_close"),
]
