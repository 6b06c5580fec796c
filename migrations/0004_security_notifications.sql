-- Every change of a user's recovery codes (a new set, one spent at sign-in,
-- the set removed with the authenticator, a hand-written UPDATE or DELETE)
-- is announced on the channel `boreal_sessions` as `security:<user id>`, in
-- the transaction that makes it: each server instance drops the security
-- summary /api/auth/me answers with (src/auth/security-summary-cache.ts).
-- The rest of the summary (authenticator, phone) is in the users row, whose
-- changes migration 0003 already announces as `user:<id>`. Row triggers:
-- PostgreSQL folds identical notices of one transaction into one, so a new
-- set of ten codes is one notice.
CREATE OR REPLACE FUNCTION "boreal_notify_security_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('boreal_sessions', 'security:' || OLD.user_id::text); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('boreal_sessions', 'security:' || NEW.user_id::text); END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "recovery_codes_changed_notify" AFTER INSERT OR UPDATE OR DELETE ON "recovery_codes" FOR EACH ROW EXECUTE FUNCTION "boreal_notify_security_changed"();
