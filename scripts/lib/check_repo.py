"""The repository stands on its own: no file refers to something beside the clone or to
a path on a development machine, and every relative link in the Markdown files resolves.

Rules (each problem is reported as `file:line: message`):
- No file names a path in the `shared` directory beside the clone, except the offline
  advisory snapshot that `scripts/dependency-audit` uses when it exists
  (`ALLOWED_OUTSIDE_PATH`, exactly that path).
- No file holds an absolute path into a home or checkout directory of some machine (under
  `home`, `root`, `Users`, the development machines' work directory, or a Windows user
  directory); see `_MACHINE_PATH_RE`. Write `$HOME/...` or `~/...`, or a path relative to
  the repository, instead.
- Every relative link and image in a Markdown file (inline, reference definitions,
  `href`/`src` attributes) names a file or directory of the repository, and a `#fragment`
  into a Markdown file names one of its headings (GitHub's slug rules) or explicit anchors.
- In other files (code comments), a reference such as `docs/spec.md#orders` to a Markdown
  file of the repository (path from the repository root) names an anchor that exists.

Run: `python3 scripts/lib/check_repo.py [ROOT]` (exit 1 when there is a problem). The
files checked are the ones git tracks plus untracked ones that are not ignored.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
import unicodedata
import urllib.parse
from dataclasses import dataclass

# The one path outside the clone the project may name: the RustSec snapshot beside it.
ALLOWED_OUTSIDE_PATH = "../shared/advisory-db"

_PATH_CHARS = r"[^\s'\"`()\[\]{}<>,;|]"
_OUTSIDE_RE = re.compile(r"\.\./shared(?:/" + _PATH_CHARS + r"*)?")
# Built from parts so that this file does not contain the paths it forbids.
_MACHINE_PATH_RE = re.compile(
    r"(?<![\w.~$}\-])/(?:" + "wo" + r"rk|root)/"
    r"|(?<![\w.~$}\-])/(?:home|Users)/[^/\s]+/"
    r"|\b[A-Za-z]:\\Users\\"
)

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
_INLINE_LINK_RE = re.compile(
    r"\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REFERENCE_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_HTML_LINK_RE = re.compile(r"\b(?:href|src)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_HTML_ANCHOR_RE = re.compile(r"<a\s[^>]*\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_SECTION_REF_RE = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*[\w.-]+\.md)#([\w-]+)")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# ---------------------------------------------------------------- paths in any file


def path_problems(path: str, text: str) -> list[Problem]:
    """References outside the repository and absolute machine paths in one file."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _OUTSIDE_RE.finditer(line):
            reference = match.group(0).rstrip("./")
            preceded_by_parent = line[: match.start()].endswith("../")
            if reference != ALLOWED_OUTSIDE_PATH or preceded_by_parent:
                problems.append(
                    Problem(path, number, f"refers to {match.group(0)!r} outside the repository")
                )
        for match in _MACHINE_PATH_RE.finditer(line):
            problems.append(
                Problem(
                    path,
                    number,
                    f"absolute path of a machine {match.group(0)!r}: use $HOME, ~ or a repository path",
                )
            )
    return problems


# ---------------------------------------------------------------- Markdown


def _outside_fences(text: str):
    """Yields (line number, line) for the lines that are not inside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), start=1):
        opening = _FENCE_RE.match(line)
        if fence is None:
            if opening:
                fence = opening.group(1)
                continue
            yield number, line
        elif opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
            if not line.strip().lstrip(fence[0]):
                fence = None


def _without_code_spans(line: str) -> str:
    return _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)


def markdown_links(text: str) -> list[tuple[int, str]]:
    """Every link target of a Markdown text with its line, code blocks and spans excluded."""
    links = []
    for number, line in _outside_fences(text):
        line = _without_code_spans(line)
        for regex in (_INLINE_LINK_RE, _REFERENCE_DEF_RE, _HTML_LINK_RE):
            for match in regex.finditer(line):
                target = match.group(1)
                if target.startswith("<") and target.endswith(">"):
                    target = target[1:-1]
                links.append((number, target))
    return links


def _heading_text(raw: str) -> str:
    """The text GitHub renders for a heading's Markdown source."""
    text = _CODE_SPAN_RE.sub(lambda m: m.group(2).strip(), raw)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("**", "").replace("~~", "")
    return re.sub(r"(?<!\w)\*|\*(?!\w)", "", text)


def slugify(heading: str) -> str:
    """GitHub's heading anchor: lower case; letters, digits, marks, `-` and `_` kept; each
    space becomes `-`; everything else dropped."""
    slug = []
    for char in _heading_text(heading).strip().lower():
        if char == " ":
            slug.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LNM":
            slug.append(char)
    return "".join(slug)


