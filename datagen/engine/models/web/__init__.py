"""The web-session model: pages, hour-of-day curves and users, from YAML."""
