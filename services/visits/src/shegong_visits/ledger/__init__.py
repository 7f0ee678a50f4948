"""The household ledger (家庭台账) in Excel: a template to fill, a dry run that answers per row,
the import through the command path, and the export that the dry run reads back clean."""
