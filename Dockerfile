# The controller image: built on Node 22 LTS (Node 20 is end-of-life), runs `tenant-balancer`.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY machines ./machines
COPY bench ./bench
COPY scripts/build-dashboard.mjs ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY scripts/kafka ./scripts/kafka
USER node
ENTRYPOINT ["node", "--import", "./dist/src/adapters/otel/register.js", "dist/src/main.js"]
