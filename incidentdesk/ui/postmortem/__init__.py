"""The post-mortem editor and its parts."""
