DROP TABLE runner_managers;
DROP TABLE runner_projects;
DROP TABLE runner_tags;
DROP TABLE runners;
