"""The import contract of pyproject.toml ([tool.importlinter]) fails `make test` when it is broken.

Each test copies the apps' Python files into a temporary tree, adds one forbidden import there and
runs `lint-imports` on that copy: the repository itself is never touched.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contract_root_packages() -> list[str]:
    with (REPOSITORY / "pyproject.toml").open("rb") as pyproject:
        return tomllib.load(pyproject)["tool"]["importlinter"]["root_packages"]


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The pyproject and every .py file of the contract's packages: what import-linter reads."""
    tree = tmp_path_factory.mktemp("contract")
    shutil.copy(REPOSITORY / "pyproject.toml", tree / "pyproject.toml")
    for package in contract_root_packages():
        for source in (REPOSITORY / package).rglob("*.py"):
            target = tree / source.relative_to(REPOSITORY)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return tree


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def probe(tree_copy):
    """Writes one extra module into the copy, and takes it away after the test."""
    written: list[Path] = []

    def write(module: str, source: str) -> None:
        path = tree_copy / (module.replace(".", "/") + ".py")
        path.write_text(source)
        written.append(path)

    yield write
    for path in written:
        path.unlink()


def test_the_apps_keep_the_contract(tree_copy):
    result = lint_imports(tree_copy)

    assert result.returncode == 0, result.stdout
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_layers(tree_copy, probe):
    probe("storefront._upward_probe", "import orders.models  # noqa: F401\n")

    result = lint_imports(tree_copy)

    assert result.returncode == 1
    assert "Contracts: 2 kept, 1 broken." in result.stdout
    assert "storefront is not allowed to import orders:" in result.stdout
    assert "- storefront._upward_probe -> orders.models (l.1)" in result.stdout


def test_django_in_the_partner_center_client_breaks_the_contract(tree_copy, probe):
    probe("partnercenter.resources._django_probe", "from django.conf import settings\n")

    result = lint_imports(tree_copy)

    assert result.returncode == 1
    assert "Contracts: 2 kept, 1 broken." in result.stdout
    assert "partnercenter.resources is not allowed to import django:" in result.stdout


def test_production_code_importing_the_sandbox_breaks_the_contract(tree_copy, probe):
    probe("orders._sandbox_probe", "import partnercenter_sandbox  # noqa: F401\n")

    result = lint_imports(tree_copy)

    assert result.returncode == 1
    assert "Contracts: 2 kept, 1 broken." in result.stdout
    assert "orders is not allowed to import partnercenter_sandbox:" in result.stdout


def test_app_unit_tests_may_import_upward_and_the_sandbox(tree_copy, probe):
    """Unit tests sit in each app (`<app>.tests`) and are no layer of the product."""
    probe(
        "storefront.tests._probe",
        "import orders.models  # noqa: F401\nimport partnercenter_sandbox  # noqa: F401\n",
    )

    result = lint_imports(tree_copy)

    assert result.returncode == 0, result.stdout
