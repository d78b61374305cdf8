DROP INDEX accounts_of_subject;
DROP TABLE cases;
DROP TABLE identity_proofs;
