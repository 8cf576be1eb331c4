CREATE TABLE "federated_identities" (
	"provider" text NOT NULL,
	"subject" text NOT NULL,
	"user_id" text NOT NULL,
	"email" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "federated_identities_pk" PRIMARY KEY("provider","subject")
);
--> statement-breakpoint
CREATE INDEX "federated_identities_user_id_idx" ON "federated_identities" USING btree ("user_id");