"""lantian.reports"""
