"""runtime/data"""
