ALTER TABLE `node_revisions` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `node_revisions` ADD `outcome_reason` text;