"""tools.trackers"""
