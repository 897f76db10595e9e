-- IncidentDesk: PostgreSQL roles for a shared database.
--
-- Run once as a superuser, connected to the database IncidentDesk will use (create it first:
--   CREATE DATABASE incidentdesk OWNER incidentdesk_owner;  -- after the roles below exist)
-- then give both roles passwords:
--   ALTER ROLE incidentdesk_owner PASSWORD '…';
--   ALTER ROLE incidentdesk_app PASSWORD '…';
--
-- incidentdesk_owner  owns the schema; used only for 'incidentdesk db upgrade --shared'.
-- incidentdesk_app    what workstations connect as: it can read the journal and append to
--                     it, nothing else. No DDL, and no UPDATE or DELETE on the journal: it is
--                     append-only on the server too.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'incidentdesk_owner') THEN
        CREATE ROLE incidentdesk_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'incidentdesk_app') THEN
        CREATE ROLE incidentdesk_app LOGIN;
    END IF;
END $$;

-- The owner creates the tables in the public schema; the app role may use them, not change
-- them.
GRANT CREATE, USAGE ON SCHEMA public TO incidentdesk_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO incidentdesk_app;

-- Whatever the owner creates later (every migration) gets exactly these rights for the app.
ALTER DEFAULT PRIVILEGES FOR ROLE incidentdesk_owner IN SCHEMA public
    GRANT SELECT, INSERT ON TABLES TO incidentdesk_app;
ALTER DEFAULT PRIVILEGES FOR ROLE incidentdesk_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO incidentdesk_app;
ALTER DEFAULT PRIVILEGES FOR ROLE incidentdesk_owner IN SCHEMA public
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLES FROM incidentdesk_app;
