"""(being built this session) Loading shipped and team rules files."""
