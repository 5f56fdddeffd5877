"""docs/security.md's permission matrix is the one of surveykit.access (a change in one is a change in both),
and the deployment example it documents is valid Python."""

from __future__ import annotations

import ast

from surveykit.access import PERMISSIONS, ROLE_PERMISSIONS
from surveykit.config import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "security.md"


def permission_matrix() -> str:
    """The table as docs/security.md shows it: one row per permission, one column per role."""
    roles = list(ROLE_PERMISSIONS)
    lines = [
        "| permission | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in PERMISSIONS:
        marks = ["✓" if permission in ROLE_PERMISSIONS[role] else "" for role in roles]
        lines.append(f"| `{permission}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_the_permission_matrix_in_the_docs_is_the_code():
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- permission-matrix:start -->\n", "\n<!-- permission-matrix:end -->"
    assert start in text and end in text
    documented = text.split(start, 1)[1].split(end, 1)[0]
    assert documented == permission_matrix(), (
        "print the table: .venv/bin/python tests/access/test_security_doc.py"
    )


def test_the_docs_are_linked_and_the_deployment_configures_the_tested_hub():
    """The hub configuration is the one tests/serving/test_hub.py starts: it hands everything to
    surveykit.hub.configure (the authenticator, the standalone-Voilà single-user command, the shared store)."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/security.md" in readme and "docs/deploy.md" in readme
    source = (PROJECT_ROOT / "deploy" / "jupyterhub_config.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert "configure" in calls
    imports = {
        (node.module, a.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for a in node.names
    }
    assert ("surveykit.hub", "configure") in imports
    assert "SURVEYKIT_DATABASE_URL" in source


if __name__ == "__main__":  # print the table to paste into docs/security.md
    print(permission_matrix())
