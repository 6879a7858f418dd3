"""lantian.web"""
