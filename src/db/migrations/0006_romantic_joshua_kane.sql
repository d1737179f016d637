CREATE TABLE `executor_releases` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`version` text NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`artifacts` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`published_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`yanked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `executor_releases_kind_version_idx` ON `executor_releases` (`kind`,`version`);