PASSWORD = "Rahasia-Kuat-123"  # tests.factories.UserFactory's password


def site_login(page, live_server, email: str, *, next_path: str) -> None:
    """Log in through the site's own form and land on ``next_path``."""
    page.goto(f"{live_server.url}/masuk/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**{next_path}")
