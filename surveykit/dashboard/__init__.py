"""The council dashboard's data and charts, without widgets (the app is :mod:`surveykit.ui.dashboard_app`).

::

    from surveykit.dashboard import dashboard_data, charts

    data = dashboard_data(Store.open(), "ru_nok_344n_2018", Filters(period="2025"), "ru")   # or a dict of frames
    charts.rating_chart(data)                      # plotly figures, tested without a browser
    view = data.institution("kcson_sev")          # criteria, indicators, trend, findings, conclusion ...
    write_council_export(data, "data/exports")    # the same numbers as a workbook for council members

Every number passes :mod:`surveykit.dashboard.privacy` (small-cell suppression, approved open answers only)
before it reaches a chart, a table, an export or a report.
"""

from typing import TYPE_CHECKING

from surveykit.lazy import lazy_exports

if TYPE_CHECKING:
    from surveykit.dashboard import charts
    from surveykit.dashboard.data import (
        ChoiceQuestion,
        DashboardData,
        Filters,
        InstitutionView,
        dashboard_data,
    )
    from surveykit.dashboard.export import council_tables, council_workbook, write_council_export
    from surveykit.dashboard.privacy import (
        Disclosure,
        approved_open_answers,
        publish_conclusions,
        publish_rating,
    )
    from surveykit.dashboard.sources import DataSource, FramesSource, Snapshot, StoreSource, as_source

__all__ = [
    "ChoiceQuestion",
    "DashboardData",
    "DataSource",
    "Disclosure",
    "Filters",
    "FramesSource",
    "InstitutionView",
    "Snapshot",
    "StoreSource",
    "approved_open_answers",
    "as_source",
    "charts",
    "council_tables",
    "council_workbook",
    "dashboard_data",
    "publish_conclusions",
    "publish_rating",
    "write_council_export",
]

# imported on first use: the charts need plotly and the export a spreadsheet writer, which the dashboard's
# sign-in page does not
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "charts": ".charts",
        **dict.fromkeys(
            ("ChoiceQuestion", "DashboardData", "Filters", "InstitutionView", "dashboard_data"), ".data"
        ),
        **dict.fromkeys(("council_tables", "council_workbook", "write_council_export"), ".export"),
        **dict.fromkeys(
            ("Disclosure", "approved_open_answers", "publish_conclusions", "publish_rating"), ".privacy"
        ),
        **dict.fromkeys(("DataSource", "FramesSource", "Snapshot", "StoreSource", "as_source"), ".sources"),
    },
    __all__,
)
