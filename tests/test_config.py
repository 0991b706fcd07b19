import os
import subprocess
import sys
import threading

import pytest

import statkit
from statkit._config import env_flag

pytestmark = pytest.mark.nojit


def test_defaults():
    assert statkit.get_config() == {"backend": "auto", "use_numba": True, "show_progress": True}


def test_get_config_returns_a_copy():
    config = statkit.get_config()
    config["backend"] = "cupy"
    assert statkit.get_config()["backend"] == "auto"


def test_config_context_restores_on_error():
    def fail_inside():
        with statkit.config_context(backend="numpy", use_numba=False):
            assert statkit.get_config()["backend"] == "numpy"
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()
    assert statkit.get_config()["backend"] == "auto"
    assert statkit.get_config()["use_numba"] is True


def test_nested_contexts():
    with statkit.config_context(show_progress=False):
        with statkit.config_context(backend="numpy"):
            assert statkit.get_config() == {
                "backend": "numpy",
                "use_numba": True,
                "show_progress": False,
            }
        assert statkit.get_config()["backend"] == "auto"
        assert statkit.get_config()["show_progress"] is False


def test_set_config_validates():
    with pytest.raises(ValueError, match=r"backend must be one of \('auto', 'numpy', 'cupy'\)"):
        statkit.set_config(backend="gpu")
    with pytest.raises(TypeError, match="use_numba must be True or False"):
        statkit.set_config(use_numba=1)
    with pytest.raises(TypeError, match="show_progress must be True or False"):
        statkit.set_config(show_progress="yes")
    assert statkit.get_config()["backend"] == "auto"


def test_config_is_thread_local():
    seen = {}

    def worker():
        seen["backend"] = statkit.get_config()["backend"]

    with statkit.config_context(backend="numpy"):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert seen["backend"] == "auto"


def _config_in_subprocess(**env):
    code = "import statkit; print(statkit.get_config())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
    )
    return result


def test_environment_defaults():
    result = _config_in_subprocess(
        STATKIT_BACKEND="numpy", STATKIT_USE_NUMBA="0", STATKIT_SHOW_PROGRESS="false"
    )
    assert result.returncode == 0, result.stderr
    assert "'backend': 'numpy'" in result.stdout
    assert "'use_numba': False" in result.stdout
    assert "'show_progress': False" in result.stdout


def test_bad_backend_environment_variable():
    result = _config_in_subprocess(STATKIT_BACKEND="tpu")
    assert result.returncode != 0
    assert "STATKIT_BACKEND" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("ON", True),
        (" on ", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("OFF", False),
    ],
)
def test_env_flag_words(monkeypatch, value, expected):
    monkeypatch.setenv("STATKIT_TEST_FLAG", value)
    assert env_flag("STATKIT_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("value", [None, "", "  "])
@pytest.mark.parametrize("default", [True, False])
def test_env_flag_unset_or_empty_gives_the_default(monkeypatch, value, default):
    if value is None:
        monkeypatch.delenv("STATKIT_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("STATKIT_TEST_FLAG", value)
    assert env_flag("STATKIT_TEST_FLAG", default) is default


@pytest.mark.parametrize("value", ["2", "maybe", "enabled", "y"])
def test_env_flag_rejects_other_words(monkeypatch, value):
    monkeypatch.setenv("STATKIT_TEST_FLAG", value)
    with pytest.raises(ValueError, match=rf"STATKIT_TEST_FLAG .*1, true, yes, on .*got '{value}'"):
        env_flag("STATKIT_TEST_FLAG", True)


def test_bad_flag_environment_variable():
    result = _config_in_subprocess(STATKIT_USE_NUMBA="maybe")
    assert result.returncode != 0
    assert "STATKIT_USE_NUMBA environment variable must be one of" in result.stderr
