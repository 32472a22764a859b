DROP INDEX jobs_status_updated_at;
DROP INDEX jobs_running_deadline;
ALTER TABLE jobs DROP COLUMN finish_requested_at;
ALTER TABLE jobs DROP COLUMN cancel_gracefully;
ALTER TABLE jobs DROP COLUMN deadline_at;
