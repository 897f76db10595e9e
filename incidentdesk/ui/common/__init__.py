"""What every view uses: the client to the Desk worker, tasks, style, resources."""
