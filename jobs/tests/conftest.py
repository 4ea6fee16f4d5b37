import pytest

from jobs import registry
from jobs.tests import kinds


@pytest.fixture
def echo_kind():
    kinds.CALLS.clear()
    registry.register(
        "test.echo", label="测试导出", run=kinds.run_echo, may_access=kinds.may_access_echo
    )
    yield "test.echo"
    registry.unregister("test.echo")
