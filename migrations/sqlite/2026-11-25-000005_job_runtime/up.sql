-- What a job needs while a runner holds it: when its timeout ends (the sweep fails it some
-- grace after), whether the runner lets a cancel finish gracefully (canceling), and when the
-- runner first asked to finish before its log was complete (two-phase finish).
ALTER TABLE jobs ADD COLUMN deadline_at TIMESTAMP;
ALTER TABLE jobs ADD COLUMN cancel_gracefully BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN finish_requested_at TIMESTAMP;

-- The sweeps: running jobs past their deadline; jobs of a status unchanged (and, while a
-- runner holds them, without contact) since a time.
CREATE INDEX jobs_running_deadline ON jobs (deadline_at) WHERE status = 'running';
CREATE INDEX jobs_status_updated_at ON jobs (status, updated_at);
