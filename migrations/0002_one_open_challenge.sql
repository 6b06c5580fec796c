-- One open challenge per user. Parallel logins may have left several open: the newest stays, the others end as superseded.
UPDATE "otp_challenges" SET "ended_at" = now(), "ended_reason" = 'superseded'
WHERE "ended_at" IS NULL AND "id" NOT IN (
  SELECT DISTINCT ON ("user_id") "id" FROM "otp_challenges" WHERE "ended_at" IS NULL ORDER BY "user_id", "created_at" DESC, "id" DESC
);--> statement-breakpoint
DROP INDEX "otp_challenges_user_open";--> statement-breakpoint
CREATE UNIQUE INDEX "otp_challenges_user_open" ON "otp_challenges" USING btree ("user_id") WHERE "otp_challenges"."ended_at" is null;
