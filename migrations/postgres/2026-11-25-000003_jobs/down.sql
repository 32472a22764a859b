DROP TABLE project_variables;
DROP TABLE job_secrets;
DROP TABLE job_trace_chunks;
DROP TABLE job_tags;
DROP TABLE jobs;
DROP TABLE pipelines;
ALTER TABLE projects DROP COLUMN last_pipeline_iid;
