"""Reading one file: PDF -> raw pages -> normalized, language-tagged page texts.

``pdf`` (the only pdfminer import) lays out every page; ``ocr`` reads scanned pages with
Tesseract and ``ocr_plan`` decides which; ``normalize`` cleans text; ``language`` (the only
langdetect import) tags each page; ``analyze`` puts them together per file; ``cache`` keeps
extractions and page texts by content hash. Nothing here opens the index.
"""
