"""Sections higher apps add to the task page, computed by the view (not by template tags).

The reports app must not import `supervision`; its supervision orders, on-site
verifications and 不属实 marks reach the task page through this registry, the way
`print_sections` serves the printed record. A higher app registers in AppConfig.ready():

    from reports.page_sections import register_task_page_section
    register_task_page_section(orders_section)

where `orders_section(task, user, reports)` gets the task, the user and the reports shown on
this page, and returns None or a dict with an optional "template" (included after the
reports table with `section` in its context, its data in section.context) and optional
"report_badges" {report id: [Chinese label, ...]} shown beside those reports. Each section
should run a fixed number of queries whatever the task's size.
"""

_SECTIONS = []


def register_task_page_section(section):
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


def task_page_sections(task, user, reports):
    """(sections with a template, {report id: [badge labels]}) for the reports shown."""
    sections: list[dict] = []
    badges: dict[int, list[str]] = {}
    for section in _SECTIONS:
        shown = section(task, user, reports)
        if shown is None:
            continue
        if shown.get("template"):
            sections.append(shown)
        for report_id, labels in shown.get("report_badges", {}).items():
            badges.setdefault(report_id, []).extend(labels)
    return sections, badges
