# The team server: `postmortem-actions serve --http` (MCP over Streamable HTTP, and the board on the same port),
# as a non-root user, with the database on the /data volume. docs/deploy.md has the whole setup.
#   docker build -t postmortem-actions .
#   docker run --rm -v pa-data:/data postmortem-actions token create alice --role admin   (printed once)
#   docker run -d -p 127.0.0.1:8000:8000 -v pa-data:/data postmortem-actions
# Binding 0.0.0.0 (as the container must) is refused unless authentication is configured: create a token first.

# The full image of the same Python as the runtime stage: it has the C compiler and headers that the compiled
# extractor needs (docs/extraction.md, "Speed"); the wheel it builds is for exactly the Python and platform below.
FROM python:3.12 AS wheel
WORKDIR /src
COPY pyproject.toml README.md setup.py MANIFEST.in ./
COPY packaging packaging
COPY server server
COPY tools tools
COPY store store
RUN POSTMORTEM_ACTIONS_COMPILE=1 pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    POSTMORTEM_ACTIONS_DB=/data/actions.db \
    POSTMORTEM_ACTIONS_ALLOWED_DIRS=/postmortems \
    POSTMORTEM_ACTIONS_PUBLIC_URL=http://127.0.0.1:8000
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin postmortem \
    && mkdir -p /data /postmortems \
    && chown postmortem:postmortem /data
USER postmortem
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# The server accepts connections (every HTTP route needs a token, so a plain TCP connect is the honest probe).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), 3).close()"]
ENTRYPOINT ["postmortem-actions"]
CMD ["serve", "--http", "--host", "0.0.0.0", "--port", "8000"]
