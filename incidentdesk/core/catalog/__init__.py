"""The service catalog: people, teams, services, policies, targets; TOML and Backstage."""
