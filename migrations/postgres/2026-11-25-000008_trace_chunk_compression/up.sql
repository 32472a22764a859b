-- Log chunks arrive at runner speed, up to 1 MiB each. PostgreSQL compresses such a bytea
-- value before it stores it out of line, with pglz by default: that cost more CPU than the
-- rest of an append. lz4 (PostgreSQL 14 and later, when built with it) compresses several
-- times faster, and decompresses faster when a log is read. A server without lz4 keeps
-- pglz. Only values written from now on are affected; both kinds stay readable.
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_settings
        WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)
    ) THEN
        EXECUTE 'ALTER TABLE job_trace_chunks ALTER COLUMN data SET COMPRESSION lz4';
    END IF;
END
$$;
