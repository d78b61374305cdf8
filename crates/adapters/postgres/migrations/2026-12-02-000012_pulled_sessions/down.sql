DROP TABLE pulled_sessions;
