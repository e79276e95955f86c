"""The start page of partners and visitors: the latest published report and what changed since
the one before."""

from sqlmodel import Session

from dashboard.services.status_reports import ReportDetail, report_detail, report_list


def latest_published(session: Session, mission_id: int) -> ReportDetail | None:
    """The newest approved (published) report with its changes since the approved one before;
    None when none is published yet."""
    reports = report_list(session, mission_id, include_unpublished=False)
    if reports.empty:
        return None
    return report_detail(session, int(reports["id"].iloc[0]), include_unpublished=False)
