DROP TABLE idempotency_keys;
DROP TABLE audit_log;
DROP TABLE events;
DROP TABLE applications;
DROP TABLE accounts;
DROP TABLE subjects;
DROP TABLE phone_numbers;
