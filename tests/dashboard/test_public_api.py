"""The public surfaces of surveykit.dashboard and surveykit.reports are small and explicit."""

from __future__ import annotations

import surveykit.dashboard as dashboard
import surveykit.reports as reports

DASHBOARD = {
    "dashboard_data", "DashboardData", "Filters", "InstitutionView", "ChoiceQuestion", "charts",
    "DataSource", "FramesSource", "StoreSource", "Snapshot", "as_source",
    "Disclosure", "publish_rating", "publish_conclusions", "approved_open_answers",
    "council_tables", "council_workbook", "write_council_export",
}  # fmt: skip
REPORTS = {
    "open_report", "load_data", "InstitutionReport", "RegionReport", "HTMLBlock", "StaticFigure", "static_figure",
    "render_report", "report_notebook", "html_to_pdf", "ReportOutput",
    "generate_reports", "BatchSummary", "ReportFailure", "write_snapshot", "read_snapshot",
}  # fmt: skip


def test_dashboard_all_is_the_documented_surface() -> None:
    assert set(dashboard.__all__) == DASHBOARD and len(dashboard.__all__) == len(DASHBOARD)
    for name in dashboard.__all__:
        assert getattr(dashboard, name) is not None, name


def test_reports_all_is_the_documented_surface() -> None:
    assert set(reports.__all__) == REPORTS and len(reports.__all__) == len(REPORTS)
    for name in reports.__all__:
        assert getattr(reports, name) is not None, name


def test_the_dashboard_package_imports_no_widgets() -> None:
    """Data preparation and charts live without ipywidgets (the app is surveykit.ui.dashboard_app)."""
    import ast
    from pathlib import Path

    for path in Path(dashboard.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(n.startswith(("ipywidgets", "IPython", "surveykit.ui")) for n in names), path.name


def test_every_interface_text_exists_in_english_and_russian() -> None:
    import re
    from pathlib import Path

    import yaml

    root = Path(dashboard.__file__).parent.parent
    en = yaml.safe_load((root / "locale" / "en" / "dashboard.yaml").read_text(encoding="utf-8"))
    ru = yaml.safe_load((root / "locale" / "ru" / "dashboard.yaml").read_text(encoding="utf-8"))
    assert set(en) == set(ru)
    files = [*root.joinpath("dashboard").glob("*.py"), *root.joinpath("reports").glob("*.py"),
             root / "ui" / "dashboard_app.py", root / "cli" / "cmd_report.py"]  # fmt: skip
    used = set()
    for path in files:
        used |= set(
            re.findall(
                r"[\"']((?:dash|report|export)\.[a-z_.]+[a-z_])[\"']", path.read_text(encoding="utf-8")
            )
        )
    assert used and not used - set(en), sorted(used - set(en))
