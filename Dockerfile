# The hazardflow roles (analyze, alerts, sink, connector) for docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# npm ci's postinstall applies patches/ (patch-package): kafkajs fixes, see patches/README.md.
COPY patches ./patches
RUN npm ci --omit=dev
COPY . .
RUN npm run models
ENTRYPOINT ["node", "bin/hazardflow.mjs"]
