# The dependencies: a local busybox image stands in for node (scripts/busybox-image.sh makes it).
FROM tilt-example-busybox:latest
ARG node_env=production
ENV NODE_ENV=$node_env
WORKDIR /app
COPY package.json ./
RUN echo "installed dependencies of $(cat package.json | tr -d '\n') for $NODE_ENV" > /app/deps.txt
