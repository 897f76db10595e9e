"""(being built this session) Loading shipped and team templates files."""
