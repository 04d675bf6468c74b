-- One database and one role per service, as deploy/local/stack.sh creates them.
CREATE ROLE overdue LOGIN PASSWORD 'overdue';
CREATE DATABASE overdue OWNER overdue;
REVOKE CONNECT ON DATABASE overdue FROM PUBLIC;
