"""tools.extraction"""
