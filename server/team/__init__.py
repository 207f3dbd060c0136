"""The team server: MCP over Streamable HTTP and the web board on one port, each person authenticated."""
