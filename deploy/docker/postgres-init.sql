-- docker-compose.yml: one role and one database per service, each database closed to the others,
-- as deploy/local/stack.sh creates them. The postgres image runs this once, on an empty data
-- directory (docker-entrypoint-initdb.d). The passwords are local development defaults, equal to the
-- role names like the local stack's; anything shared or long-lived provisions its own.
CREATE ROLE overdue LOGIN PASSWORD 'overdue';
CREATE DATABASE overdue OWNER overdue;
REVOKE ALL ON DATABASE overdue FROM PUBLIC;
GRANT ALL ON DATABASE overdue TO overdue;

CREATE ROLE outreach LOGIN PASSWORD 'outreach';
CREATE DATABASE outreach OWNER outreach;
REVOKE ALL ON DATABASE outreach FROM PUBLIC;
GRANT ALL ON DATABASE outreach TO outreach;

CREATE ROLE dispatch LOGIN PASSWORD 'dispatch';
CREATE DATABASE dispatch OWNER dispatch;
REVOKE ALL ON DATABASE dispatch FROM PUBLIC;
GRANT ALL ON DATABASE dispatch TO dispatch;

CREATE ROLE agreement LOGIN PASSWORD 'agreement';
CREATE DATABASE agreement OWNER agreement;
REVOKE ALL ON DATABASE agreement FROM PUBLIC;
GRANT ALL ON DATABASE agreement TO agreement;
