import os

# python-docx brings lxml, and openpyxl switches to lxml whenever it is importable: its
# workbook XML would then be parsed by lxml instead of defusedxml (security notes §B5) and
# written differently. Keep openpyxl on the standard library + defusedxml path. This module
# is imported before the settings, so it runs before anything imports openpyxl.
os.environ.setdefault("OPENPYXL_LXML", "False")
