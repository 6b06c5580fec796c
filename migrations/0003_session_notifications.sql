-- Every revocation of a session, and every change of a user, is announced on
-- the channel `boreal_sessions` (payload: the session id, or `user:<id>`), in
-- the transaction that makes it: each server instance LISTENs and drops what
-- it cached (src/auth/session-cache.ts). A trigger, not the revoking code, so
-- no path that revokes (logout, reuse, password or role change, disable,
-- DELETE of sessions, a CLI command, a hand-written UPDATE) can forget it.
CREATE OR REPLACE FUNCTION "boreal_notify_session_ended"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('boreal_sessions', OLD.id::text);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "boreal_notify_user_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('boreal_sessions', 'user:' || OLD.id::text);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "sessions_revoked_notify" AFTER UPDATE OF "revoked_at" ON "sessions" FOR EACH ROW
  WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL) EXECUTE FUNCTION "boreal_notify_session_ended"();--> statement-breakpoint
CREATE TRIGGER "sessions_deleted_notify" AFTER DELETE ON "sessions" FOR EACH ROW EXECUTE FUNCTION "boreal_notify_session_ended"();--> statement-breakpoint
CREATE TRIGGER "users_changed_notify" AFTER UPDATE ON "users" FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "boreal_notify_user_changed"();--> statement-breakpoint
CREATE TRIGGER "users_deleted_notify" AFTER DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION "boreal_notify_user_changed"();
