"""A property-based fuzz of the REST API from its own OpenAPI schema (schemathesis), in-process over ASGI.

Every operation is fuzzed with data that fits its schema and with data that breaks it, twice: as generated
(random conversation ids, random or missing tokens: the refusals), and pointed at a real conversation with its
own token, so that fuzzed messages and query parameters get past the authorisation into the turn pipeline and
the transcript. No request may get a 5xx, and a response that the schema documents must match it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from assistant.pipeline import Assistant
from ui.app import create_app

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# The events stream stays open for `wait` seconds (up to a minute): a fuzzed stream is read for a moment only.
STREAM_QUERY = {"wait": 0.2}
# Examples per operation and mode: enough to reach every kind of refusal and odd text, in well under a minute
# on two cores.
FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis directory in the checkout: each run explores afresh
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@pytest.fixture(scope="module")
def api_schema(assistant: Assistant) -> BaseSchema:
    # Limits out of the way: the fuzz sends hundreds of requests from one address into one conversation.
    roomy = copy.copy(assistant)
    roomy.settings = assistant.settings.model_copy(
        update={"requests_per_minute_per_ip": 1_000_000, "messages_per_minute_per_conversation": 1_000_000}
    )
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(roomy))


def operations(schema: BaseSchema) -> Iterator[APIOperation]:
    for result in schema.get_all_operations():
        yield result.ok()  # a schema the fuzz cannot read is a failure too


# Each operation is fuzzed by a Hypothesis test built here, rather than by `schemathesis.pytest.from_fixture`,
# whose lazy parametrisation does not run on pytest 9 (it sets the removed `Function._nodeid`).
def fuzz(
    operation: APIOperation,
    mode: GenerationMode,
    path_parameters: dict | None = None,
    headers: dict | None = None,
) -> list[int]:
    """Sends the operation's generated cases, each checked, with the given path parameters and headers fixed;
    the status codes they got (none when negative mode finds nothing left to break)."""
    query = STREAM_QUERY if operation.path.endswith("/events") else {}
    fixed = {*(path_parameters or {}), *(headers or {}), *query}
    if mode is GenerationMode.NEGATIVE and not (
        operation.body or any(parameter.name not in fixed for parameter in operation.iter_parameters())
    ):
        return []
    statuses = []
    strategy = operation.as_strategy(
        mode, path_parameters=path_parameters, headers=headers, query=query or None
    )

    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(case: Case) -> None:
        statuses.append(case.call_and_validate(checks=CHECKS).status_code)

    run()
    return statuses


@pytest.mark.parametrize("mode", MODES, ids=lambda mode: mode.value)
def test_no_request_gets_a_server_error(api_schema: BaseSchema, mode: GenerationMode) -> None:
    for operation in operations(api_schema):
        fuzz(operation, mode)


@pytest.mark.parametrize("mode", MODES, ids=lambda mode: mode.value)
def test_no_request_with_the_conversations_own_token_gets_a_server_error(
    api_schema: BaseSchema, assistant: Assistant, mode: GenerationMode
) -> None:
    conversation_id, token = assistant.start_conversation()
    own = {
        "path_parameters": {"conversation_id": conversation_id},
        "headers": {"Authorization": f"Bearer {token}"},
    }
    for operation in operations(api_schema):
        if "{conversation_id}" not in operation.path:
            continue
        statuses = fuzz(operation, mode, **own)
        # The token opens the conversation: whatever else is wrong with a request, it is not refused as a
        # stranger's.
        assert not {401, 403} & set(statuses), (operation.label, statuses)
