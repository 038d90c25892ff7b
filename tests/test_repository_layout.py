"""The house keeps its shape: no module grows past what a reader takes in at once, and the
pre-commit hooks a contributor runs (CONTRIBUTING.md) pass on the whole tree."""

import subprocess
import sys
from pathlib import Path

from tests.fixtures.project import PROJECT_DIR

# A module longer than this wants splitting by topic (docs/architecture.md); migrations are
# written by Django and left as they are.
MAX_MODULE_LINES = 420


def tracked_python_modules() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return [path for path in listed.stdout.split() if "/migrations/" not in path]


def too_long(paths: list[str], *, root: Path = PROJECT_DIR) -> list[str]:
    lengths = {path: len((root / path).read_text(encoding="utf-8").splitlines()) for path in paths}
    return [f"{path}: {lines} lines" for path, lines in lengths.items() if lines > MAX_MODULE_LINES]


def test_no_module_is_longer_than_a_reader_takes_in():
    assert too_long(tracked_python_modules()) == []


def test_the_length_check_finds_a_long_module(tmp_path):
    (tmp_path / "short.py").write_text("x = 1\n" * MAX_MODULE_LINES)
    (tmp_path / "long.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))

    assert too_long(["short.py", "long.py"], root=tmp_path) == [
        f"long.py: {MAX_MODULE_LINES + 1} lines"
    ]


def test_the_pre_commit_hooks_pass_on_the_whole_tree():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pre-commit"), "run", "--all-files"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
