DROP INDEX jobs_queue_heads;
DROP INDEX jobs_queue;
