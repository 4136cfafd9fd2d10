"""Unit tests of scripts/lib/check_repo.py (run by scripts/test with the e2e venv's pytest)."""

import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts" / "lib"))
import check_repo  # noqa: E402

# Built from parts: this file must pass the check it tests.
WORK = "/" + "work/"
SHARED = ".." + "/shared"
MD = ".md"
SPEC_MD = "docs/spec" + MD


def problems(files, paths=None):
    return [str(p) for p in check_repo.check_files(files, paths)]


# ---------------------------------------------------------------- paths outside the clone


def test_the_advisory_snapshot_is_the_only_allowed_outside_path():
    files = {
        "scripts/audit": f'db=${{ADVISORY_DB:-$ROOT/{SHARED}/advisory-db}}\n'
        f"# copy of {SHARED}/advisory-db/ made writable\n",
        "README.md": f"See {SHARED}/SPEC.md and {SHARED}.\n",
        "a.sh": f"x={SHARED}/advisory-db/SNAPSHOT\ny=../{SHARED}/advisory-db\n",
    }
    assert problems(files) == [
        f"README.md:1: refers to '{SHARED}' outside the repository",
        f"README.md:1: refers to '{SHARED}/SPEC.md' outside the repository",
        f"a.sh:1: refers to '{SHARED}/advisory-db/SNAPSHOT' outside the repository",
        f"a.sh:2: refers to '{SHARED}/advisory-db' outside the repository",
    ]


@pytest.mark.parametrize(
    "line",
    [
        f"see {WORK}shared/LOCAL-STACK.md",
        "file:///" + "home/me/.local/state",
        "cd /" + "root/.cache/orderflow",
        "/" + "Users/ann/src/orderflow",
        "C:" + "\\Users\\ann\\orderflow",
    ],
)
def test_absolute_machine_paths_are_refused(line):
    [problem] = problems({"f.txt": "ok\n" + line + "\n"})
    assert problem.startswith("f.txt:2: absolute path of a machine")


@pytest.mark.parametrize(
    "line",
    [
        "$HOME/.cache/orderflow",
        "${HOME}/.local/state",
        "~/.cache/orderflow/nisshi",
        "https://example.com" + WORK + "x",  # a URL path, not a machine path
        "the framework/ and network/ dirs",
        "/usr/bin/chromium /tmp/x /var/lib/postgresql /opt/flink",
        "apps/web/src/work/x.ts",
    ],
)
def test_portable_paths_pass(line):
    assert problems({"f.sh": line + "\n"}) == []


# ---------------------------------------------------------------- Markdown links


def test_relative_links_must_resolve():
    files = {
        "README.md": "[spec](docs/spec.md) [gone](docs/gone.md) ![shot](docs/shot.png)\n"
        "[web](apps/web/) [root](/docs/spec.md) [out](../elsewhere.md)\n"
        "[ext](https://example.com/x.md) [mail](mailto:a@b.c) [top](#orderflow)\n"
        "[ref]: docs/missing.md\n"
        '<img src="docs/shot.png"> <a href="docs/none.html">x</a>\n',
        "docs/spec.md": "# Spec\n[back](../README.md) [self](spec.md)\n",
        "apps/web/README.md": "[up](../../docs/spec.md)\n",
    }
    paths = {"docs/shot.png"}
    assert problems(files, paths) == [
        "README.md:1: link 'docs/gone.md': docs/gone.md does not exist",
        "README.md:2: link '../elsewhere.md' points outside the repository",
        "README.md:3: link '#orderflow': README.md has no heading or anchor #orderflow",
        "README.md:4: link 'docs/missing.md': docs/missing.md does not exist",
        "README.md:5: link 'docs/none.html': docs/none.html does not exist",
    ]


def test_links_in_code_are_not_links():
    text = "```md\n[x](nowhere.md)\n```\n`[y](nowhere.md)` ~~~\n~~~\n[z](gone.md)\n~~~\n"
    assert problems({"a.md": text}) == []


def test_anchors_follow_github_slugs():
    spec = (
        "# orderflow — product specification\n"
        "## Orders\n"
        "### `GET /stats/sku`\n"
        "### `POST /auth/refresh`: rotation\n"
        "## Orders\n"
        "## Events, topics & keys\n"
        "### Status transitions (`PATCH`)\n"
        '<a id="custom-anchor"></a>\n'
        "```\n## Not a heading\n```\n"
    )
    anchors = check_repo.markdown_anchors(spec)
    assert anchors == {
        "orderflow--product-specification",
        "orders",
        "get-statssku",
        "post-authrefresh-rotation",
        "orders-1",
        "events-topics--keys",
        "status-transitions-patch",
        "custom-anchor",
    }
    links = "[a](spec.md#orders-1) [b](spec.md#get-statssku) [c](spec.md#not-a-heading)\n"
    assert problems({"spec.md": spec, "x.md": links}) == [
        "x.md:1: link 'spec.md#not-a-heading': spec.md has no heading or anchor #not-a-heading"
    ]


def test_fragments_into_other_files_are_not_checked():
    assert problems({"a.md": "[l](src/main.rs#L10)\n", "src/main.rs": "fn main() {}\n"}) == []


def test_section_references_in_code_must_name_existing_anchors():
    files = {
        "docs/spec.md": "# Spec\n## Orders\n### `GET /stats/sku`\n",
        "apps/api/src/orders/mod.rs": f"//! Orders ({SPEC_MD}#orders).\n//! see {SPEC_MD}#ordres\n",
        "apps/web/src/x.ts": f"/** {SPEC_MD}#get-statssku, NOTES{MD}#gone (no such file: ignored) */\n",
    }
    assert problems(files) == [
        "apps/api/src/orders/mod.rs:2: docs/spec.md has no heading or anchor #ordres"
    ]


# ---------------------------------------------------------------- a real repository


def test_a_git_checkout_is_checked_with_its_untracked_files(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / "README.md").write_text("[new](docs/new.md) [img](logo.png)\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\0\0")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "new.md").write_text("see " + WORK + "x\n")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "junk.md").write_text("[x](nowhere.md)\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "README.md", "logo.png"], check=True)
    assert check_repo.main(["check_repo", str(tmp_path)]) == 1
    files, paths = check_repo.repository_files(str(tmp_path))
    assert set(files) == {".gitignore", "README.md", "docs/new.md"}
    assert "logo.png" in paths
    assert problems(files, paths) == [
        "docs/new.md:1: absolute path of a machine '" + WORK + "': use $HOME, ~ or a repository path"
    ]
