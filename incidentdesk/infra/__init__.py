"""Infrastructure: the stores, paging adapters, exports, secrets, config, logs, files."""
