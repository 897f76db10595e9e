-- IncidentDesk: add a person who may write to the shared journal (a psql script).
--
-- Run as a superuser (or a role with CREATEROLE), after roles.sql:
--   psql -d incidentdesk -v person=priya -f packaging/postgres/add-person.sql
--   psql -d incidentdesk -c '\password priya'      -- typed, never on a command line
-- The person connects with:  incidentdesk connect postgresql://priya@HOST/incidentdesk
-- Everything they write is stamped "recorded by priya" by the server, whatever their
-- workstation claims. To remove someone:  DROP ROLE priya;  (their entries stay, with
-- their name as recorder). Running it again for the same person is harmless.

\set ON_ERROR_STOP on
\if :{?person}
\else
    \echo 'Give the login role to create: psql -v person=NAME -f add-person.sql'
    \quit
\endif

SELECT format('CREATE ROLE %I LOGIN', :'person')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'person') \gexec
SELECT format('GRANT incidentdesk_writers TO %I', :'person') \gexec
