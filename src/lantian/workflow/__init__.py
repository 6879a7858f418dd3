"""lantian.workflow"""
