"""Permission matrix: every URL of the reporting feature for every persona.

anonymous → login redirect; reporter of the right department → allowed; reporter of another
department → 404 (existence does not leak); department head; supervisor; leader (read-only:
403 on every write). A guard test checks that every URL name in the namespace is covered.
"""

import datetime

import pytest
from django.urls import get_resolver, reverse

from reports import services
from reports.models import Evidence, PeriodLock, Report, ReportState
from reports.tests.factories import JUNE, MAY, draft, pdf, submitted

MARCH = datetime.date(2023, 3, 1)
JANUARY = datetime.date(2023, 1, 1)

ANON, OK, REDIRECT, FORBIDDEN, NOT_FOUND = "anon", 200, 302, 403, 404
PERSONAS = ["anonymous", "reporter", "other_reporter", "head", "supervisor", "leader"]

# Bulk entry from Excel is another feature with its own tests (reports/tests/test_bulk.py).
COVERED_ELSEWHERE = {"bulk_entry", "bulk_download", "bulk_upload"}

# (url name, method, target object, expected status per persona in PERSONAS order)
MATRIX = [
    ("my_tasks", "get", None, [ANON, OK, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("signoff_queue", "get", None, [ANON, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    ("review_queue", "get", None, [ANON, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN]),
    ("task_detail", "get", "task", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("task_history", "get", "task", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("report_create", "get", "period", [ANON, OK, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN]),
    (
        "report_create",
        "post",
        "period",
        [ANON, REDIRECT, NOT_FOUND, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    ("report_detail", "get", "draft", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("report_edit", "get", "draft", [ANON, OK, NOT_FOUND, OK, FORBIDDEN, FORBIDDEN]),
    ("report_edit", "post", "draft", [ANON, REDIRECT, NOT_FOUND, REDIRECT, FORBIDDEN, FORBIDDEN]),
    ("report_submit", "post", "draft", [ANON, REDIRECT, NOT_FOUND, REDIRECT, FORBIDDEN, FORBIDDEN]),
    (
        "report_signoff",
        "post",
        "awaiting",
        [ANON, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    (
        "report_signoff_return",
        "post",
        "awaiting",
        [ANON, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    (
        "report_withdraw",
        "post",
        "submitted",
        [ANON, REDIRECT, NOT_FOUND, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    (
        "report_accept",
        "post",
        "submitted",
        [ANON, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
    (
        "report_return",
        "post",
        "submitted",
        [ANON, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
    ("report_compare", "get", "submitted", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("report_history", "get", "submitted", [ANON, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK]),
    (
        "evidence_upload",
        "post",
        "draft",
        [ANON, REDIRECT, NOT_FOUND, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    ("evidence_download", "get", "evidence", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("evidence_view", "get", "evidence", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("task_print", "get", "task", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("raw_csv", "get", "plan", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    ("raw_xlsx", "get", "plan", [ANON, OK, NOT_FOUND, OK, OK, OK]),
    # The button starts a background job and leads to its page (jobs/tests for the file).
    ("raw_csv", "post", "plan", [ANON, REDIRECT, NOT_FOUND, REDIRECT, REDIRECT, REDIRECT]),
    ("raw_xlsx", "post", "plan", [ANON, REDIRECT, NOT_FOUND, REDIRECT, REDIRECT, REDIRECT]),
    # Bulk submit/sign-off effects are asserted in test_bulk_submit.py; here, who gets in.
    ("search", "get", None, [ANON, OK, OK, OK, OK, OK]),
    ("bulk_review", "get", None, [ANON, OK, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("bulk_submit", "post", None, [ANON, REDIRECT, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN]),
    ("bulk_signoff", "post", None, [ANON, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN]),
    (
        "evidence_delete",
        "post",
        "evidence",
        [ANON, REDIRECT, NOT_FOUND, REDIRECT, FORBIDDEN, FORBIDDEN],
    ),
    ("period_list", "get", None, [ANON, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN]),
    (
        "period_close",
        "post",
        "plan_period",
        [ANON, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
    (
        "period_reopen",
        "post",
        "plan_period",
        [ANON, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN],
    ),
]

POST_DATA = {
    "report_create": {"version": 0, "progress_status": "on_track", "percent": 10, "work_done": "x"},
    "report_edit": {"version": 1, "progress_status": "on_track", "percent": 50, "work_done": "y"},
    "report_return": {"comment": "请补充佐证材料。"},
    "report_signoff_return": {"comment": "请补充数据。"},
}


def _state(objects, key):
    return Report.objects.get(pk=objects[key].pk).state


# What an allowed write must have done: a cell that answers 302 passes whether the action ran
# or was refused (both redirect), so each one also checks the database afterwards.
EFFECTS = {
    "report_create": lambda world, objects: Report.objects.filter(
        task=world.task1, period_start=datetime.date(2023, 4, 1), percent=10
    ).exists(),
    "report_edit": lambda world, objects: Report.objects.get(pk=objects["draft"].pk).percent == 50,
    "report_submit": lambda world, objects: _state(objects, "draft") == ReportState.SUBMITTED,
    "report_signoff": lambda world, objects: _state(objects, "awaiting") == ReportState.SUBMITTED,
    "report_signoff_return": lambda world, objects: (
        _state(objects, "awaiting") == ReportState.RETURNED
    ),
    "report_withdraw": lambda world, objects: _state(objects, "submitted") == ReportState.RETURNED,
    "report_accept": lambda world, objects: _state(objects, "submitted") == ReportState.ACCEPTED,
    "report_return": lambda world, objects: Report.objects.filter(
        pk=objects["submitted"].pk, state=ReportState.RETURNED, times_returned=2
    ).exists(),
    "evidence_upload": lambda world, objects: objects["draft"].evidence.count() == 2,
    "evidence_delete": lambda world, objects: (
        not Evidence.objects.filter(pk=objects["evidence"].pk).exists()
    ),
    "period_close": lambda world, objects: PeriodLock.objects.filter(
        plan=world.plan, period_start=datetime.date(2023, 2, 1), is_closed=True
    ).exists(),
    "period_reopen": lambda world, objects: (
        not PeriodLock.objects.filter(plan=world.plan, period_start=MARCH, is_closed=True).exists()
    ),
}


def _post_data(name):
    if name == "evidence_upload":
        return {"file": pdf("第二份.pdf")}
    return POST_DATA.get(name, {})


def _persona(world, name):
    return (
        None
        if name == "anonymous"
        else {"supervisor": world.neutral_supervisor}.get(name, getattr(world, name, None))
    )


def _kwargs(world, objects, target, *, reopen=False):
    if target is None:
        return {}
    if target == "task":
        return {"pk": world.task1.pk}
    if target == "plan":
        return {"plan_pk": world.plan.pk}
    if target == "period":
        return {"pk": world.task1.pk, "period": "2023-04-01"}
    if target == "plan_period":
        return {"plan_pk": world.plan.pk, "period": "2023-03-01" if reopen else "2023-02-01"}
    return {"pk": objects[target].pk}


@pytest.fixture
def objects(world):
    sent = submitted(world, period=MAY)
    draft_report = services.report_start(user=world.reporter, task=world.task1, period_start=JUNE)
    services.report_save(
        user=world.reporter,
        report=draft_report,
        expected_version=0,
        fields={"progress_status": "on_track", "percent": 30, "work_done": "开展调研。"},
    )
    evidence = services.evidence_add(user=world.reporter, report=draft_report, uploaded_file=pdf())
    # A report awaiting the head's sign-off (the plan asks for it only while it is sent).
    awaiting = draft(world, period=JANUARY)
    world.plan.requires_head_signoff = True
    world.plan.save()
    awaiting = services.report_submit(user=world.reporter, report=awaiting)
    world.plan.requires_head_signoff = False
    world.plan.save()
    # A second submission so the compare page has two snapshots to diff.
    services.report_return(user=world.neutral_supervisor, report=sent, comment="补充数据")
    sent = services.report_submit(user=world.reporter, report=sent)
    # period_reopen needs a closed period; period_close gets a different, open one.
    services.period_close(user=world.neutral_supervisor, plan=world.plan, period_start=MARCH)
    return {"draft": draft_report, "submitted": sent, "evidence": evidence, "awaiting": awaiting}


CASES = [
    pytest.param(name, method, target, persona, expected, id=f"{name}-{method}-{persona}")
    for name, method, target, statuses in MATRIX
    for persona, expected in zip(PERSONAS, statuses, strict=True)
]


@pytest.mark.parametrize(("name", "method", "target", "persona", "expected"), CASES)
def test_permission_matrix(client, world, objects, name, method, target, persona, expected):
    kwargs = _kwargs(world, objects, target, reopen=name == "period_reopen")
    url = reverse(f"reports:{name}", kwargs=kwargs)
    user = _persona(world, persona)
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, _post_data(name))
    if expected == ANON:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content[:500]
    if expected == REDIRECT:
        assert not response["Location"].startswith(reverse("login"))
    if method == "post" and name in EFFECTS:
        done = EFFECTS[name](world, objects)
        assert done == (expected == REDIRECT), (
            "an allowed write must take effect, a refused one not"
        )


def test_every_reports_url_is_in_the_matrix():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["reports"][1]
    names = {name for name in namespace.reverse_dict if isinstance(name, str)}
    covered = {row[0] for row in MATRIX} | COVERED_ELSEWHERE
    assert names - covered == set()
    assert covered - names == set()
