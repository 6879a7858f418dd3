"""lantian.io"""
