"""The shared database's grants: what a workstation's login may do, and nothing more.

Run by migration 0006 and again by every ``db upgrade --shared`` (SharedStore.upgrade), so a
group role an administrator creates later (packaging/postgres/roles.sql) gets them then.
Idempotent. Nobody but the owner holds anything on the tables; then the group
``incidentdesk_writers`` gets exactly what sync needs: read the journal and the schema
revision, append to the journal (every column but the server's ``seq``).
"""

from __future__ import annotations

# The group role every person's (or workstation's) login role joins; it holds the grants.
WRITERS = "incidentdesk_writers"
# The application role packaging/postgres/roles.sql created before there was a group.
APP = "incidentdesk_app"
# What a writer may set on insert: everything but the server's own ``seq`` (a client-chosen
# seq far ahead would make every reader's cursor skip the rows inserted after it). The
# provenance columns may be sent but the trigger overwrites them.
INSERTABLE = (
    "id, incident_id, kind, payload, occurred_at_us, hlc, author, device, recorded_by, "
    "received_at_us"
)
GRANTS = f"""
    DO $$
    DECLARE
        grantee text;
        seq_name text := pg_get_serial_sequence('events', 'seq');
        app_in_group boolean;
        fn regprocedure;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITERS}') THEN
            BEGIN
                CREATE ROLE {WRITERS} NOLOGIN;
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'No role {WRITERS}: run packaging/postgres/roles.sql as a '
                    'superuser, then db upgrade --shared again to grant it.';
            END;
        END IF;
        app_in_group := false;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP}')
           AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITERS}') THEN
            app_in_group := pg_has_role('{APP}', '{WRITERS}', 'MEMBER');
            IF NOT app_in_group THEN
                BEGIN
                    GRANT {WRITERS} TO {APP};
                    app_in_group := true;
                EXCEPTION WHEN insufficient_privilege THEN
                    RAISE NOTICE '{APP} keeps its own grants: run packaging/postgres/roles.sql '
                        'as a superuser to make it a member of {WRITERS}.';
                END;
            END IF;
        END IF;
        -- Nobody but the owner holds anything on the tables, then the writers get exactly
        -- what sync needs: read the journal and the schema revision, append to the journal.
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
        -- The journal's trigger functions (which ones depends on the revision: 0007 replaced
        -- 0002's), by name.
        FOR fn IN
            SELECT p.oid::regprocedure FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proname LIKE 'incidentdesk\\_%'
        LOOP
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
        END LOOP;
        FOR grantee IN
            SELECT rolname FROM pg_roles
            WHERE rolname IN ('{WRITERS}', '{APP}') AND rolname <> current_user
        LOOP
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', grantee);
            EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', grantee);
            -- Tables a later migration creates get nothing unless it grants them.
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM %I',
                grantee);
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM %I',
                grantee);
            IF grantee = '{APP}' AND app_in_group THEN
                CONTINUE;  -- it holds the group's rights, none of its own
            END IF;
            EXECUTE format('GRANT SELECT ON events, alembic_version TO %I', grantee);
            EXECUTE format('GRANT INSERT ({INSERTABLE}) ON events TO %I', grantee);
            EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', seq_name, grantee);
            FOR fn IN
                SELECT p.oid::regprocedure FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'public' AND p.proname LIKE 'incidentdesk\\_%'
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', fn, grantee);
            END LOOP;
            IF to_regclass('public.journal_epoch') IS NOT NULL THEN  -- 0007 on
                EXECUTE format('GRANT SELECT ON journal_epoch TO %I', grantee);
            END IF;
        END LOOP;
    END $$
    """
