"""督办单 through the test client: the lifecycle, numbering, rights and bad input."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reports.tests.factories import EXE_BYTES, pdf, upload
from supervision import signals
from supervision.orders import services
from supervision.orders.models import (
    OrderEvent,
    OrderNumberCounter,
    OrderSettings,
    SupervisionFile,
    SupervisionOrder,
)
from supervision.tests.orders_fixtures import DEADLINE, ISSUED_AT, at, issue

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def frozen():
    with time_machine.travel(ISSUED_AT, tick=False) as traveller:
        yield traveller


def post(client, user, name, order, data=None, **files):
    client.force_login(user)
    return client.post(reverse(f"supervision:{name}", args=[order.pk]), {**(data or {}), **files})


def test_full_lifecycle_with_send_back_and_both_extension_decisions(client, world, frozen):
    received = []
    for signal in (signals.order_issued, signals.order_sent_back, signals.order_closed):
        signal.connect(lambda sender, **kw: received.append(kw["order"].status), weak=False)
    client.force_login(world.neutral_supervisor)
    url = reverse("supervision:order_create", args=[world.task1.pk])
    response = client.post(
        url,
        {
            "host": world.edu.pk,
            "assisting": [world.hr.pk],
            "reason": "6月报告逾期。",
            "requirement": "限期报送。",
            "deadline": "2023-07-20",
            "level": "key",
            "source": "task",
            "files": [pdf("督办依据.pdf")],
        },
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302
    assert order.number == "环教督〔2023〕1号"
    assert order.level == "key" and order.files.count() == 1

    assert post(client, world.reporter, "order_acknowledge", order).status_code == 302
    order.refresh_from_db()
    assert order.status == "acknowledged" and order.acknowledged_at is not None

    post(
        client,
        world.reporter,
        "order_extension_request",
        order,
        {"text": "需协调场地", "new_deadline": "2023-07-31"},
    )
    post(client, world.neutral_supervisor, "order_extension_refuse", order, {"text": "不予延期"})
    order.refresh_from_db()
    assert order.deadline == DEADLINE
    post(
        client,
        world.reporter,
        "order_extension_request",
        order,
        {"text": "再次申请", "new_deadline": "2023-07-31"},
    )
    post(
        client,
        world.neutral_supervisor,
        "order_extension_grant",
        order,
        {"new_deadline": "2023-07-28"},
    )
    order.refresh_from_db()
    assert order.deadline == D(2023, 7, 28) and order.original_deadline == DEADLINE

    response = post(client, world.reporter, "order_reply", order, {"text": "已报送。"}, files=pdf())
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "replied"
    post(client, world.neutral_supervisor, "order_send_back", order, {"text": "佐证不足"})
    order.refresh_from_db()
    assert (order.status, order.times_sent_back) == ("sent_back", 1)
    post(client, world.reporter, "order_reply", order, {"text": "补充佐证。"}, files=pdf())
    post(client, world.neutral_supervisor, "order_close", order, {"text": "同意办结"})
    order.refresh_from_db()
    assert order.status == "closed" and order.closed_at is not None

    actions = list(order.events.values_list("action", flat=True))
    assert actions == [
        "issued",
        "acknowledged",
        "extension_requested",
        "extension_refused",
        "extension_requested",
        "extension_granted",
        "replied",
        "sent_back",
        "replied",
        "closed",
    ]
    assert SupervisionFile.objects.filter(order=order, event__action="replied").count() == 2
    assert received == ["issued", "sent_back", "closed"]
    page = client.get(reverse("supervision:order_detail", args=[order.pk]))
    assert "不予延期" in page.content.decode() and "已办结" in page.content.decode()
    printed = client.get(reverse("supervision:order_print", args=[order.pk])).content.decode()
    assert "督 办 单" in printed and "环教督〔2023〕1号" in printed and "退回重办" in printed
    assert "css/order_print.css" in printed  # A4 portrait


def test_numbers_follow_the_configured_prefix_and_are_never_reused(world, frozen):
    first = issue(world)
    OrderSettings.objects.create(plan=world.plan, number_prefix="环督")
    with pytest.raises(services.OrderError):
        services.order_issue(
            user=world.neutral_supervisor,
            task=world.task1,
            host=world.edu,
            reason="x",
            requirement="y",
            deadline=DEADLINE,
            files=[upload("a.pdf", EXE_BYTES)],
        )
    second = issue(world)
    third = issue(world)
    assert first.number == "环教督〔2023〕1号"
    assert (second.number, third.number) == ("环督〔2023〕1号", "环督〔2023〕2号")
    SupervisionOrder.objects.filter(pk=third.pk).delete()
    assert issue(world).number == "环督〔2023〕3号"  # a deleted number is not given again
    assert OrderNumberCounter.objects.get(prefix="环督", year=2023).last == 3


def test_a_new_year_starts_at_one(world):
    issue(world)
    order = issue(world, when=at(D(2024, 1, 2)), deadline=D(2024, 1, 20))
    assert order.number == "环教督〔2024〕1号"


def test_urgings_are_counted_and_shown_to_the_unit(client, world, frozen):
    order = issue(world)
    for text in ("请抓紧", "再次催办"):
        post(client, world.neutral_supervisor, "order_urge", order, {"text": text})
    assert order.events.filter(action="urged").count() == 2
    client.force_login(world.reporter)
    page = client.get(reverse("reports:my_tasks")).content.decode()
    assert order.number in page and "红色（超期）" in page  # M=2 urgings → red
    detail = client.get(reverse("supervision:order_detail", args=[order.pk])).content.decode()
    assert "再次催办" in detail and "催办2次" in detail


def test_report_urging_reaches_the_units_home(client, world, frozen):
    client.force_login(world.neutral_supervisor)
    url = reverse("supervision:report_urge", args=[world.task2.pk, world.hr.pk, "2023-06-01"])
    assert client.post(url, {"text": "6月报告请尽快报送"}).status_code == 302
    client.force_login(world.hr_reporter)
    assert "6月报告请尽快报送" in client.get(reverse("reports:my_tasks")).content.decode()
    client.force_login(world.reporter)
    assert "6月报告请尽快报送" not in client.get(reverse("reports:my_tasks")).content.decode()


def test_leader_instruction_is_seen_by_the_unit(client, world, frozen):
    order = issue(world)
    assert (
        post(client, world.leader, "order_instruct", order, {"text": "务必按期完成"}).status_code
        == 302
    )
    client.force_login(world.reporter)
    page = client.get(reverse("supervision:order_detail", args=[order.pk])).content.decode()
    assert "领导批示" in page and "务必按期完成" in page


def _snapshot():
    return (
        list(SupervisionOrder.objects.values_list("pk", "status", "deadline")),
        OrderEvent.objects.count(),
        SupervisionFile.objects.count(),
    )


def test_deadline_in_the_past_is_refused_in_chinese(client, world, frozen):
    client.force_login(world.neutral_supervisor)
    response = client.post(
        reverse("supervision:order_create", args=[world.task1.pk]),
        {
            "host": world.edu.pk,
            "reason": "x",
            "requirement": "y",
            "deadline": "2023-07-01",
            "level": "normal",
            "source": "task",
        },
    )
    assert response.status_code == 400
    assert "办理时限不能早于今天。" in response.content.decode()
    assert SupervisionOrder.objects.count() == 0
    assert OrderNumberCounter.objects.count() == 0


def test_empty_reply_and_wrong_file_type_change_nothing(client, world, frozen):
    order = issue(world)
    post(client, world.reporter, "order_acknowledge", order)
    before = _snapshot()
    response = post(client, world.reporter, "order_reply", order, {"text": "  "})
    assert response.status_code == 400 and "请填写反馈内容。" in response.content.decode()
    response = post(
        client,
        world.reporter,
        "order_reply",
        order,
        {"text": "见附件"},
        files=upload("整改报告.pdf", EXE_BYTES),
    )
    assert response.status_code == 400
    assert "文件内容与扩展名不符" in response.content.decode()
    response = post(
        client,
        world.reporter,
        "order_reply",
        order,
        {"text": "见附件"},
        files=upload("整改报告.exe", EXE_BYTES),
    )
    assert "仅支持 PDF" in response.content.decode()
    assert _snapshot() == before


def test_other_units_get_404_and_supporting_units_read_only(client, world, frozen):
    order = issue(world, assisting=[])
    client.force_login(world.other_reporter)
    assert client.get(reverse("supervision:order_detail", args=[order.pk])).status_code == 404
    client.force_login(world.hr_reporter)
    assert client.get(reverse("supervision:order_detail", args=[order.pk])).status_code == 404
    order2 = issue(world)  # hr assists this one: it may read, not act
    assert client.get(reverse("supervision:order_detail", args=[order2.pk])).status_code == 200
    response = post(client, world.hr_reporter, "order_acknowledge", order2)
    assert response.status_code == 403
    order2.refresh_from_db()
    assert order2.status == "issued"


def test_only_supervisors_issue_and_only_leaders_instruct(client, world, frozen):
    url = reverse("supervision:order_create", args=[world.task1.pk])
    for user in (world.reporter, world.head, world.leader):
        client.force_login(user)
        assert client.get(url).status_code == 403
    order = issue(world)
    assert (
        post(client, world.neutral_supervisor, "order_instruct", order, {"text": "x"}).status_code
        == 403
    )
    assert post(client, world.reporter, "order_urge", order, {"text": "x"}).status_code == 403
    assert not order.events.filter(action__in=["instructed", "urged"]).exists()


def test_issue_form_is_prefilled_from_a_returned_report(client, world, frozen):
    from reports import services as report_services
    from reports.tests.factories import submitted

    report = submitted(world, period=D(2023, 6, 1))
    report_services.report_return(user=world.neutral_supervisor, report=report, comment="数据有误")
    client.force_login(world.neutral_supervisor)
    detail = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "下发督办单" in detail
    url = reverse("supervision:order_create", args=[world.task1.pk]) + f"?report={report.pk}"
    page = client.get(url).content.decode()
    assert "数据有误" in page and f'value="{report.pk}"' in page


def test_compliance_row_offers_issue_and_urge_prefilled(client, world, frozen):
    client.force_login(world.neutral_supervisor)
    page = client.get(
        reverse("supervision:compliance"),
        {"plan": world.plan.pk, "as_of": "2023-07-10", "status": "missing"},
    ).content.decode()
    assert "source=compliance" in page and f"host={world.edu.pk}" in page
    assert "period=2023-06-01" in page
    assert (
        reverse("supervision:report_urge", args=[world.task1.pk, world.edu.pk, "2023-06-01"])
        in page
    )


def test_verification_from_an_accepted_report_marks_it_and_can_open_an_order(client, world, frozen):
    from reports import services as report_services
    from reports.tests.factories import submitted

    report = submitted(world, period=D(2023, 6, 1))
    report_services.report_accept(user=world.neutral_supervisor, report=report, comment="")
    client.force_login(world.neutral_supervisor)
    detail = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "督查核实" in detail
    response = client.post(
        reverse("supervision:verification_create", args=[world.task1.pk]),
        {
            "department": world.edu.pk,
            "report": report.pk,
            "checked_on": "2023-07-10",
            "method": "site",
            "scope": "实训基地现场",
            "finding": "untrue",
            "open_order": "on",
            "files": [pdf("现场照片.pdf")],
        },
    )
    assert response.status_code == 302 and "source=verification" in response["Location"]
    form = client.get(response["Location"]).content.decode()
    assert "不属实" in form
    task_page = client.get(reverse("reports:task_detail", args=[world.task1.pk])).content.decode()
    assert "核实不属实" in task_page
    from supervision.orders.models import Verification

    check = Verification.objects.get()
    assert (check.report, check.finding, check.files.count()) == (report, "untrue", 1)
