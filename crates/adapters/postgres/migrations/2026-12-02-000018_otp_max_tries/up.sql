-- R19: the tries a code allows are a policy value (policy.otp_max_tries), fixed per change when it
-- is requested. Changes requested before this allowed 5.
ALTER TABLE phone_changes ADD COLUMN max_tries integer NOT NULL DEFAULT 5;
