"""(being built this session) The courier: delivers the paging outbox, off the GUI thread."""
