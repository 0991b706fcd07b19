import subprocess
import sys

import pytest

import statkit

pytestmark = pytest.mark.nojit

HEAVY = ("numba", "cupy", "dask", "distributed", "matplotlib")


def test_import_is_light():
    code = f"import sys, statkit\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_subpackages_load_lazily():
    code = (
        "import sys, statkit\n"
        "assert 'statkit.privacy' not in sys.modules\n"
        "statkit.privacy.PrivacyAccountant\n"
        "assert 'statkit.privacy' in sys.modules\n"
        "assert 'numba' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_version_and_dir():
    assert statkit.__version__.count(".") >= 2
    for name in ("privacy", "datasets", "utils", "testing", "get_config", "show_versions"):
        assert name in dir(statkit)
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        statkit.nonexistent  # noqa: B018


def test_show_versions(capsys):
    statkit.show_versions()
    out = capsys.readouterr().out
    for expected in ("statkit", "numpy", "scikit-learn", "numba", "Backends", "cupy", "dask"):
        assert expected in out


def test_utils_exports_only_the_shared_machinery():
    import statkit.utils

    assert sorted(statkit.utils.__all__) == [
        "all_displays",
        "all_estimators",
        "all_functions",
        "delayed",
        "get_namespace",
    ]
