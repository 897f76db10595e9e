"""The names the command line's options and help speak of, before a profile is read:
the environment variables and the default profile's name (:mod:`incidentdesk.infra.config`
holds the rest). Nothing is imported here, so ``incidentdesk --help`` stays quick."""

ENV_HOME = "INCIDENTDESK_HOME"
ENV_PROFILE = "INCIDENTDESK_PROFILE"
DEFAULT_PROFILE = "default"
