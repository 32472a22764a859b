-- The queue read by every job request, covering what it filters on so that only index
-- entries of pending jobs are read: the oldest pending jobs in order (the SQLite planner
-- prefers an index with an equality on `status` to `jobs_pending`, then sorts every pending
-- job of the project), and each project's oldest pending job (fair scheduling).
CREATE INDEX jobs_queue ON jobs (status, id, project_id, tag_count, protected) WHERE status = 'pending';
CREATE INDEX jobs_queue_heads ON jobs (status, project_id, id, tag_count, protected) WHERE status = 'pending';
