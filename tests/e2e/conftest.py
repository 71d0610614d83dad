import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Uploads made through the browser land in this test's own private storage.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
