# syntax=docker/dockerfile:1.7
# The admin UI: a static Vite build served by nginx (non-root), which also proxies /api to
# the api service so the browser talks to one origin (see infra/web/nginx.conf).
#   docker build -f infra/docker/web.Dockerfile .
ARG NODE_IMAGE=node:22.20.0-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.28.0-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /src/apps/web
# Dependencies first: this layer is reused until the lock file changes.
COPY apps/web/package.json apps/web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY apps/web/ ./
# The typed client is generated from the API's committed OpenAPI snapshot.
COPY apps/api/openapi.json /src/apps/api/openapi.json
# Source maps stay out of the served image.
RUN npm run build && find dist -name "*.map" -delete

FROM ${NGINX_IMAGE} AS runtime
COPY infra/web/nginx.conf /etc/nginx/conf.d/default.conf
COPY infra/web/security-headers.conf /etc/nginx/snippets/security-headers.conf
COPY --from=build /src/apps/web/dist /usr/share/nginx/html
# nginx-unprivileged runs as uid 101 and listens on 8080.
USER 101
EXPOSE 8080
