DROP TABLE instance_settings;
DROP TABLE protected_branches;
DROP TABLE members;
DROP TABLE projects;
DROP TABLE namespaces;
DROP TABLE personal_access_tokens;
DROP TABLE users;
