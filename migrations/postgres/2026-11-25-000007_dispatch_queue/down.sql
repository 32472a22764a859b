DROP INDEX jobs_queue;
