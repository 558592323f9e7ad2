"""What `make dist` built, as users get it (run by `make install-check`).

The wheel must hold the prebuilt extension (production build) and the
Python package without its tests, with the project's metadata; the sdist
must hold the prebuilt extension too, so that it builds without Node
(`make dist` builds the wheel from it with no Node on PATH). The extension
must ask the lab for shared packages at versions JupyterLab 4.4.0 has.
"""

from __future__ import annotations

import json
import re
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = json.loads((ROOT / "package.json").read_text())
VERSION = PACKAGE["version"]
SHARE = f"jupyterlab_lmk-{VERSION}.data/data/share/jupyter/labextensions/jupyterlab-lmk/"
#: The oldest JupyterLab we support, whose core package file the build uses.
OLDEST_CORE = json.loads((ROOT / "buildutils" / "jupyterlab-4.4.0.package.json").read_text())


def built(name: str) -> Path:
    path = ROOT / "dist" / name
    assert path.exists(), f"{name} is missing: run make dist"
    return path


@pytest.fixture(scope="module")
def wheel():
    with zipfile.ZipFile(built(f"jupyterlab_lmk-{VERSION}-py3-none-any.whl")) as archive:
        yield archive


@pytest.fixture(scope="module")
def sdist_names() -> list[str]:
    with tarfile.open(built(f"jupyterlab_lmk-{VERSION}.tar.gz")) as archive:
        return archive.getnames()


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def test_the_wheel_ships_the_prebuilt_extension(wheel):
    names = set(wheel.namelist())
    for name in ("package.json", "install.json", "schemas/jupyterlab-lmk/plugin.json"):
        assert SHARE + name in names
    extension = json.loads(wheel.read(SHARE + "package.json"))
    assert extension["name"] == "jupyterlab-lmk"
    assert extension["version"] == VERSION
    build = extension["jupyterlab"]["_build"]
    assert SHARE + build["load"] in names
    assert SHARE + "static/style.js" in names


def test_the_extension_in_the_wheel_is_a_production_build(wheel):
    static = [name for name in wheel.namelist() if name.startswith(SHARE + "static/")]
    assert static
    assert not [name for name in static if name.endswith(".map")]


def test_the_wheel_holds_the_python_package_without_its_tests(wheel):
    names = set(wheel.namelist())
    for module in ("__init__.py", "notify.py", "_version.py"):
        assert f"jupyterlab_lmk/{module}" in names
    assert not [name for name in names if "/tests/" in name or name.startswith("tests/")]


def test_the_wheel_enables_the_server_extension(wheel):
    # Jupyter Server reads etc/jupyter/jupyter_server_config.d from the
    # environment: without this file the settings-file check is not served.
    config = json.loads(
        wheel.read(
            f"jupyterlab_lmk-{VERSION}.data/data/etc/jupyter/"
            "jupyter_server_config.d/jupyterlab_lmk.json"
        )
    )
    assert config == {"ServerApp": {"jpserver_extensions": {"jupyterlab_lmk": True}}}
    names = set(wheel.namelist())
    for module in ("handlers.py", "settings_file.py"):
        assert f"jupyterlab_lmk/{module}" in names


def test_the_metadata_names_the_project_and_its_addresses(wheel):
    metadata = Parser().parsestr(
        wheel.read(f"jupyterlab_lmk-{VERSION}.dist-info/METADATA").decode()
    )
    assert metadata["Name"] == "jupyterlab_lmk"
    assert metadata["Version"] == VERSION
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["License-Expression"] == PACKAGE["license"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    urls = dict(entry.split(", ", 1) for entry in metadata.get_all("Project-URL"))
    assert urls == {
        "Homepage": PACKAGE["homepage"],
        "Source": PACKAGE["repository"]["url"],
        "Issues": PACKAGE["bugs"]["url"],
    }


def test_the_shared_packages_are_asked_for_at_versions_jupyterlab_4_4_has(wheel):
    extension = json.loads(wheel.read(SHARE + "package.json"))
    remote_entry = wheel.read(SHARE + extension["jupyterlab"]["_build"]["load"]).decode()
    required = dict(
        re.findall(r'shareKey:"([^"]+)"[^}]*?requiredVersion:"([^"]+)"', remote_entry)
    )
    core = {**OLDEST_CORE["dependencies"], **OLDEST_CORE["resolutions"]}
    shared_by_the_lab = {name: range_ for name, range_ in required.items() if name in core}
    # The lab's own packages: the application, services, widgets, React.
    assert "@jupyterlab/application" in shared_by_the_lab
    assert "@jupyterlab/running" in shared_by_the_lab
    too_new = {
        name: f"asks for {range_}, JupyterLab 4.4.0 has {core[name]}"
        for name, range_ in shared_by_the_lab.items()
        if version_key(range_) > version_key(core[name])
    }
    assert too_new == {}


def test_the_sdist_holds_the_prebuilt_extension_and_the_sources(sdist_names):
    top = f"jupyterlab_lmk-{VERSION}/"
    names = {name.removeprefix(top) for name in sdist_names}
    for name in (
        "jupyterlab_lmk/labextension/package.json",
        "jupyterlab_lmk/labextension/static/style.js",
        "jupyterlab_lmk/notify.py",
        "jupyterlab_lmk/tests/test_notify.py",
        "jupyter-config/server-config/jupyterlab_lmk.json",
        "package.json",
        "pyproject.toml",
        "yarn.lock",
        "buildutils/jupyterlab-4.4.0.package.json",
        "src/index.ts",
        "LICENSE",
        "README.md",
    ):
        assert name in names
    for unwanted in ("node_modules/", ".venv", ".make/", "lib/", "dist/", ".yarn/"):
        assert not [name for name in names if name.startswith(unwanted)], unwanted
