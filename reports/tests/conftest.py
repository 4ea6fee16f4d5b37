import datetime
import zoneinfo

import pytest
import time_machine

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A working day in the middle of the test plan: January–June 2023 have ended, June is due
# on 2023年7月5日, so a June report is already late.
FROZEN_AT = datetime.datetime(2023, 7, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller
