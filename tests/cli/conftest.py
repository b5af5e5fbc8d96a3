"""The workshop verbs run against the seeded room that tests/workshop/ builds."""

from tests.workshop.conftest import nursery, room, store  # noqa: F401 - fixtures used here
