-- The queue read by every job request, covering what it filters on: the oldest pending jobs
-- in order, from index entries of pending jobs only. (SQLite also gets a covering index for
-- each project's oldest pending job; PostgreSQL's planner did not use one for that query,
-- aggregating a scan of the pending jobs instead, so it is not created here.)
CREATE INDEX jobs_queue ON jobs (status, id, project_id, tag_count, protected) WHERE status = 'pending';
