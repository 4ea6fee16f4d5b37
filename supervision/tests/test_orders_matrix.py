"""URL × persona matrix of the supervision-order URLs. Every allowed cell asserts the action's
effect in the database; every refused one asserts that nothing changed."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from reports.tests.factories import pdf
from supervision.orders import services
from supervision.orders.models import OrderEvent, ReportUrging, SupervisionOrder, Verification
from supervision.tests.orders_fixtures import ISSUED_AT, issue

pytestmark = pytest.mark.django_db
D = datetime.date
LOGIN = "login"


@pytest.fixture
def frozen():
    with time_machine.travel(ISSUED_AT, tick=False) as traveller:
        yield traveller


def _stage(world, order, stage):
    """Bring `order` to the state the action needs."""
    if stage in ("acknowledged", "replied", "pending"):
        order = services.order_acknowledge(user=world.reporter, order=order)
    if stage == "replied":
        order = services.order_reply(user=world.reporter, order=order, text="已办理")
    if stage == "pending":
        services.order_extension_request(
            user=world.reporter, order=order, reason="需延期", new_deadline=D(2023, 8, 1)
        )
    return order


def _events(order, action):
    return OrderEvent.objects.filter(order=order, action=action).count()


def _status(order):
    return SupervisionOrder.objects.get(pk=order.pk).status


# name → (stage, POST data, effect(order) that is true only once the action ran)
ACTIONS = {
    "order_acknowledge": ("issued", {}, lambda o: _status(o) == "acknowledged"),
    "order_reply": (
        "acknowledged",
        {"text": "已整改"},
        lambda o: _status(o) == "replied",
    ),
    "order_extension_request": (
        "acknowledged",
        {"text": "需延期", "new_deadline": "2023-08-01"},
        lambda o: _events(o, "extension_requested") == 1,
    ),
    "order_send_back": ("replied", {"text": "补充"}, lambda o: _status(o) == "sent_back"),
    "order_close": ("replied", {}, lambda o: _status(o) == "closed"),
    "order_extension_grant": (
        "pending",
        {"new_deadline": "2023-07-31"},
        lambda o: SupervisionOrder.objects.get(pk=o.pk).deadline == D(2023, 7, 31),
    ),
    "order_extension_refuse": (
        "pending",
        {"text": "不同意"},
        lambda o: _events(o, "extension_refused") == 1,
    ),
    "order_urge": ("issued", {"text": "请抓紧"}, lambda o: _events(o, "urged") == 1),
    "order_instruct": ("issued", {"text": "务必落实"}, lambda o: _events(o, "instructed") == 1),
}
HOST = {"reporter": 302, "head": 302, "hr_reporter": 403, "other_reporter": 404}
# The education-bureau supervisor may not supervise its own unit: refused (400), no effect.
SUPERVISE = {"neutral_supervisor": 302, "supervisor": 400, "admin": 302}
EXPECTED = {
    "order_acknowledge": HOST,
    "order_reply": HOST,
    "order_extension_request": HOST,
    "order_send_back": SUPERVISE,
    "order_close": SUPERVISE,
    "order_extension_grant": SUPERVISE,
    "order_extension_refuse": SUPERVISE,
    "order_urge": SUPERVISE,
    "order_instruct": {"leader": 302},
}
PERSONAS = [
    "anonymous",
    "reporter",
    "head",
    "hr_reporter",
    "other_reporter",
    "supervisor",
    "neutral_supervisor",
    "leader",
    "admin",
]
# Personas without the action's permission get 403 before the order is looked up.
CELLS = [
    (name, who, EXPECTED[name].get(who, LOGIN if who == "anonymous" else 403))
    for name in ACTIONS
    for who in PERSONAS
]


@pytest.mark.parametrize(("name", "who", "expected"), CELLS)
def test_order_action_matrix(client, world, frozen, name, who, expected):
    stage, data, effect = ACTIONS[name]
    order = _stage(world, issue(world), stage)
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.post(reverse(f"supervision:{name}", args=[order.pk]), data)
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    assert effect(order) is (expected == 302)


READERS = {
    "reporter": 200,
    "head": 200,
    "hr_reporter": 200,  # 协办 unit
    "other_reporter": 404,
    "supervisor": 200,
    "neutral_supervisor": 200,
    "leader": 200,
    "admin": 200,
}


@pytest.mark.parametrize("who", sorted(READERS))
def test_order_pages_and_files_by_persona(client, world, frozen, who):
    order = issue(world, files=[pdf("依据.pdf")])
    client.force_login(getattr(world, who))
    expected = READERS[who]
    for url in (
        reverse("supervision:order_detail", args=[order.pk]),
        reverse("supervision:order_print", args=[order.pk]),
        reverse("supervision:order_file", args=[order.files.get().pk]),
    ):
        assert client.get(url).status_code == expected, url
    listing = client.get(
        reverse("supervision:order_list"), {"colour": "all", "as_of": "2023-07-10"}
    )
    assert listing.status_code == 200
    assert (order.number in listing.content.decode()) is (expected == 200)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("reporter", 200), ("hr_reporter", 404), ("other_reporter", 404), ("leader", 200)],
)
def test_verification_is_read_by_its_unit_and_supervision_only(
    client, world, frozen, who, expected
):
    check = services.verification_record(
        user=world.neutral_supervisor,
        task=world.task1,
        department=world.edu,
        checked_on=D(2023, 7, 9),
        method="documents",
        scope="台账",
        finding="true",
    )
    client.force_login(getattr(world, who))
    url = reverse("supervision:verification_detail", args=[check.pk])
    assert client.get(url).status_code == expected


CREATE = {
    "order_create": (
        lambda w: reverse("supervision:order_create", args=[w.task1.pk]),
        lambda w: {
            "host": w.edu.pk,
            "reason": "逾期",
            "requirement": "整改",
            "deadline": "2023-07-30",
            "level": "normal",
            "source": "task",
        },
        lambda: SupervisionOrder.objects.count() == 1,
    ),
    "report_urge": (
        lambda w: reverse("supervision:report_urge", args=[w.task1.pk, w.hr.pk, "2023-06-01"]),
        lambda w: {"text": "请报送"},
        lambda: ReportUrging.objects.count() == 1,
    ),
    "verification_create": (
        lambda w: reverse("supervision:verification_create", args=[w.task1.pk]),
        lambda w: {
            "department": w.hr.pk,
            "checked_on": "2023-07-09",
            "method": "unannounced",
            "scope": "实训室",
            "finding": "untrue",
        },
        lambda: Verification.objects.count() == 1,
    ),
}


@pytest.mark.parametrize("name", sorted(CREATE))
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("neutral_supervisor", 302),
        ("admin", 302),
        ("reporter", 403),
        ("head", 403),
        ("leader", 403),
        ("anonymous", LOGIN),
    ],
)
def test_issuing_urging_and_verifying_matrix(client, world, frozen, name, who, expected):
    url, data, effect = CREATE[name]
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.post(url(world), data(world))
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    assert effect() is (expected == 302)


def test_a_supervisor_does_not_supervise_its_own_unit(client, world, frozen):
    client.force_login(world.supervisor)  # belongs to 教育局
    create = CREATE["order_create"]
    assert client.post(create[0](world), create[1](world)).status_code == 400
    url = reverse("supervision:report_urge", args=[world.task1.pk, world.edu.pk, "2023-06-01"])
    client.post(url, {"text": "请报送"})
    data = {**CREATE["verification_create"][1](world), "department": world.edu.pk}
    response = client.post(CREATE["verification_create"][0](world), data)
    assert response.status_code == 400
    assert "不能对本单位" in response.content.decode()
    assert SupervisionOrder.objects.count() == ReportUrging.objects.count() == 0
    assert Verification.objects.count() == 0
