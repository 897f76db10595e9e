"""Post-mortem documents as Markdown, HTML and PDF."""
