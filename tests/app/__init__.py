"""The whole app: settings, deployment, packaging, migrations, hostile input, keys, proxy, Redis."""
