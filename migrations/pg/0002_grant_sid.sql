ALTER TABLE "grants" ADD COLUMN "sid" text;--> statement-breakpoint
CREATE INDEX "grants_sid_idx" ON "grants" USING btree ("sid");