CREATE TABLE "resources" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"name" text,
	"scopes" jsonb NOT NULL,
	"access_token_format" text,
	"access_token_ttl_secs" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scopes" (
	"name" text COLLATE "C" PRIMARY KEY NOT NULL,
	"description" text NOT NULL,
	"advertise" boolean NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "resources_identifier_unique" ON "resources" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX "resources_created_at_id_idx" ON "resources" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "scopes_created_at_name_idx" ON "scopes" USING btree ("created_at","name");