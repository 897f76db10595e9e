-- IncidentDesk: PostgreSQL roles for a shared database.
--
-- Run once as a superuser, connected to the database IncidentDesk will use (create it first:
--   CREATE DATABASE incidentdesk OWNER incidentdesk_owner;  -- after the roles below exist)
-- then give the owner a password:
--   ALTER ROLE incidentdesk_owner PASSWORD '…';
-- and add one login role per person with packaging/postgres/add-person.sql:
--   psql -d incidentdesk -v person=priya -f packaging/postgres/add-person.sql
--   psql -d incidentdesk -c '\password priya'
-- Running it again is harmless (an existing installation runs it again when upgrading to
-- schema 0006_trust, before 'incidentdesk db upgrade --shared').
--
-- incidentdesk_owner    owns the schema; used only for 'incidentdesk db upgrade --shared'.
-- incidentdesk_writers  the group (no login) that holds what a workstation may do: read the
--                       journal and the schema revision, append to the journal. Nothing
--                       else: no DDL, no UPDATE or DELETE (the journal is append-only on the
--                       server too), nothing on any other table. The grants themselves are
--                       made by the migrations ('db upgrade --shared').
-- incidentdesk_app      the one shared login of earlier releases, now a member of the group;
--                       it keeps working, but everything it writes is recorded as
--                       "incidentdesk_app". Prefer a login role per person, and retire it
--                       (ALTER ROLE incidentdesk_app NOLOGIN) once everyone has their own.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'incidentdesk_owner') THEN
        CREATE ROLE incidentdesk_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'incidentdesk_writers') THEN
        CREATE ROLE incidentdesk_writers NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'incidentdesk_app') THEN
        CREATE ROLE incidentdesk_app LOGIN;
    END IF;
END $$;
GRANT incidentdesk_writers TO incidentdesk_app;

-- The owner creates the tables in the public schema; the writers may use them, not change
-- them, and nobody else may create anything there.
GRANT CREATE, USAGE ON SCHEMA public TO incidentdesk_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO incidentdesk_writers;

-- Earlier releases gave the app role SELECT and INSERT on every table the owner created; now
-- each migration grants exactly what the writers need, so new tables start with nothing.
ALTER DEFAULT PRIVILEGES FOR ROLE incidentdesk_owner IN SCHEMA public
    REVOKE ALL ON TABLES FROM incidentdesk_app;
ALTER DEFAULT PRIVILEGES FOR ROLE incidentdesk_owner IN SCHEMA public
    REVOKE ALL ON SEQUENCES FROM incidentdesk_app;
ALTER DEFAULT PRIVILEGES FOR ROLE incidentdesk_owner IN SCHEMA public
    REVOKE ALL ON TABLES FROM incidentdesk_writers;
ALTER DEFAULT PRIVILEGES FOR ROLE incidentdesk_owner IN SCHEMA public
    REVOKE ALL ON SEQUENCES FROM incidentdesk_writers;
