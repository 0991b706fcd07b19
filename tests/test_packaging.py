"""The built distributions contain the package data and install on their own."""

import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("statkit-*.whl")
    (sdist,) = out.glob("statkit-*.tar.gz")
    return wheel, sdist


def test_wheel_contains_package_data(dists):
    wheel, _ = dists
    names = zipfile.ZipFile(wheel).namelist()
    assert "statkit/datasets/data/lung.csv" in names
    assert "statkit/datasets/data/lung.rst" in names
    assert not any(name.startswith("tests/") for name in names)
    assert any(name.endswith("licenses/LICENSE") for name in names)


def test_sdist_contains_package_data(dists):
    _, sdist = dists
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert any(name.endswith("statkit/datasets/data/lung.csv") for name in names)
    assert any(name.endswith("/LICENSE") for name in names)


def test_wheel_installs_into_a_fresh_environment(dists, tmp_path):
    wheel, _ = dists
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    # The dependencies come from this test environment, appended after the new
    # environment's own site-packages; statkit itself must come from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    code = (
        "import statkit, pathlib\n"
        f"assert pathlib.Path(statkit.__file__).is_relative_to({str(env_dir)!r})\n"
        "from statkit.datasets import load_lung\n"
        "lung = load_lung()\n"
        "assert lung.time.shape == (228,)\n"
        "print(statkit.__version__)\n"
    )
    result = subprocess.run(
        [str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    import statkit

    assert result.stdout.strip() == statkit.__version__
