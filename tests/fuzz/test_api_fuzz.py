"""Schemathesis fuzzes every operation of the OpenAPI description, in process, as each role of the world.

One test per operation of the spec (read from the app at collection, so a new endpoint is fuzzed without a
change here; ``test_every_operation_is_fuzzed`` fails if one is left out). Each generated request is sent as
anonymous, a guardian, a teacher, venue staff, and a school, alliance and region admin, against a seeded world
(``tests/fuzz/world.py``) whose ids the generated path, query and body ids are aimed at. Every response must
be no 5xx, have a status the operation documents explicitly (not only through ``default``), the documented
content type, a body matching its schema, and every error the ``{code, message, errors}`` envelope. Invalid
input (the negative phase) must be refused with a 4xx.

Bounded and deterministic: Hypothesis derandomized, ``FUZZ_MAX_EXAMPLES`` examples per operation and mode (4
by default). A longer, random run: ``FUZZ_MAX_EXAMPLES=200 FUZZ_SEED=<n> pytest tests/fuzz`` (README, "Hostile
input and faults").
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
)

from tests.fuzz import spec_support
from tests.fuzz.world import ids_by_table, seeded_world

ROLES = ["anonymous", "guardian_a", "teacher_a", "venue_staff", "school_admin", "alliance_admin", "region_admin"]
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "4"))
SEED = os.environ.get("FUZZ_SEED")
OPERATIONS = spec_support.operations()

POSITIVE_CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    spec_support.status_documented,
    spec_support.error_envelope,
]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, negative_data_rejection]


@pytest.fixture(scope="session")
def api_schema(app):
    """The app's spec, without its security requirements: each role's token is sent by the test itself.

    Unknown query parameters are ignored by design (a client or proxy may add its own), so they are not
    generated as invalid input.
    """
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    config = schemathesis.Config.from_dict({"generation": {"allow-extra-parameters": False}})
    schema = schemathesis.openapi.from_dict(spec, config=config)
    schema.app = app
    return schema


def _settings(examples):
    hypothesis_settings = settings(
        max_examples=examples,
        derandomize=SEED is None,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    return hypothesis_settings


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_as_every_role(api_schema, make, method, path):
    operation = api_schema[path][method]
    world = seeded_world(make)
    ids = ids_by_table()
    headers = {role: (make.login(getattr(world, role)) if role != "anonymous" else {}) for role in ROLES}
    sent = {GenerationMode.POSITIVE: set(), GenerationMode.NEGATIVE: set()}

    def run(mode, checks):
        @_settings(MAX_EXAMPLES)
        @given(case=operation.as_strategy(generation_mode=mode), aim=st.integers(0, 2**16))
        def fuzz(case, aim):
            if mode == GenerationMode.POSITIVE:
                spec_support.aim_ids(case, ids, aim)
            for role in ROLES:
                response = case.call(headers=headers[role])
                case.validate_response(response, checks=checks, headers=headers[role])
                sent[mode].add(role)

        if SEED is not None:
            fuzz = seed(int(SEED))(fuzz)
        fuzz()

    run(GenerationMode.POSITIVE, POSITIVE_CHECKS)
    assert sent[GenerationMode.POSITIVE] == set(ROLES), f"{method} {path} was not fuzzed as every role"
    try:
        run(GenerationMode.NEGATIVE, NEGATIVE_CHECKS)
    except Unsatisfiable:
        # Nothing of this operation can be invalid (e.g. one free-form string in the path): only then.
        assert not spec_support.can_be_invalid(operation), f"{method} {path}: no invalid input was generated"


def test_every_operation_is_fuzzed(api_schema):
    """The parametrized operations are exactly those of the app's spec, none skipped or unknown."""
    in_spec = {
        (operation.method.upper(), operation.path)
        for operation in (result.ok() for result in api_schema.get_all_operations())
    }
    assert in_spec == {(m.upper(), p) for m, p in OPERATIONS}
