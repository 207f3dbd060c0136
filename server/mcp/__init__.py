"""server.mcp"""
