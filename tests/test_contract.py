"""schemathesis against the live `sok serve`: generated requests for every operation of the description.

No case may fail: no server error, every status code and header as described, every
response body valid against its schema, and valid inputs accepted. (schemathesis's own
pytest plugin does not run under pytest 9 yet, so the operations are walked here.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.slow
EXAMPLES_PER_OPERATION = 60


def test_the_live_api_keeps_its_description(live_server: str) -> None:
    described = schemathesis.openapi.from_url(live_server + "/openapi.json")
    operations = [result.ok() for result in described.get_all_operations()]  # type: ignore[union-attr]
    # search, ask GET and POST, click, feedback GET and POST, suggest, contacts, healthz, readyz
    assert len(operations) == 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def keeps_its_description(case: Any) -> None:
            case.call_and_validate()

        keeps_its_description()
