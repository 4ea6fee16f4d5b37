import datetime
import zoneinfo

import pytest
import time_machine

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# June 2023 has ended and is due on 2023年7月5日: drafts and submissions are allowed.
FROZEN_AT = datetime.datetime(2023, 7, 3, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mailable(world):
    """Give every persona an address, so mail deliveries are created for them."""
    for user in (
        world.reporter,
        world.head,
        world.hr_reporter,
        world.other_reporter,
        world.supervisor,
        world.neutral_supervisor,
        world.leader,
        world.admin,
    ):
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    return world
