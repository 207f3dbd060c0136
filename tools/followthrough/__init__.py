"""tools.followthrough"""
