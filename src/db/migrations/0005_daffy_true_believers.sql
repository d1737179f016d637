CREATE TABLE `catalog_checksums` (
	`url` text PRIMARY KEY NOT NULL,
	`computed_sha256` text,
	`computed_at` integer,
	`pinned_sha256` text,
	`pinned_at` integer,
	`pinned_by_id` text
);
--> statement-breakpoint
CREATE TABLE `catalog_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`chain` text NOT NULL,
	`client` text NOT NULL,
	`version` text NOT NULL,
	`entry` text NOT NULL,
	`added_by_id` text NOT NULL,
	`added_by_name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `catalog_entries_key_idx` ON `catalog_entries` (`chain`,`client`,`version`);