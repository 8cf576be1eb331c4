CREATE TABLE "audit_log" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"actor_id" text NOT NULL,
	"actor_type" text NOT NULL,
	"action" text NOT NULL,
	"target_kind" text NOT NULL,
	"target_id" text,
	"ip" text,
	"user_agent" text,
	"metadata" jsonb NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"client_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"client_secret_hash" text,
	"client_secret_expires_at" bigint NOT NULL,
	"registration_access_token_hash" text,
	"client_name" text,
	"redirect_uris" jsonb NOT NULL,
	"grant_types" jsonb NOT NULL,
	"response_types" jsonb NOT NULL,
	"scope" text NOT NULL,
	"token_endpoint_auth_method" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"enabled" boolean NOT NULL,
	"first_party" boolean NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"user_id" text NOT NULL,
	"client_id" text COLLATE "C" NOT NULL,
	"scope" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "consents_user_id_client_id_pk" PRIMARY KEY("user_id","client_id")
);
--> statement-breakpoint
CREATE TABLE "denylist" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"reason" text,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"time" bigint NOT NULL,
	"severity" text NOT NULL,
	"user_id" text,
	"client_id" text,
	"metadata" jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"traceparent" text
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"user_id" text,
	"grant_type" text NOT NULL,
	"scope" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"sid" text NOT NULL,
	"user_id" text NOT NULL,
	"auth_time" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "sessions_sid_unique" UNIQUE("sid")
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text COLLATE "C" PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"use" text NOT NULL,
	"status" text NOT NULL,
	"public_jwk" text NOT NULL,
	"private_jwk_encrypted" text NOT NULL,
	"created_at" bigint NOT NULL,
	"retires_at" bigint
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"email" text,
	"name" text,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"enabled" boolean NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE INDEX "audit_log_created_at_id_idx" ON "audit_log" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "clients_created_at_id_idx" ON "clients" USING btree ("created_at","client_id");--> statement-breakpoint
CREATE INDEX "consents_client_id_idx" ON "consents" USING btree ("client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "denylist_kind_value_unique" ON "denylist" USING btree ("kind","value");--> statement-breakpoint
CREATE INDEX "denylist_created_at_id_idx" ON "denylist" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "denylist_expires_at_idx" ON "denylist" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "events_idempotency_key_unique" ON "events" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "events_time_id_idx" ON "events" USING btree ("time","id");--> statement-breakpoint
CREATE INDEX "events_client_id_time_idx" ON "events" USING btree ("client_id","time");--> statement-breakpoint
CREATE INDEX "events_user_id_time_idx" ON "events" USING btree ("user_id","time");--> statement-breakpoint
CREATE INDEX "events_type_time_idx" ON "events" USING btree ("type","time");--> statement-breakpoint
CREATE INDEX "grants_created_at_id_idx" ON "grants" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "grants_client_id_idx" ON "grants" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "grants_user_id_idx" ON "grants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "signing_keys_created_at_kid_idx" ON "signing_keys" USING btree ("created_at","kid");--> statement-breakpoint
CREATE INDEX "users_created_at_id_idx" ON "users" USING btree ("created_at","id");