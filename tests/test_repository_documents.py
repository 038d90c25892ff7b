"""The repository documents itself: what the code cites is in the repository, and exists.

- No file outside ``docs/`` and ``CHANGELOG.md`` cites a document the repository does not have
  (the old specification's sections, the style notes, the shared research notes): a reader of the
  code must be able to open what a comment points at. ``docs/product.md`` maps the old section
  numbers to their new homes (docs/product.md#where-the-old-specification-sections-went).
- Every ``docs/<name>.md#<anchor>`` cited anywhere, and every relative Markdown link to a heading,
  names a heading that exists in that document, with GitHub's slugs: a renamed heading cannot
  leave a dangling citation behind.
"""

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()

# Where citations of outside documents may stay: the docs that map them, the history.
OUTSIDE_CITATIONS_ALLOWED = ("docs/", "CHANGELOG.md")
OUTSIDE_DOCUMENT_CITATIONS = {
    "the old specification's sections": re.compile(r"\bSPEC\s*§"),
    "the old specification": re.compile(r"\bSPEC\.md\b"),
    "the style notes": re.compile(r"\bSTYLE(\.md\b|\s+habit)"),
    "a folder beside the repository": re.compile(r"\.\./shared/"),
    "the shared research notes": re.compile(
        r"\bshared/reference/|\bpartner_center(_lifecycle)?\.md\b"
    ),
}
# docs/product.md#money, as code comments cite a section.
DOCS_CITATION = re.compile(r"\bdocs/([\w.-]+\.md)#([\w-]+)")
# [text](architecture.md#apps), [text](#money), [text](../docs/product.md), [text](../bench/)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s#]*)(?:#([^)\s]*))?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def repository_text_files() -> list[str]:
    """Tracked files and new ones not ignored, as paths relative to the repository's root."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return sorted(path for path in set(listed) if (ROOT / path).is_file())


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # images, compiled catalogues: they cite nothing
        return None


def outside_citations(path: str, text: str) -> list[str]:
    """``path:line: what`` for each citation of a document outside the repository."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        what = next(
            (what for what, pattern in OUTSIDE_DOCUMENT_CITATIONS.items() if pattern.search(line)),
            None,
        )
        if what:
            found.append(f"{path}:{number}: cites {what}: {line.strip()[:100]}")
    return found


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped (letters of any
    alphabet, digits, ``_`` and ``-`` kept), each space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def heading_anchors(markdown: str) -> set[str]:
    """Every anchor of a Markdown document; a repeated heading gets ``-1``, ``-2``… as on GitHub."""
    anchors: set[str] = set()
    seen: Counter[str] = Counter()
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else HEADING.match(line)
        if match:
            slug = github_slug(match.group(2))
            anchors.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
            seen[slug] += 1
    return anchors


def anchor_citations(path: str, text: str) -> list[tuple[str, str, str]]:
    """(where, cited file relative to the root, anchor or "") for each citation of a document
    of the repository: ``docs/…md#…`` anywhere, relative links in Markdown files."""
    cited = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        for document, anchor in DOCS_CITATION.findall(line):
            cited.append((where, f"docs/{document}", anchor))
        if path.endswith(".md"):
            for target, anchor in MARKDOWN_LINK.findall(line):
                if ":" in target or (not target and not anchor):
                    continue  # https://…, mailto:…
                document = (Path(path).parent / target).as_posix() if target else path
                cited.append((where, normalised(document), anchor))
    return cited