def markdown_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file: heading slugs (repeats numbered -1, -2, …)
    and explicit `<a id>` / `<a name>` anchors."""
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    for _, line in _outside_fences(text):
        for match in _HTML_ANCHOR_RE.finditer(line):
            anchors.add(match.group(1))
        heading = _HEADING_RE.match(line)
        if not heading:
            continue
        base = slugify(heading.group(2) or "")
        slug = base
        while slug in counts:
            counts[base] += 1
            slug = f"{base}-{counts[base]}"
        counts[slug] = 0
        anchors.add(slug)
    return anchors


def link_problems(files: dict[str, str], paths: set[str] | None = None) -> list[Problem]:
    """Relative links of every Markdown file in `files` (repository path → text); `paths`
    are all files a link may name (default: those of `files`; binary ones such as images
    are only in `paths`)."""
    paths = set(files) | (paths or set())
    directories = set()
    for name in paths:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directories.add("/".join(parts[:depth]))
    anchors_cache: dict[str, set[str]] = {}
    problems = []
    for path, text in sorted(files.items()):
        if not path.lower().endswith(".md"):
            continue
        for number, target in markdown_links(text):
            problem = _check_link(path, target, files, paths, directories, anchors_cache)
            if problem:
                problems.append(Problem(path, number, problem))
    return problems


def _check_link(path, target, files, paths, directories, anchors_cache) -> str | None:
    if not target or _SCHEME_RE.match(target) or target.startswith("//"):
        return None
    location, _, fragment = target.partition("#")
    location = urllib.parse.unquote(location.split("?", 1)[0])
    if location.startswith("/"):
        resolved = posixpath.normpath(location.lstrip("/")) if location.strip("/") else "."
    elif location:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), location))
    else:
        resolved = path
    if resolved == ".." or resolved.startswith("../"):
        return f"link {target!r} points outside the repository"
    if resolved != "." and resolved not in paths and resolved not in directories:
        return f"link {target!r}: {resolved} does not exist"
    if fragment and resolved.lower().endswith(".md") and resolved in files:
        if resolved not in anchors_cache:
            anchors_cache[resolved] = markdown_anchors(files[resolved])
        if urllib.parse.unquote(fragment) not in anchors_cache[resolved]:
            return f"link {target!r}: {resolved} has no heading or anchor #{fragment}"
    return None


def section_reference_problems(files: dict[str, str]) -> list[Problem]:
    """`path.md#anchor` references outside Markdown files (e.g. in code comments), with the
    path taken from the repository root; references to other paths are left alone."""
    anchors_cache: dict[str, set[str]] = {}
    problems = []
    for path, text in sorted(files.items()):
        if path.lower().endswith(".md"):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _SECTION_REF_RE.finditer(line):
                target, anchor = match.group(1), match.group(2)
                if target not in files:
                    continue
                if target not in anchors_cache:
                    anchors_cache[target] = markdown_anchors(files[target])
                if anchor not in anchors_cache[target]:
                    problems.append(
                        Problem(path, number, f"{target} has no heading or anchor #{anchor}")
                    )
    return problems


# ---------------------------------------------------------------- the repository


def check_files(files: dict[str, str], paths: set[str] | None = None) -> list[Problem]:
    """Every problem in `files` (repository path → text); `paths` adds binary files."""
    problems = set()
    for path, text in files.items():
        problems.update(path_problems(path, text))
    problems.update(link_problems(files, paths))
    problems.update(section_reference_problems(files))
    return sorted(problems)


def repository_files(root: str) -> tuple[dict[str, str], set[str]]:
    """The text of every tracked or untracked-but-not-ignored text file, and the paths of
    all of them (binary ones included)."""
    listing = subprocess.run(
        ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    files, paths = {}, set()
    for name in sorted(set(filter(None, listing.split("\0")))):
        full = os.path.join(root, name)
        if not os.path.lexists(full):
            continue  # deleted in the working tree
        paths.add(name)
        if not os.path.isfile(full) or os.path.islink(full):
            continue
        with open(full, "rb") as handle:
            data = handle.read()
        if b"\0" not in data:
            files[name] = data.decode("utf-8", errors="replace")
    return files, paths


def main(argv: list[str]) -> int:
    root = argv[1] if len(argv) > 1 else os.getcwd()
    files, paths = repository_files(root)
    problems = check_files(files, paths)
    for problem in problems:
        print(problem)
    markdown = sum(1 for name in files if name.lower().endswith(".md"))
    if problems:
        print(f"repository check: {len(problems)} problem(s) in {len(files)} files")
        return 1
    print(f"repository check: {len(files)} files, {markdown} Markdown files, no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
