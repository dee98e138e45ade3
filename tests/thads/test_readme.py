"""The README's commands work on a fresh machine as written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.S)


def test_every_postgres_database_a_command_uses_is_created_by_the_readme_first():
    created = set()
    used = []
    for block in SHELL_BLOCKS:
        for line in block.splitlines():
            created |= set(re.findall(r"create database (\w+)", line, re.I))
            for name in re.findall(r"DATABASE_URL=postgres://\S+/(\w+)", line):
                used.append((name, name in created))
    assert used, "the README names no PostgreSQL database: update this test"
    assert all(was_created for _, was_created in used), used
