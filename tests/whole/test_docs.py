"""The documentation: the MkDocs site under docs/ builds with --strict (no broken link, anchor or nav
entry), every page is in the nav, and the README's tour shows what the commands really print."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # a site build and real triage runs, a few seconds each

DOCS = ROOT / "docs"


def nav_pages(entries) -> list[str]:
    """The page paths that mkdocs.yml's nav names, depth first."""
    pages = []
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages.extend(nav_pages(value) if isinstance(value, list) else [value])
    return pages


def config() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_mkdocs_build_strict_succeeds_and_writes_every_page(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    for page in nav_pages(config()["nav"]):
        built = site / ("index.html" if page == "index.md" else page.removesuffix(".md").removesuffix("/index") + "/index.html")
        assert built.is_file(), page
        assert "<h1" in built.read_text(encoding="utf-8"), page


def test_every_docs_page_is_in_the_nav_and_every_nav_entry_is_a_page():
    nav = nav_pages(config()["nav"])
    pages = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))
    assert sorted(nav) == pages
    assert len(set(nav)) == len(nav)


def test_a_broken_anchor_fails_the_strict_build(tmp_path):
    """The check CI relies on: a link to an anchor that is not there is an error, not a shrug."""
    copy = tmp_path / "repo"
    (copy / "docs").mkdir(parents=True)
    for path in DOCS.rglob("*.md"):
        target = copy / "docs" / path.relative_to(DOCS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (copy / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    with open(copy / "docs" / "index.md", "a", encoding="utf-8") as page:
        page.write("\nSee [nowhere](jobs.md#no-such-section).\n")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0
    assert "no-such-section" in done.stderr


def console_blocks(text: str) -> list[str]:
    return re.findall(r"```console\n(.*?)\n```", text, flags=re.S)


def test_the_readmes_first_two_commands_install_and_run_and_test():
    blocks = console_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks[0] == "$ python3 -m venv .venv && . .venv/bin/activate && pip install . && triage classify sample_logs/"
    assert blocks[1] == (
        "$ python3 -m venv .venv && . .venv/bin/activate && pip install '.[test]' && sh tools/install-chromium.sh && pytest"
    )


def test_the_readmes_links_into_docs_reach_pages_and_headings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)(?:#([^)]+))?\)", readme)
    assert len(links) >= 20
    for path, anchor in links:
        assert (ROOT / path).is_file(), path
        if anchor:
            headings = re.findall(r"^#+ (.+)$", (ROOT / path).read_text(encoding="utf-8"), flags=re.M)
            slugs = {re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", h.replace("`", "")).strip().lower()) for h in headings}
            assert anchor in slugs, (path, anchor)


def test_the_readmes_tour_shows_what_the_commands_print(tmp_path):
    """Each output line the tour shows (``...`` marks lines left out) is a line the command prints, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = readme[readme.index("## A five-minute tour"):readme.index("## Documentation")]
    (tmp_path / "sample_logs").symlink_to(ROOT / "sample_logs")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    checked = 0
    for block in console_blocks(tour):
        status = None
        for command, shown in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n?)*)", block, flags=re.M):
            shown = [line for line in shown.splitlines() if line and line != "..."]
            if command == "echo $?":
                assert shown == [str(status)]
                continue
            done = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
            status = done.returncode
            printed = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
            at = 0
            for line in shown:
                assert line.rstrip() in printed[at:], (command, line)
                at = printed.index(line.rstrip(), at) + 1
                checked += 1
    assert checked > 50
