-- An application's reference was drawn from its own sequence, apart from the
-- seq the list is ordered by: two creations at once could take seq 6 and 7
-- but references 7 and 6, and the newest-first list showed them out of order.
-- From here a BEFORE INSERT trigger makes the reference the row's seq (a
-- column default cannot: PostgreSQL does not promise to fill seq before it;
-- a multi-row VALUES fills them the other way round). An insert that names a
-- reference keeps it.
--
-- The identity first moves past every reference handed out so far, so no new
-- reference repeats an old one; on an empty table it stays where it is and
-- the first reference is APP-000001.
SELECT setval('applications_seq_seq', greatest(max("seq"), max(substr("reference", 5)::bigint), (SELECT last_value FROM "applications_seq_seq")), true)
  FROM "applications" HAVING count(*) > 0;--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "reference" SET DEFAULT null;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "boreal_application_reference"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.reference := coalesce(NEW.reference, 'APP-' || lpad(NEW.seq::text, 6, '0'));
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "applications_reference_from_seq" BEFORE INSERT ON "applications" FOR EACH ROW EXECUTE FUNCTION "boreal_application_reference"();--> statement-breakpoint
DROP SEQUENCE "public"."application_reference_seq";
