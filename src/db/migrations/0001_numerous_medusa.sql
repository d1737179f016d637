ALTER TABLE `invitation` ADD `token_hash` text;--> statement-breakpoint
ALTER TABLE `invitation` ADD `responded_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `invitation_token_hash_unique` ON `invitation` (`token_hash`);--> statement-breakpoint
CREATE INDEX `invitation_email_idx` ON `invitation` (`email`);--> statement-breakpoint
ALTER TABLE `organization` ADD `personal` integer DEFAULT false NOT NULL;