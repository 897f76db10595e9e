"""The catalog, pages and post-mortems travel between workstations through a real PostgreSQL."""

from __future__ import annotations

from catalogkit import catalog_text  # tests/catalogkit.py
from synckit import Workstation

from incidentdesk.core.catalog.model import parse_toml

CATALOG = catalog_text("http://127.0.0.1:9")  # the paging tests' catalog; nothing is sent


def test_a_catalog_and_a_page_made_on_a_are_known_on_b_which_never_sends_it(
    workstations: tuple[Workstation, Workstation],
) -> None:
    a, b = workstations
    a.desk.catalog.import_catalog(parse_toml(CATALOG), source="catalog.toml")
    incident = a.desk.incidents.declare("Checkout down", "SEV1", ["checkout"])
    page = a.desk.escalations.escalate(incident, "checkout")
    a.sync.sync_once()
    b.sync.sync_once()
    catalog = b.desk.catalog.current()
    assert catalog is not None and [s.name for s in catalog.services] == ["checkout"]
    assert [p.id for p in b.desk.escalations.pages(incident)] == [page]
    assert b.desk.deliveries.pending() == []  # only the workstation that asked sends it
    assert len(a.desk.deliveries.pending()) == 1
    assert b.desk.incidents.rows()[0]["id"] == incident  # the catalog is no incident


def test_two_workstations_saving_one_section_see_the_same_conflict_and_its_merge(
    workstations: tuple[Workstation, Workstation],
) -> None:
    a, b = workstations
    incident = a.desk.incidents.declare("Checkout down", "SEV2", ["checkout"])
    a.desk.postmortems.start(incident, "lightweight", fill=False)
    key = a.desk.postmortems.view(incident).sections[0].spec.key
    base = a.desk.postmortems.save_section(incident, key, "The pool ran dry.", None)
    a.sync.sync_once()
    b.sync.sync_once()

    a.desk.postmortems.save_section(incident, key, "The connection pool ran dry at 14:02.", base)
    b.desk.postmortems.save_section(incident, key, "The pool ran dry after the deploy.", base)
    a.sync.sync_once()
    b.sync.sync_once()
    a.sync.sync_once()

    on_a = a.desk.postmortems.view(incident).section(key)
    on_b = b.desk.postmortems.view(incident).section(key)
    assert on_a.conflict is not None and on_b.conflict is not None
    assert on_a.conflict == on_b.conflict  # the same on every replica
    assert {h.text for h in on_a.conflict.heads} == {
        "The connection pool ran dry at 14:02.",
        "The pool ran dry after the deploy.",
    }
    merged = "The connection pool ran dry at 14:02, after the deploy."
    b.desk.postmortems.resolve_conflict(incident, key, merged, [h.id for h in on_b.conflict.heads])
    b.sync.sync_once()
    a.sync.sync_once()
    for desk in (a.desk, b.desk):
        section = desk.postmortems.view(incident).section(key)
        assert (section.text, section.conflict) == (merged, None)


def test_a_shared_database_still_at_the_previous_journal_revision_is_used(
    shared_url: str,
) -> None:
    """Later migrations only add local tables: workstations on this release sync with a shared
    database nobody has upgraded yet, so a team can upgrade workstations one by one."""
    from alembic import command
    from alembic.config import Config
    from synckit import APP_PASSWORD

    from incidentdesk.infra.store import migrate
    from incidentdesk.infra.store.shared import SharedConfig, SharedStore

    store = SharedStore(SharedConfig.parse(shared_url), APP_PASSWORD)
    with store.connect() as conn:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        command.upgrade(config, "0003_library")
    assert store.revision() == "0003_library"
    store.check_schema()  # no refusal
    store.close()
