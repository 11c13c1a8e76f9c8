import pytest


@pytest.fixture(autouse=True)
def import_root(settings, tmp_path_factory):
    """Each test's uploaded files in a folder of its own (pytest prunes old ones)."""
    settings.IMPORT_ROOT = str(tmp_path_factory.mktemp("imports"))
