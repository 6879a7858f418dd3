"""lantian.store"""
