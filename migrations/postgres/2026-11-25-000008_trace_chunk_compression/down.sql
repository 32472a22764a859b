DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_settings
        WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)
    ) THEN
        EXECUTE 'ALTER TABLE job_trace_chunks ALTER COLUMN data SET COMPRESSION DEFAULT';
    END IF;
END
$$;
