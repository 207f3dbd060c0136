"""tools.extraction.readers"""
