-- The read-only role of release-api and telegram-gateway: they only query the read model, which
-- release-projector (as the owner, user postgres) creates and rebuilds. Run once by the postgres
-- image's entrypoint on a new volume (reader-role.sh passes the password as :reader_password).
CREATE ROLE rmm_reader LOGIN PASSWORD :'reader_password';
-- what the projector creates later (the read_model schema, a rebuild's new schema and its tables)
-- is readable by the reader and nothing more
ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT USAGE ON SCHEMAS TO rmm_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO rmm_reader;