def normalised(path: str) -> str:
    """``docs/../orders/x.md`` → ``orders/x.md``, without touching the file system."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def dangling_anchors(files: dict[str, str], *, root: Path = ROOT) -> list[str]:
    """``where: what is missing`` for each cited file that does not exist and each cited heading
    that is not in its document. ``files``: the text files of the repository by path; other
    files and folders are looked for under ``root``."""
    anchors_by_document: dict[str, set[str]] = {}
    dangling = []
    for path, text in files.items():
        for where, document, anchor in anchor_citations(path, text):
            if document not in files:
                if not (root / document).exists():
                    dangling.append(f"{where}: {document} does not exist")
                continue
            if not anchor or not document.endswith(".md"):
                continue
            if document not in anchors_by_document:
                anchors_by_document[document] = heading_anchors(files[document])
            if anchor not in anchors_by_document[document]:
                dangling.append(f"{where}: {document} has no heading #{anchor}")
    return dangling


@pytest.fixture(scope="module")
def repository_files() -> dict[str, str]:
    files = {}
    for path in repository_text_files():
        text = read_text(ROOT / path)
        if text is not None:
            files[path] = text
    return files


def test_no_file_cites_a_document_outside_the_repository(repository_files):
    citations = [
        citation
        for path, text in repository_files.items()
        if not path.startswith(OUTSIDE_CITATIONS_ALLOWED) and path != THIS_FILE
        for citation in outside_citations(path, text)
    ]

    assert citations == []


def test_every_cited_docs_heading_exists(repository_files):
    # This file's own examples below are meant to dangle.
    checked = {path: text for path, text in repository_files.items() if path != THIS_FILE}

    assert dangling_anchors(checked) == []


def test_the_code_cites_the_docs_it_now_relies_on(repository_files):
    # The citations that replaced the old specification's are really there to be checked.
    cited = {
        (document, anchor)
        for path, text in repository_files.items()
        if not path.endswith(".md")
        for _where, document, anchor in anchor_citations(path, text)
    }

    assert {
        ("docs/product.md", "money"),
        ("docs/product.md", "mpn-id-validation"),
        ("docs/architecture.md", "retries"),
        ("docs/partner-center.md", "calls-used"),
    } <= cited


# --- The checks themselves fail on what they are for ----------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        '"""Pro-rata to the end of the month (SPEC §3)."""',
        "# Retry policy (STYLE habit 7).",
        "See ../shared/SPEC.md for the rule.",
        "# (reference/partner_center_lifecycle.md §2.4)",
        '"source": "partner_center.md 3.1 verify-domain-availability"',
    ],
)
def test_a_citation_of_an_outside_document_is_found(line):
    assert len(outside_citations("orders/x.py", f"import os\n{line}\n")) == 1


def test_a_citation_of_the_docs_is_not_an_outside_citation():
    assert outside_citations("checkout/prorata.py", "# the rule: docs/product.md#money\n") == []


def test_a_missing_heading_or_document_is_dangling(tmp_path):
    files = {
        "docs/product.md": "# The product\n\n## Money\n\n```\n## Not a heading\n```\n",
        "checkout/prorata.py": (
            "# docs/product.md#money\n# docs/product.md#not-a-heading\n# docs/gone.md#money\n"
        ),
    }

    assert dangling_anchors(files, root=tmp_path) == [
        "checkout/prorata.py:2: docs/product.md has no heading #not-a-heading",
        "checkout/prorata.py:3: docs/gone.md does not exist",
    ]


def test_relative_markdown_links_are_checked_from_their_folder(tmp_path):
    (tmp_path / "bench").mkdir()
    files = {
        "docs/product.md": "## Money\n[apps](architecture.md#apps) [up](#money) [x](#nowhere)\n",
        "docs/architecture.md": "## Apps\n[the rule](product.md#money) [bench](../bench/)\n",
        "README.md": (
            "[docs](docs/architecture.md#apps) [web](https://example.com/a.md#b)\n"
            "[gone](orders/provisioning/README.md) [mail](mailto:a@b.it)\n"
        ),
    }

    assert dangling_anchors(files, root=tmp_path) == [
        "docs/product.md:2: docs/product.md has no heading #nowhere",
        "README.md:2: orders/provisioning/README.md does not exist",
    ]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Where the old specification sections went", "where-the-old-specification-sections-went"),
        ("E-mails", "e-mails"),
        ("`make proof`", "make-proof"),
        ("Roles and scoping", "roles-and-scoping"),
        ("«Utilizzo stimato», the pro-rata", "utilizzo-stimato-the-pro-rata"),
        ("Partner Center client", "partner-center-client"),
    ],
)
def test_github_slugs(heading, anchor):
    assert github_slug(heading) == anchor


def test_repeated_headings_are_numbered_and_fenced_lines_ignored():
    markdown = "# Notes\n## Notes\n```python\n# app-only\n```\n## Notes\n"

    assert heading_anchors(markdown) == {"notes", "notes-1", "notes-2"}
