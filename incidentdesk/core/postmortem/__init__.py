"""Post-mortems: sections, templates, review, documents, the blameless check, action items."""
